/**
 * `netsentinel status`: the counters of the running appliance, from its status file.
 *
 * @module
 */

import { loadConfig } from "../config/load.ts";
import { DATA_DIR_HELP, DATA_DIR_OPTION, placeState, resolveDataDir } from "./data_dir.ts";
import { parseCommandArgs } from "./parse.ts";
import type { StatusDocument } from "./status_file.ts";
import { formatCaptureStats } from "./status_text.ts";
import { EXIT_INPUT } from "./usage_error.ts";

/** Help text of `status`. */
export const STATUS_HELP = `Usage: netsentinel status [--config FILE] [--data-dir DIR] [--json]

Prints the capture counters of the running appliance (packets received, dropped by the kernel,
by the interface, by the ring between capture and dissection), the dissection counters (malformed,
truncated, errors per dissector, disabled dissectors) and the number of flows: those handed to
the aggregator so far, and those metered since the last flush. The appliance rewrites its status
file (DIR/status.json, or [status] file) every [status] interval_s seconds.

Options:
  --config FILE     configuration file (to find the status file)
${DATA_DIR_HELP}
  --json            print the status document as JSON
  -h, --help        show this help`;

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
  let status: StatusDocument;
  try {
    status = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file: is the appliance running (netsentinel start)?"
      : (error as Error).message;
    console.error(`netsentinel: Cannot read the status file ${path}: ${reason}`);
    return EXIT_INPUT;
  }
  if (values.json) {
    console.log(JSON.stringify(status, null, 2));
    return 0;
  }
  const age = (Date.now() - Date.parse(status.updated_at)) / 1000;
  console.log(
    `NetSentinel (pid ${status.pid}, ${status.mode}) since ${status.started_at}; updated ${
      age.toFixed(0)
    } s ago`,
  );
  if (age > 60) console.log("warning: the status is more than a minute old: the appliance may have stopped");
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
  return 0;
}
