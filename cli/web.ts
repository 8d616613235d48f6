/**
 * `netsentinel web`: the web server alone, over the database the configuration names (PostgreSQL
 * with `DATABASE_URL`, else the embedded one): a separate web process reads what the appliance
 * stored, through `storage/read/`. Runs until SIGINT or SIGTERM.
 *
 * Not wired into main.ts yet (the lead wires `web` and `start` together); run it as
 * `deno run -A cli/web.ts [options]`.
 *
 * @module
 */

import { parseCommandArgs } from "./parse.ts";
import { EXIT_INPUT, EXIT_USAGE, UsageError } from "./usage_error.ts";
import { ConfigError, loadConfig } from "../config/load.ts";
import { connectDatabase } from "../appliance/connections.ts";
import { migrate } from "../storage/migrate.ts";
import { StorageError } from "../storage/errors.ts";
import { startWebServer, WebServerError } from "../web/server.ts";

/** Help text of `web`. */
export const WEB_HELP = `Usage: netsentinel web [--listen ADDR:PORT] [--insecure-http] [--config FILE]

Serves the web API (/api/v1) over the stored inventory until SIGINT or SIGTERM. The database is
DATABASE_URL, else the embedded database ([storage] data_dir, default data/pglite; stop the
appliance first, or share a PostgreSQL server). On a database without users, an admin is created
and its one-time password printed once on stderr.

Options:
  --listen ADDR:PORT  where to listen (default [web] listen, 127.0.0.1:8080)
  --insecure-http     allow plain HTTP on a non-loopback address (warned)
  --config FILE       configuration file (default NETSENTINEL_CONFIG)
  -h, --help          show this help`;

/** Runs the web server until a signal; returns the exit status. */
export async function runWeb(
  args: string[],
  signals: Deno.Signal[] = ["SIGINT", "SIGTERM"],
): Promise<number> {
  const { values } = parseCommandArgs("web", args, {
    listen: { type: "string" },
    "insecure-http": { type: "boolean" },
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(WEB_HELP);
    return 0;
  }
  const config = await loadConfig(values.config as string | undefined);
  const db = await connectDatabase(config);
  try {
    await migrate(db);
    const server = await startWebServer({
      config: config.web,
      db,
      listen: values.listen as string | undefined,
      insecureHttp: values["insecure-http"] ? true : undefined,
    });
    console.error(`netsentinel: web API at ${server.url}/api/v1 (database ${db.driver} ${db.location})`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        for (const signal of signals) Deno.removeSignalListener(signal, stop);
        resolve();
      };
      for (const signal of signals) Deno.addSignalListener(signal, stop);
    });
    await server.shutdown();
    return 0;
  } finally {
    await db.close();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await runWeb(Deno.args));
  } catch (error) {
    const known = error instanceof UsageError || error instanceof ConfigError ||
      error instanceof StorageError ||
      error instanceof WebServerError;
    if (!known) throw error;
    console.error(`netsentinel: ${(error as Error).message}`);
    Deno.exit(error instanceof UsageError ? EXIT_USAGE : EXIT_INPUT);
  }
}
