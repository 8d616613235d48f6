/**
 * `netsentinel start`: runs the appliance. On the configured or given interfaces it captures until
 * Ctrl-C / SIGTERM, rewrites the status file every few seconds, reloads its configuration on
 * SIGHUP, and prints the inventory when it stops. `--sample FILE` imports a capture file into the
 * database instead; `--demo` analyses the bundled sample plant capture into a demo database of
 * its own, and so does a plain `start` with no interface and no configuration file (the first
 * command a new user runs). With a configuration file that names no interface it refuses: an
 * unedited deployment never fills the real database with the sample.
 *
 * @module
 */

import { join } from "node:path";
import { writePlantSample } from "../samples/plant.ts";
import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { withPersistence } from "../appliance/all_in_one.ts";
import { captureFileProblem, checkCaptureFile } from "./capture_file_errors.ts";
import { captureOptions, dissectionOptions } from "./capture_options.ts";
import {
  checkDataDirWritable,
  DATA_DIR_HELP,
  DATA_DIR_OPTION,
  placeState,
  resolveDataDir,
} from "./data_dir.ts";
import { printInventory } from "./output.ts";
import { parseCommandArgs } from "./parse.ts";
import { startLive } from "./start_live.ts";
import { reportUnstored } from "./unstored.ts";
import { EXIT_INPUT, UsageError } from "./usage_error.ts";

/** Name of the bundled sample capture in the data folder. */
export const SAMPLE_NAME = "sample-plant.pcap";

/** Help text of `start`. */
export const START_HELP = `Usage: netsentinel start [--iface IF…] [--config FILE] [--data-dir DIR] [options]
       netsentinel start --sample FILE | --demo

Runs the appliance: captures on the interfaces given with --iface (repeat or comma-separate) or
listed in the configuration ([[capture.interfaces]]) until Ctrl-C or SIGTERM, commits what it
hears to the database every [aggregator] flush_interval_s, then prints the inventory. While it
runs it rewrites its status file (see netsentinel status), and SIGHUP reloads the configuration
(keys that need a restart are named). With no interface and no configuration file it runs the
demo (--demo); with a configuration file that names no interface it refuses, and says how to
give one.

Options:
  --iface IF        capture on IF (mirror/SPAN/TAP port, or a port of a transparent bridge)
  --config FILE     configuration file (default: $NETSENTINEL_CONFIG, else built-in defaults)
${DATA_DIR_HELP}
  --sample FILE     import this capture file into the database instead of capturing
  --demo            DEMO: analyse the bundled sample plant capture (DIR/${SAMPLE_NAME}, generated
                    on first use) into a demo database of its own, DIR/demo/pglite; never into
                    the configured database (DATABASE_URL and REDIS_URL are not used)
  --json            print the final inventory as JSON
  -h, --help        show this help

Exit status: 0 after a clean stop; 1 when an interface cannot be captured, a capture file cannot
be read or the database fails; 2 for a usage or configuration error (no interface, bad value).`;

/** Runs `start` and returns the exit status. */
export async function runStart(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("start", args, {
    iface: { type: "string", multiple: true },
    config: { type: "string" },
    ...DATA_DIR_OPTION,
    sample: { type: "string" },
    demo: { type: "boolean" },
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
  const json = Boolean(values.json);
  const modes = [interfaces.length > 0, values.sample !== undefined, Boolean(values.demo)].filter(Boolean);
  if (modes.length > 1) {
    throw new UsageError("Cannot start: give one of --iface, --sample and --demo");
  }
  checkDataDirWritable(dataDir);
  if (values.demo) return await startDemo(config, dataDir, json);
  if (values.sample !== undefined) return await importCapture(config, values.sample as string, json);
  const live = captureOptions(config, { interfaces });
  if (live.length === 0) {
    const file = configFile(configPath);
    if (file !== undefined) throw new UsageError(noInterfaceMessage(file));
    console.error("netsentinel: DEMO: no interface given and no configuration file: running the demo");
    return await startDemo(config, dataDir, json);
  }
  return await startLive({ config, configPath, dataDir, live, json });
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

/** `--sample FILE`: the inventory of a capture file, committed to the configured database. */
async function importCapture(config: Config, path: string, json: boolean): Promise<number> {
  const problem = await checkCaptureFile(path);
  if (problem !== undefined) {
    console.error(`netsentinel: ${problem}`);
    return EXIT_INPUT;
  }
  return await analyzeIntoDatabase(config, path, json, { label: "" });
}

/** `--demo`: the bundled sample, into the demo database, marked as such on every line. */
async function startDemo(config: Config, dataDir: string, json: boolean): Promise<number> {
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
    `netsentinel: DEMO: analysing the sample plant capture ${path} into the demo database ` +
      `${demo.storage.data_dir} (not the configured database); to capture, run: netsentinel start --iface eth1`,
  );
  return await analyzeIntoDatabase(demo, path, json, { env: {}, label: "DEMO: " });
}

async function analyzeIntoDatabase(
  config: Config,
  path: string,
  json: boolean,
  options: { env?: Record<string, string>; label: string },
): Promise<number> {
  let persisted;
  try {
    persisted = await withPersistence(
      config,
      (publish) => analyzeCaptureFile(path, { ...dissectionOptions(config), onFlush: publish }),
      options,
    );
  } catch (error) {
    const problem = captureFileProblem(error, path);
    if (problem === undefined) throw error;
    console.error(`netsentinel: ${problem}`);
    return EXIT_INPUT;
  }
  const analysis = persisted.result;
  const printed = await printInventory(
    analysis.inventory,
    { ...analysis.source, error: analysis.error?.message ?? null },
    { json, allowedDhcpServers: config.identify.allowed_dhcp_servers },
  );
  console.error(
    `netsentinel: ${options.label}${persisted.committed.applied} batches committed to ${persisted.location}`,
  );
  const unstored = reportUnstored(persisted);
  if (analysis.error) {
    console.error(`netsentinel: ${analysis.error.message}`);
    return EXIT_INPUT;
  }
  return unstored ?? printed.exitStatus;
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
