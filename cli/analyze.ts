/**
 * `netsentinel analyze FILE | --iface IF`: the inventory of a capture file, or of what an
 * interface hears for a while, as a readable summary, JSON or CSV (the same document either way).
 *
 * @module
 */

import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { loadConfig } from "../config/load.ts";
import { captureFileProblem } from "./capture_file_errors.ts";
import { captureOptions, dissectionOptions } from "./capture_options.ts";
import { runLive } from "./live_run.ts";
import { checkOutputTargets, printInventory } from "./output.ts";
import { parseCommandArgs } from "./parse.ts";
import { ProgressBar } from "./progress.ts";
import { formatCaptureStats } from "./status_text.ts";
import { EXIT_INPUT, positiveInteger, positiveNumber, UsageError } from "./usage_error.ts";

/** Help text of `analyze`. */
export const ANALYZE_HELP = `Usage: netsentinel analyze FILE [options]
       netsentinel analyze --iface IF [--iface IF2…] [--duration S | --count N] [options]

Prints the inventory a capture reveals: devices (MAC, IPs, VLANs, traffic), flows, VLANs,
protocol distribution and top talkers. FILE is a pcap or pcapng file. With --iface, listens to
the interface(s) (a SPAN/TAP port) until --duration seconds, --count packets per interface, or
Ctrl-C, then prints exactly what analysing a file of that traffic prints.

Output:
  --json            print the full inventory as one JSON document on stdout
  --csv DIR         write one CSV file per table into DIR (devices, device_ips, traffic_flows,
                    vlans, protocols, traffic_metrics, events)
  --out FILE        write the summary or the --json document to FILE instead of stdout, all or
                    nothing (a full disk leaves no partial file)
  --force           replace the files of an earlier report (--out FILE, --csv DIR); default: refuse
  --no-metrics      leave the per-minute metrics out of --json / --csv (they are the bulk)
  --limit N         rows per section of the summary (default 25)
  --timing          print on stderr how long reading+dissection+aggregation and the report took
  --progress        always draw the progress bar of a file (default: when stderr is a terminal)
  --no-progress     never draw it

Live capture:
  --iface IF        capture on IF (repeat, or comma-separate, for several interfaces)
  --duration S      stop after S seconds
  --count N         stop after N packets on each interface
  --filter BPF      capture filter (tcpdump syntax), e.g. "not port 22"

Both:
  --config FILE     configuration file (default: $NETSENTINEL_CONFIG, else built-in defaults)
  --plugins DIR     load the dissector plugins (*.ts) of DIR in addition to the built-ins
  --workers N       dissector workers
  -h, --help        show this help

Exit status: 0 when the whole file was analysed (or the capture ended normally); 1 when the
file cannot be read, is not a capture file, or is damaged (everything before the damage is
analysed and reported first), or when the interface cannot be captured; 2 for a usage or
configuration error. When stdout is a pipe whose reader stops early (| head), the output
stops quietly with status 141, as for other tools stopped by SIGPIPE.`;

const FLAGS = {
  json: { type: "boolean" },
  csv: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  "no-metrics": { type: "boolean" },
  limit: { type: "string" },
  plugins: { type: "string" },
  progress: { type: "boolean" },
  timing: { type: "boolean" },
  "no-progress": { type: "boolean" },
  iface: { type: "string", multiple: true },
  duration: { type: "string" },
  count: { type: "string" },
  filter: { type: "string" },
  config: { type: "string" },
  workers: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs `analyze` and returns the exit status. */
export async function runAnalyze(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("analyze", args, FLAGS);
  if (values.help) {
    console.log(ANALYZE_HELP);
    return 0;
  }
  const interfaces = ((values.iface ?? []) as string[]).flatMap((value) => value.split(",")).filter(Boolean);
  if (interfaces.length > 0 && positionals.length > 0) {
    throw new UsageError("Cannot analyze: give either a capture file or --iface, not both");
  }
  if (interfaces.length === 0 && positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "Cannot analyze: no capture file given (usage: netsentinel analyze FILE, or --iface IF)"
        : `Cannot analyze: expected one capture file, got ${positionals.length}`,
    );
  }
  if (values.json && values.csv) {
    throw new UsageError("Cannot analyze: --json and --csv cannot be used together");
  }
  if (values.out !== undefined && values.csv) {
    throw new UsageError(
      "Cannot analyze: --out FILE is for the summary or --json; --csv DIR names its own files",
    );
  }
  if (interfaces.length === 0 && (values.duration || values.count || values.filter !== undefined)) {
    throw new UsageError("Cannot analyze: --duration, --count and --filter apply to --iface only");
  }
  const config = await loadConfig(values.config as string | undefined);
  const output = {
    json: Boolean(values.json),
    csv: values.csv as string | undefined,
    out: values.out as string | undefined,
    force: Boolean(values.force),
    noMetrics: Boolean(values["no-metrics"]),
    limit: positiveInteger("limit", values.limit as string | undefined, 25),
    allowedDhcpServers: config.identify.allowed_dhcp_servers,
  };
  if (values.workers !== undefined) {
    config.dissectors.workers = positiveInteger("workers", values.workers as string, 1);
  }
  if (values.plugins !== undefined) config.dissectors.plugins_dir = values.plugins as string;
  // Refuse to overwrite an earlier report now, not after a long analysis.
  const refused = await checkOutputTargets(output);
  if (refused) {
    console.error(`netsentinel: ${refused}`);
    return EXIT_INPUT;
  }

  if (interfaces.length > 0) {
    const live = captureOptions(config, {
      interfaces,
      filter: values.filter as string | undefined,
      maxPackets: values.count === undefined
        ? undefined
        : positiveInteger("count", values.count as string, 0),
    });
    const duration = values.duration === undefined
      ? undefined
      : positiveNumber("duration", values.duration as string);
    const run = await runLive(config, live, { durationSeconds: duration });
    const { doc, exitStatus } = await printInventory(run.inventory, {
      interfaces: run.stats.map((s) => s.iface),
      capture: run.stats,
      seconds: Math.round(run.seconds * 1000) / 1000,
      ended_by: run.endedBy,
    }, output);
    console.error(formatCaptureStats(run.stats));
    if (values.timing) {
      console.error(`netsentinel: captured ${doc.summary.packets} packets in ${run.seconds.toFixed(3)} s`);
    }
    return exitStatus;
  }

  const path = positionals[0];
  const progress = new ProgressBar(
    values["no-progress"] ? false : values.progress ? true : Deno.stderr.isTerminal(),
  );
  let analysis;
  try {
    analysis = await analyzeCaptureFile(path, {
      ...dissectionOptions(config),
      onProgress: (done, total) => progress.update(done, total),
    });
  } catch (error) {
    progress.done();
    const problem = captureFileProblem(error, path);
    if (problem === undefined) throw error;
    console.error(`netsentinel: ${problem}`);
    return EXIT_INPUT;
  }
  progress.done();
  const reportStarted = performance.now();
  const { doc, exitStatus } = await printInventory(analysis.inventory, {
    ...analysis.source,
    analysis_seconds: Math.round(analysis.seconds * 1000) / 1000,
    error: analysis.error?.message ?? null,
  }, output);
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
  return exitStatus;
}
