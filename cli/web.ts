/**
 * `netsentinel web`: the web UI and API alone, over the database the configuration names
 * (PostgreSQL with `DATABASE_URL`, else the embedded one): a separate web process reads what the
 * appliance stored, through `storage/read/`. The capture status comes from the appliance's status
 * file when it runs on this machine; uploads need the appliance's pipeline and are refused (503).
 * Runs until SIGINT or SIGTERM.
 *
 * @module
 */

import { parseCommandArgs } from "./parse.ts";
import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { connectDatabase } from "../appliance/connections.ts";
import { migrate } from "../storage/migrate.ts";
import { absentCaptureStatus, type CaptureStatus } from "../model/capture_status.ts";
import { redactedConfig } from "../config/redact.ts";
import { startWebServer, WebServerError } from "../web/server.ts";
import { DATA_DIR_OPTION, dataDirHelp, placeState, resolveDataDir } from "./data_dir.ts";
import { parseStatusDocument } from "./status_file.ts";
import { EXIT_INPUT } from "./usage_error.ts";

/** Help text of `web`. */
export const WEB_HELP =
  `Usage: netsentinel web [--listen ADDR:PORT] [--insecure-http] [--config FILE] [--data-dir DIR]

Serves the web UI and API (/api/v1) over the stored inventory until SIGINT or SIGTERM, without
capturing (netsentinel start runs both). The database is DATABASE_URL, else the embedded database
(DIR/pglite; stop the appliance first, or share a PostgreSQL server). The capture status is read
from the appliance's status file ([status] file) when there is one; uploaded captures are refused
(upload them to the appliance). On a database without users, an admin is created and its one-time
password printed once on stderr.

Options:
  --listen ADDR:PORT  where to listen (default [web] listen, 127.0.0.1:8080)
  --insecure-http     allow plain HTTP on a non-loopback address (warned)
  --config FILE       configuration file (default NETSENTINEL_CONFIG)
${dataDirHelp(22)}
  -h, --help          show this help`;

/** The capture status of the appliance whose status file `config` names, or `absent`. */
async function statusFromFile(config: Config): Promise<CaptureStatus> {
  const path = config.status.file;
  if (!path) return absentCaptureStatus("no status file is configured ([status] file)");
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return absentCaptureStatus(`no appliance status in ${path} (the appliance does not run here)`);
  }
  const document = parseStatusDocument(text);
  if (typeof document === "string") return absentCaptureStatus(`${path}: ${document}`);
  const appliance = document.appliance as CaptureStatus | undefined;
  const interval = document.interval_s ?? config.status.interval_s;
  const age = (Date.now() - Date.parse(document.updated_at)) / 1000;
  if (document.mode === "stopped" || appliance === undefined) {
    return absentCaptureStatus(`the appliance stopped (${path}, ${document.updated_at})`);
  }
  if (age > Math.max(3 * interval, 15)) {
    return {
      ...appliance,
      detail: `the status in ${path} is ${Math.round(age)} s old: the appliance is stuck or gone`,
    };
  }
  return appliance;
}

/** Runs the web server until a signal; returns the exit status. */
export async function runWeb(
  args: string[],
  signals: Deno.Signal[] = ["SIGINT", "SIGTERM"],
): Promise<number> {
  const { values } = parseCommandArgs("web", args, {
    listen: { type: "string" },
    "insecure-http": { type: "boolean" },
    config: { type: "string" },
    ...DATA_DIR_OPTION,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(WEB_HELP);
    return 0;
  }
  const config = placeState(
    await loadConfig(values.config as string | undefined),
    resolveDataDir(values["data-dir"]),
  );
  // Read in the background: the API's status answer must not wait for the disk.
  let capture = absentCaptureStatus("not read yet");
  const refresh = async () => capture = await statusFromFile(config);
  await refresh();
  const timer = setInterval(refresh, 1000);
  const db = await connectDatabase(config);
  try {
    await migrate(db);
    const server = await startWebServer({
      config: config.web,
      db,
      allowedDhcpServers: config.identify.allowed_dhcp_servers,
      runningConfig: () => redactedConfig(config),
      listen: values.listen as string | undefined,
      insecureHttp: values["insecure-http"] ? true : undefined,
      captureStatus: () => capture,
      health: () => ({
        capture: capture.mode === "absent"
          ? { status: "absent", detail: capture.detail }
          : { status: capture.detail ? "degraded" : "ok", mode: capture.mode, demo: capture.demo },
        bus: { status: "absent" },
      }),
    });
    console.error(
      `netsentinel: web UI at ${server.url} (API at ${server.url}/api/v1; database ${db.driver} ${db.location})`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        for (const signal of signals) Deno.removeSignalListener(signal, stop);
        resolve();
      };
      for (const signal of signals) Deno.addSignalListener(signal, stop);
    });
    await server.shutdown();
    return 0;
  } catch (error) {
    if (!(error instanceof WebServerError)) throw error;
    console.error(`netsentinel: ${error.message}`);
    return EXIT_INPUT;
  } finally {
    clearInterval(timer);
    await db.close();
  }
}
