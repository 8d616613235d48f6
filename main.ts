/**
 * NetSentinel command line: one entry point, one subcommand per role.
 *
 * @module
 */

import { ANALYZE_HELP, runAnalyze } from "./cli/analyze.ts";
import { runStart, START_HELP } from "./cli/start.ts";
import { runStatus, STATUS_HELP } from "./cli/status.ts";
import { INTERFACES_HELP, runInterfaces } from "./cli/interfaces.ts";
import { runSample } from "./samples/generate.ts";
import { EXIT_USAGE, UsageError } from "./cli/usage_error.ts";
import { VERSION } from "./version.ts";
import { PluginError } from "./dissectors/plugin_loader.ts";
import { RegistrationError } from "./dissectors/registry.ts";
import { ConfigError } from "./config/load.ts";
import { LiveCaptureError } from "./capture/live/protocol.ts";

const HELP = `NetSentinel ${VERSION}: passive IT/OT network inventory, flow map and supervision.

Usage: netsentinel <command> [options]

Commands:
  start       run the appliance: capture on --iface / configured interfaces (else analyse the sample)
  analyze     inventory of a pcap/pcapng file, or of an interface for a while (--iface)
  status      counters of the running appliance (capture, drops, dissection)
  interfaces  the interfaces that can be captured (name, link type, addresses, up/down)
  interfaces  the interfaces that can be captured (name, link type, addresses, up/down)
  sample      generate the sample plant capture (or the benchmark capture with --bench)
  version     print the version

Run "netsentinel <command> --help" for the options of a command.`;

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; help?: string }> = {
  start: { run: runStart, help: START_HELP },
  status: { run: runStatus, help: STATUS_HELP },
  interfaces: { run: runInterfaces, help: INTERFACES_HELP },
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
    if (error instanceof LiveCaptureError) {
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
