/**
 * `netsentinel status`: the counters of the running appliance, from its status file.
 *
 * @module
 */

import { loadConfig } from "../config/load.ts";
import { DATA_DIR_HELP, DATA_DIR_OPTION, placeState, resolveDataDir } from "./data_dir.ts";
import { parseCommandArgs } from "./parse.ts";
import { parseStatusDocument, type ReadStatusDocument } from "./status_file.ts";
import { formatCaptureStats } from "./status_text.ts";
import { EXIT_INPUT } from "./usage_error.ts";

/** Help text of `status`. */
export const STATUS_HELP = `Usage: netsentinel status [--config FILE] [--data-dir DIR] [--json]

Prints the capture counters of the running appliance (packets received, dropped by the kernel,
by the interface, by the ring between capture and dissection), the dissection counters (malformed,
truncated, errors per dissector, disabled dissectors), the number of flows (those handed to the
aggregator so far, and those metered since the last flush), and whether the observations are being
stored. The appliance rewrites its status file (DIR/status.json, or [status] file) every [status]
interval_s seconds.

Options:
  --config FILE     configuration file (to find the status file)
${DATA_DIR_HELP}
  --json            print the status document as JSON
  -h, --help        show this help

Exit status: 0 the appliance runs and stores its observations; 1 the status file cannot be read
or is not a NetSentinel status file; 3 the appliance stopped, or its status was not rewritten
for 3 intervals (it is not running, or stuck); 4 it runs but cannot store its observations.`;

/** Exit status: the appliance is not running (stopped, or its status is stale), as LSB's `status`. */
export const EXIT_NOT_RUNNING = 3;
/** Exit status: the appliance runs but its observations are not being stored. */
export const EXIT_NOT_STORING = 4;

/** Seconds a status may be old before the appliance is deemed not running: 3 rewrites, at least 15 s. */
function staleAfterSeconds(intervalS: number): number {
  return Math.max(3 * intervalS, 15);
}

/** "42 s", "12 min", "3.5 h", "2.0 days". */
function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

/** The one-line verdict on stderr and the exit status. */
function verdict(status: ReadStatusDocument, path: string, configIntervalS: number): [string, number] | null {
  const age = (Date.now() - Date.parse(status.updated_at)) / 1000;
  const interval = status.interval_s ?? configIntervalS;
  if (status.mode === "stopped") {
    return [
      `the appliance (pid ${status.pid}) stopped at ${status.updated_at} (${
        formatAge(age)
      } ago): it is not running`,
      EXIT_NOT_RUNNING,
    ];
  }
  if (age > staleAfterSeconds(interval)) {
    return [
      `the status in ${path} was last rewritten ${formatAge(age)} ago (${status.updated_at}), ` +
      `expected every ${interval} s: the appliance (pid ${status.pid}) is not running, or is stuck`,
      EXIT_NOT_RUNNING,
    ];
  }
  const storage = status.storage;
  if (storage && storage.state !== "storing") {
    const since = storage.failing_since
      ? ` for ${formatAge((Date.now() - Date.parse(storage.failing_since)) / 1000)}`
      : "";
    return [
      `NOT STORING observations in ${storage.location}${since}: ${storage.error}; ` +
      `${storage.held_batches} batches (${storage.held_mb.toFixed(1)} MiB) held in memory; ` +
      (storage.state === "gave-up"
        ? "the appliance gave up and is stopping"
        : `the capture stops after ${formatAge(storage.hold_max_s)} or ${storage.hold_max_mb} MiB`),
      EXIT_NOT_STORING,
    ];
  }
  return null;
}

/** Runs `status` and returns the exit status. */
export async function runStatus(args: string[]): Promise<number> {
  const { values } = parseCommandArgs("status", args, {
    config: { type: "string" },
    ...DATA_DIR_OPTION,
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(STATUS_HELP);
    return 0;
  }
  const config = placeState(
    await loadConfig(values.config as string | undefined),
    resolveDataDir(values["data-dir"]),
  );
  const path = config.status.file;
  let status: ReadStatusDocument | string;
  try {
    status = parseStatusDocument(await Deno.readTextFile(path));
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file: is the appliance running (netsentinel start)?"
      : (error as Error).message;
    console.error(`netsentinel: Cannot read the status file ${path}: ${reason}`);
    return EXIT_INPUT;
  }
  if (typeof status === "string") {
    console.error(
      `netsentinel: Cannot read the status file ${path}: it is not a NetSentinel status file (${status})`,
    );
    return EXIT_INPUT;
  }
  if (values.json) {
    console.log(JSON.stringify(status, null, 2));
  } else {
    printStatus(status);
  }
  const problem = verdict(status, path, config.status.interval_s);
  if (problem === null) return 0;
  console.error(`netsentinel: ${problem[0]}`);
  return problem[1];
}

function printStatus(status: ReadStatusDocument): void {
  const age = (Date.now() - Date.parse(status.updated_at)) / 1000;
  console.log(
    `NetSentinel (pid ${status.pid}, ${status.mode}) since ${status.started_at}; updated ${
      formatAge(age)
    } ago`,
  );
  console.log(formatCaptureStats(status.capture));
  console.log(
    status.flows_since_flush === undefined
      ? `flows: ${status.flows}`
      : `flows: ${status.flows_since_flush} in the current flush interval, ${status.flows} flushed since the start`,
  );
  for (const [sensor, counters] of Object.entries(status.engine)) {
    console.log(
      `${sensor}: ${counters.packets} packets, ${counters.malformed} malformed, ${counters.truncated} truncated` +
        (Object.keys(counters.dissector_errors).length
          ? `, errors ${JSON.stringify(counters.dissector_errors)}`
          : "") +
        (counters.disabled_dissectors.length
          ? `, DISABLED: ${counters.disabled_dissectors.map((d) => `${d.name} (${d.reason})`).join("; ")}`
          : ""),
    );
  }
  if (status.storage) {
    const storage = status.storage;
    console.log(
      `storage: ${storage.location}: ${storage.state}` +
        (storage.held_batches ? `, ${storage.held_batches} batches held in memory` : ""),
    );
  }
}
