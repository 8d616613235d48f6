/**
 * `netsentinel start`: runs the appliance, one process with the capture, the dissectors, the
 * aggregator, the database and the web server (UI and API), until Ctrl-C / SIGTERM. The packets
 * come from the configured or given interfaces (`--iface`), from capture files imported at full
 * speed (`--pcap`, then it keeps serving), or from the demo: the bundled sample plant capture
 * replayed in real time, looping, into a demo database of its own (`--demo`, and a plain `start`
 * with no interface and no configuration file: the first command a new user runs). With a
 * configuration file that names no interface it refuses: an unedited deployment never fills the
 * real database with the sample.
 *
 * @module
 */

import { join } from "node:path";
import { writePlantSample } from "../samples/plant.ts";
import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { checkCaptureFile } from "./capture_file_errors.ts";
import { captureOptions } from "./capture_options.ts";
import {
  checkDataDirWritable,
  DATA_DIR_OPTION,
  dataDirHelp,
  placeState,
  resolveDataDir,
} from "./data_dir.ts";
import { parseCommandArgs } from "./parse.ts";
import { runAppliance } from "./start_appliance.ts";
import { checkListen, WebServerError } from "../web/server.ts";
import { EXIT_INPUT, UsageError } from "./usage_error.ts";

/** Name of the bundled sample capture in the data folder. */
export const SAMPLE_NAME = "sample-plant.pcap";

/** Help text of `start`. */
export const START_HELP =
  `Usage: netsentinel start [--iface IF… | --pcap FILE… | --demo] [--listen ADDR:PORT] [options]

Runs the appliance: capture, dissection, database and the web UI and API in one process, until
Ctrl-C or SIGTERM (what was heard is committed, then the database is closed). It prints the
address of the web UI (default http://127.0.0.1:8080); on a database without users it creates the
user "admin" and prints its one-time password once on stderr.

Packets come from the interfaces given with --iface (repeat or comma-separate) or listed in the
configuration ([[capture.interfaces]]); or from capture files given with --pcap, imported at full
speed, after which the appliance keeps serving; captures can also be uploaded in the UI and the
API. With no interface and no configuration file it runs the demo (--demo); with a configuration
file that names no interface it refuses, and says how to give one. While it runs it rewrites its
status file (see netsentinel status), and SIGHUP reloads the configuration (keys that need a
restart are named).

Options:
  --iface IF          capture on IF (mirror/SPAN/TAP port, or a port of a transparent bridge)
  --pcap FILE         import this pcap/pcapng file (repeatable; --sample FILE is the same)
  --demo              DEMO: replay the bundled sample plant capture (DIR/${SAMPLE_NAME}, generated
                      on first use) in real time, timestamps moved to now, looping, into a demo
                      database of its own, DIR/demo/pglite; never into the configured database
                      (DATABASE_URL and REDIS_URL are not used)
  --listen ADDR:PORT  where the web server listens (default [web] listen, 127.0.0.1:8080); an
                      address other than the loopback needs [web] tls_cert and tls_key
  --insecure-http     allow plain HTTP on an address other than the loopback (warned)
  --config FILE       configuration file (default: $NETSENTINEL_CONFIG, else built-in defaults)
${dataDirHelp(22)}
  --json              with --iface: print the inventory of the capture as JSON when it stops
  -h, --help          show this help

Exit status: 0 after a clean stop; 1 when an interface cannot be captured, a capture file cannot
be read, the web server cannot listen or the database fails; 2 for a usage or configuration error
(no interface, bad value).`;

/** Runs `start` and returns the exit status. */
export async function runStart(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("start", args, {
    iface: { type: "string", multiple: true },
    pcap: { type: "string", multiple: true },
    sample: { type: "string", multiple: true },
    demo: { type: "boolean" },
    listen: { type: "string" },
    "insecure-http": { type: "boolean" },
    config: { type: "string" },
    ...DATA_DIR_OPTION,
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(START_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `Cannot start: unexpected argument "${positionals[0]}" (see netsentinel start --help)`,
    );
  }
  const configPath = values.config as string | undefined;
  const dataDir = resolveDataDir(values["data-dir"]);
  const config = placeState(await loadConfig(configPath), dataDir);
  const interfaces = ((values.iface ?? []) as string[]).flatMap((value) => value.split(",")).filter(Boolean);
  const files = [...(values.pcap ?? []) as string[], ...(values.sample ?? []) as string[]];
  const modes = [interfaces.length > 0, files.length > 0, Boolean(values.demo)].filter(Boolean);
  if (modes.length > 1) {
    throw new UsageError("Cannot start: give one of --iface, --pcap and --demo");
  }
  const common = {
    configPath,
    dataDir,
    listen: values.listen as string | undefined,
    insecureHttp: values["insecure-http"] ? true : undefined,
    json: Boolean(values.json),
  };
  checkDataDirWritable(dataDir);
  try {
    checkListen(config.web, common.listen, common.insecureHttp);
  } catch (error) {
    if (error instanceof WebServerError) throw new UsageError(error.message);
    throw error;
  }
  if (values.demo) return await startDemo(config, common);
  if (files.length > 0) {
    for (const file of files) {
      const problem = await checkCaptureFile(file);
      if (problem !== undefined) {
        console.error(`netsentinel: ${problem}`);
        return EXIT_INPUT;
      }
    }
    return await runAppliance({ ...common, config, source: { mode: "files", files }, label: "" });
  }
  const live = captureOptions(config, { interfaces });
  if (live.length === 0) {
    const file = configFile(configPath);
    if (file !== undefined) throw new UsageError(noInterfaceMessage(file));
    console.error("netsentinel: DEMO: no interface given and no configuration file: running the demo");
    return await startDemo(config, common);
  }
  return await runAppliance({ ...common, config, source: { mode: "live", live }, label: "" });
}

/** What every mode of `start` is given. */
interface CommonOptions {
  configPath?: string;
  dataDir: string;
  listen?: string;
  insecureHttp?: boolean;
  json: boolean;
}

/** The configuration file in use (`--config`, else `NETSENTINEL_CONFIG`), or undefined. */
function configFile(configPath: string | undefined): string | undefined {
  if (configPath !== undefined) return configPath;
  try {
    return Deno.env.get("NETSENTINEL_CONFIG") || undefined;
  } catch {
    return undefined; // No environment access: no file.
  }
}

function noInterfaceMessage(file: string): string {
  return `Cannot start: no interface to capture in ${file}; add [[capture.interfaces]] name = "eth1" ` +
    "there (or give --iface IF), or try the bundled sample with: netsentinel start --demo";
}

/** `--demo`: the bundled sample replayed into the demo database, marked as such on every line. */
async function startDemo(config: Config, common: CommonOptions): Promise<number> {
  const dataDir = common.dataDir;
  const path = join(dataDir, SAMPLE_NAME);
  if (!(await exists(path))) {
    await Deno.mkdir(dataDir, { recursive: true });
    await writePlantSample(path);
    console.error(`netsentinel: DEMO: generated the sample plant capture ${path}`);
  }
  const demo: Config = {
    ...config,
    storage: { ...config.storage, database_url: "", data_dir: join(dataDir, "demo", "pglite") },
    bus: { ...config.bus, redis_url: "" },
  };
  console.error(
    `netsentinel: DEMO: replaying the sample plant capture ${path} into the demo database ` +
      `${demo.storage.data_dir} (not the configured database); to capture, run: netsentinel start --iface eth1`,
  );
  return await runAppliance({
    ...common,
    config: demo,
    source: { mode: "demo", path },
    env: {},
    label: "DEMO: ",
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
