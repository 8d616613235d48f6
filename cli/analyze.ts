/**
 * `netsentinel analyze FILE`: the inventory of a capture file, as a readable summary, JSON or CSV.
 *
 * @module
 */

import { analyzeCaptureFile } from "../capture/offline_analysis.ts";
import { CaptureFileError } from "../capture/capture_error.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import { formatTextReport } from "./report_text.ts";
import { writeCsvReport } from "./report_csv.ts";
import { ProgressBar } from "./progress.ts";
import { EXIT_INPUT, positiveInteger, UsageError } from "./usage_error.ts";
import { parseCommandArgs } from "./parse.ts";
import { pluginFiles } from "../dissectors/plugin_loader.ts";

/** Help text of `analyze`. */
export const ANALYZE_HELP = `Usage: netsentinel analyze FILE [options]

Reads a pcap or pcapng capture file and prints the inventory it reveals: devices (MAC, IPs,
VLANs, traffic), flows, VLANs, protocol distribution and top talkers.

Options:
  --json            print the full inventory as one JSON document on stdout
  --csv DIR         write one CSV file per table into DIR (devices, device_ips, traffic_flows,
                    vlans, protocols, traffic_metrics, events)
  --no-metrics      leave the per-minute metrics out of --json / --csv (they are the bulk)
  --limit N         rows per section of the summary (default 25)
  --plugins DIR     load the dissector plugins (*.ts) of DIR in addition to the built-ins
  --timing          print on stderr how long reading+dissection+aggregation and the report took
  --progress        always draw the progress bar (default: only when stderr is a terminal)
  --no-progress     never draw it
  -h, --help        show this help

Exit status: 0 when the whole file was analysed; 1 when the file cannot be read, is not a
capture file, or is damaged (everything before the damage is analysed and reported first);
2 for a usage error.`;

/** Runs `analyze` and returns the exit status. */
export async function runAnalyze(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("analyze", args, {
    json: { type: "boolean" },
    csv: { type: "string" },
    "no-metrics": { type: "boolean" },
    limit: { type: "string" },
    plugins: { type: "string" },
    progress: { type: "boolean" },
    timing: { type: "boolean" },
    "no-progress": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(ANALYZE_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "Cannot analyze: no capture file given (usage: netsentinel analyze FILE)"
        : `Cannot analyze: expected one capture file, got ${positionals.length}`,
    );
  }
  if (values.json && values.csv) {
    throw new UsageError("Cannot analyze: --json and --csv cannot be used together");
  }
  const limit = positiveInteger("limit", values.limit as string | undefined, 25);
  const path = positionals[0];
  const progress = new ProgressBar(
    values["no-progress"] ? false : values.progress ? true : Deno.stderr.isTerminal(),
  );
  const pluginFileList = values.plugins ? pluginFiles(values.plugins as string) : [];
  let analysis;
  try {
    analysis = await analyzeCaptureFile(path, {
      pluginFiles: pluginFileList,
      onProgress: (done, total) => progress.update(done, total),
    });
  } catch (error) {
    progress.done();
    if (error instanceof CaptureFileError) {
      console.error(`netsentinel: ${error.message}`);
      return EXIT_INPUT;
    }
    if (error instanceof Deno.errors.NotFound) {
      console.error(`netsentinel: Cannot open capture file "${path}": no such file`);
      return EXIT_INPUT;
    }
    if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.IsADirectory) {
      console.error(`netsentinel: Cannot open capture file "${path}": ${error.message}`);
      return EXIT_INPUT;
    }
    throw error;
  }
  progress.done();
  const source = {
    ...analysis.source,
    analysis_seconds: Math.round(analysis.seconds * 1000) / 1000,
    error: analysis.error?.message ?? null,
  };
  const reportStarted = performance.now();
  // The text summary shows no per-minute metrics: do not derive them.
  const metrics = !values["no-metrics"] && Boolean(values.json || values.csv);
  const doc = buildInventoryDocument(analysis.inventory, { source, metrics });
  if (values.json) {
    await writeStdout(JSON.stringify(doc, null, 2) + "\n");
  } else if (values.csv) {
    const files = await writeCsvReport(doc, values.csv as string);
    console.log(
      `Wrote ${files.length} CSV files to ${values.csv}: ${files.map((f) => f.split("/").pop()).join(", ")}`,
    );
  } else {
    await writeStdout(formatTextReport(doc, { limit }));
  }
  if (values.timing) {
    const packets = doc.summary.packets;
    console.error(
      `netsentinel: analysed ${packets} packets in ${analysis.seconds.toFixed(3)} s ` +
        `(${(packets / analysis.seconds / 1e6).toFixed(2)} Mpps read+decode+aggregate); ` +
        `report in ${((performance.now() - reportStarted) / 1000).toFixed(3)} s`,
    );
  }
  if (analysis.error) {
    console.error(
      `netsentinel: ${analysis.error.message} (the ${doc.summary.packets} packets before it were analysed)`,
    );
    return EXIT_INPUT;
  }
  return 0;
}

async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}
