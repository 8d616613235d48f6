/**
 * NetSentinel command line: one entry point, one subcommand per role.
 *
 * @module
 */

import { ANALYZE_HELP, runAnalyze } from "./cli/analyze.ts";
import { runStart, START_HELP } from "./cli/start.ts";
import { runStatus, STATUS_HELP } from "./cli/status.ts";
import { INTERFACES_HELP, runInterfaces } from "./cli/interfaces.ts";
import { MIGRATE_HELP, runMigrate } from "./cli/migrate.ts";
import { runSensor, SENSOR_HELP } from "./cli/sensor.ts";
import { AGGREGATOR_HELP, runAggregator } from "./cli/aggregator.ts";
import { runSample } from "./samples/generate.ts";
import { EXIT_USAGE, UsageError } from "./cli/usage_error.ts";
import { VERSION } from "./model/version.ts";
import { PluginError } from "./dissectors/plugin_loader.ts";
import { RegistrationError } from "./dissectors/registry.ts";
import { ConfigError } from "./config/load.ts";
import { LiveCaptureError } from "./capture/live/protocol.ts";
import { StorageError } from "./storage/errors.ts";
import { RedisUrlError } from "./bus/redis_url.ts";

const HELP = `NetSentinel ${VERSION}: passive IT/OT network inventory, flow map and supervision.

Usage: netsentinel <command> [options]

Commands:
  start       run the appliance: capture on --iface / configured interfaces (else analyse the sample)
  analyze     inventory of a pcap/pcapng file, or of an interface for a while (--iface)
  status      counters of the running appliance (capture, drops, dissection)
  interfaces  the interfaces that can be captured (name, link type, addresses, up/down)
  sensor      capture and publish observations to Redis (multi-sensor deployments)
  aggregator  commit the sensors' observations from Redis to the database
  migrate     apply the database migrations (DATABASE_URL, else PGlite)
  interfaces  the interfaces that can be captured (name, link type, addresses, up/down)
  sensor      capture and publish observations to Redis (multi-sensor deployments)
  aggregator  commit the sensors' observations from Redis to the database
  migrate     apply the database migrations (DATABASE_URL, else PGlite)
  sample      generate the sample plant capture (or the benchmark capture with --bench)
  version     print the version

Run "netsentinel <command> --help" for the options of a command.`;

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; help?: string }> = {
  start: { run: runStart, help: START_HELP },
  status: { run: runStatus, help: STATUS_HELP },
  interfaces: { run: runInterfaces, help: INTERFACES_HELP },
  sensor: { run: runSensor, help: SENSOR_HELP },
  aggregator: { run: runAggregator, help: AGGREGATOR_HELP },
  migrate: { run: (args) => runMigrate(args), help: MIGRATE_HELP },
  analyze: { run: runAnalyze, help: ANALYZE_HELP },
  sample: { run: runSample },
  version: {
    run: () => {
      console.log(`netsentinel ${VERSION} (Deno ${Deno.version.deno})`);
      return Promise.resolve(0);
    },
  },
};

/** Runs the CLI and returns its exit status. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    console.log(HELP);
    return command === undefined ? EXIT_USAGE : 0;
  }
  if (command === "--version") return COMMANDS.version.run([]);
  const entry = COMMANDS[command];
  if (!entry) {
    console.error(
      `netsentinel: Cannot run "${command}": unknown command (commands: ${Object.keys(COMMANDS).join(", ")})`,
    );
    return EXIT_USAGE;
  }
  try {
    return await entry.run(rest);
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof PluginError || error instanceof RegistrationError ||
      error instanceof ConfigError
    ) {
      console.error(`netsentinel: ${error.message}`);
      return EXIT_USAGE;
    }
    if (
      error instanceof LiveCaptureError || error instanceof StorageError || error instanceof RedisUrlError
    ) {
      console.error(`netsentinel: ${error.message}`);
      return 1;
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      console.error(`netsentinel: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
