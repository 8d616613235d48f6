/**
 * The subcommands of `netsentinel`, each loaded only when it runs (a dynamic import), so that a
 * role pulls in only the modules it uses: `status` loads neither the Redis client nor PGlite.
 *
 * @module
 */

import { VERSION } from "../model/version.ts";

/** Runs a command with its arguments and resolves to its exit status. */
export type CommandRunner = (args: string[]) => Promise<number>;

/** One subcommand. */
export interface CommandEntry {
  /** One line for the list of `netsentinel --help`. */
  summary: string;
  /** Runs until stopped: warns when SIGUSR1 cannot be ignored (see inspector_signal.ts). */
  longRunning?: boolean;
  /** Imports the command's module and returns its runner. */
  load: () => Promise<CommandRunner>;
}

/** Every subcommand, in the order of `netsentinel --help`. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  start: {
    summary: "run the appliance and its web UI: capture on --iface, import --pcap, else the demo",
    longRunning: true,
    load: async () => (await import("./start.ts")).runStart,
  },
  web: {
    summary: "the web UI and API alone, over the stored database (DATABASE_URL, else the embedded one)",
    longRunning: true,
    load: async () => (await import("./web.ts")).runWeb,
  },
  analyze: {
    summary: "inventory of a pcap/pcapng file, or of an interface for a while (--iface)",
    longRunning: true,
    load: async () => (await import("./analyze.ts")).runAnalyze,
  },
  status: {
    summary: "counters of the running appliance (capture, drops, dissection, flows)",
    load: async () => (await import("./status.ts")).runStatus,
  },
  interfaces: {
    summary: "the interfaces that can be captured (name, link type, addresses, up/down)",
    load: async () => (await import("./interfaces.ts")).runInterfaces,
  },
  sensor: {
    summary: "capture and publish observations to Redis (multi-sensor deployments)",
    longRunning: true,
    load: async () => (await import("./sensor.ts")).runSensor,
  },
  aggregator: {
    summary: "commit the sensors' observations from Redis to the database",
    longRunning: true,
    load: async () => (await import("./aggregator.ts")).runAggregator,
  },
  migrate: {
    summary: "apply the database migrations (DATABASE_URL, else the embedded database)",
    load: async () => {
      const { runMigrate } = await import("./migrate.ts");
      return (args) => runMigrate(args);
    },
  },
  export: {
    summary: "encrypted daily export to object storage in the allowed region (--now, or --dir PATH)",
    longRunning: true,
    load: async () => (await import("./export.ts")).runExportCommand,
  },
  sample: {
    summary: "generate the sample plant capture (or the benchmark capture with --bench)",
    load: async () => (await import("../samples/generate.ts")).runSample,
  },
  install: {
    summary: "install the appliance as systemd services (run as root, from the repository)",
    load: async () => (await import("./install.ts")).runInstall,
  },
  version: {
    summary: "print the version",
    load: () => Promise.resolve(runVersion),
  },
};

/** Help text of `netsentinel version`. */
export const VERSION_HELP = `Usage: netsentinel version

Prints the version of NetSentinel and of the Deno runtime it runs on.`;

function runVersion(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(VERSION_HELP);
    return Promise.resolve(0);
  }
  console.log(`netsentinel ${VERSION} (Deno ${Deno.version.deno})`);
  return Promise.resolve(0);
}

/** The text of `netsentinel --help`: each command once, with its summary. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}${entry.summary}`);
  return `NetSentinel ${VERSION}: passive IT/OT network inventory, flow map and supervision.

Usage: netsentinel <command> [options]

Commands:
${lines.join("\n")}

Run "netsentinel <command> --help" for the options of a command.`;
}
