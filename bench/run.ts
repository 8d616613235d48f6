/**
 * `deno task bench`: NetSentinel's throughput against softflowd (C flow accounting) and tshark, on
 * captures made by the project's own generator, all measured in the same run on this machine.
 *
 * For each capture (mixed sizes, and 64-byte frames) it times:
 * - `netsentinel analyze FILE --timing` as a user runs it (a fresh process: JIT warm-up included),
 *   reporting both the read+decode+aggregate rate and the whole command's wall time;
 * - `softflowd -r FILE -n 127.0.0.1:9995 -d -6 -m 200000 -c none` (NetFlow export to loopback);
 * - `tshark -r CUT -T fields -e frame.len` on the first 200 000 frames (tshark is too slow for more);
 * - the TypeScript capture reader against libpcap's `pcap_open_offline` through FFI (read only);
 * then the OT case (`ot.ts`: every industrial dissector on the OT captures repeated to 1 M frames),
 * live capture (`live.ts`: tcpreplay into the capture worker; `live_trafgen.ts`: trafgen at 1.49 Mpps
 * into the whole live sensor, when netsniff-ng is installed), persistence (`persistence.ts`), the
 * web API over HTTP (`web.ts`) and the topology endpoint (`topology.ts`).
 *
 * Options: `--frames N` (default 2 000 000), `--rounds N` (default 3, the median counts),
 * `--regenerate` (rewrite the captures), `--out DIR` (default bench/out), `--before DIR` (another
 * checkout whose persistence is measured in the same run, for a before/after figure).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchCapture } from "../samples/bench_capture.ts";
import { compareReaders } from "./readers.ts";
import { benchLive, type LiveBenchResult } from "./live.ts";
import { benchTrafgen, type TrafgenResult, trafgenTable, whyNoTrafgen } from "./live_trafgen.ts";
import { persistenceCase, type PersistenceCaseRow, persistenceCaseTable } from "./persistence.ts";
import { NETNS } from "../tests/netns.ts";
import { benchOt } from "./ot.ts";
import { benchWeb, type WebBenchResult, webBenchTable } from "./web.ts";
import { benchTopology, topologyReport } from "./topology.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSHARK_FRAMES = 200_000;

interface Measure {
  capture: string;
  frames: number;
  netsentinelEnginePps: number;
  netsentinelWallPps: number;
  softflowdPps: number | null;
  tsharkPps: number | null;
  tsReaderPps: number;
  libpcapReaderPps: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(
  command: string,
  args: string[],
): Promise<{ seconds: number; stderr: string; ok: boolean }> {
  const started = performance.now();
  const output = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).output();
  return {
    seconds: (performance.now() - started) / 1000,
    stderr: new TextDecoder().decode(output.stderr),
    ok: output.success,
  };
}

async function have(command: string): Promise<boolean> {
  try {
    await new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

async function measureNetSentinel(path: string, frames: number, rounds: number): Promise<[number, number]> {
  const engine: number[] = [];
  const wall: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const run = await timed(Deno.execPath(), [
      "run",
      "-A",
      "--unstable-worker-options",
      join(ROOT, "main.ts"),
      "analyze",
      path,
      "--timing",
    ]);
    if (!run.ok) throw new Error(`Cannot benchmark netsentinel analyze: ${run.stderr}`);
    const seconds = Number(/packets in ([\d.]+) s/.exec(run.stderr)?.[1]);
    engine.push(frames / seconds);
    wall.push(frames / run.seconds);
  }
  return [median(engine), median(wall)];
}

async function measureSoftflowd(path: string, frames: number, rounds: number): Promise<number | null> {
  if (!(await have("softflowd"))) return null;
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const run = await timed("softflowd", [
      "-r",
      path,
      "-n",
      "127.0.0.1:9995",
      "-d",
      "-6",
      "-m",
      "200000",
      "-c",
      "none",
    ]);
    if (!run.ok) throw new Error(`Cannot benchmark softflowd: ${run.stderr}`);
    rates.push(frames / run.seconds);
  }
  return median(rates);
}

async function measureTshark(path: string, out: string): Promise<number | null> {
  if (!(await have("tshark")) || !(await have("editcap"))) return null;
  const cut = join(out, "tshark-cut.pcap");
  const edit = await timed("editcap", ["-r", path, cut, `1-${TSHARK_FRAMES}`]);
  if (!edit.ok) throw new Error(`Cannot cut the capture for tshark: ${edit.stderr}`);
  const run = await timed("tshark", ["-r", cut, "-n", "-T", "fields", "-e", "frame.len"]);
  if (!run.ok) throw new Error(`Cannot benchmark tshark: ${run.stderr}`);
  await Deno.remove(cut);
  return TSHARK_FRAMES / run.seconds;
}

async function ensureCapture(path: string, frames: number, tinyFrames: boolean, regenerate: boolean) {
  try {
    if (!regenerate && Deno.statSync(path).size > 0) return;
  } catch { /* missing: generate */ }
  const summary = await writeBenchCapture(path, { frames, tinyFrames });
  console.error(
    `bench: generated ${path}: ${summary.frames} frames, ${(summary.bytes / 1e6).toFixed(0)} MB, ` +
      `${summary.flows} flows started, ${summary.hosts} hosts`,
  );
}

function mpps(value: number | null): string {
  return value === null ? "n/a" : (value / 1e6).toFixed(2);
}

function ratio(a: number, b: number | null): string {
  return b === null ? "n/a" : `${(a / b).toFixed(1)}×`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      frames: { type: "string", default: "2000000" },
      rounds: { type: "string", default: "3" },
      regenerate: { type: "boolean", default: false },
      out: { type: "string", default: join(ROOT, "bench", "out") },
      before: { type: "string" },
    },
  });
  const frames = Number(values.frames);
  const rounds = Number(values.rounds);
  if (!Number.isSafeInteger(frames) || frames < TSHARK_FRAMES) {
    throw new RangeError(
      `Cannot run the benchmark: --frames must be an integer of at least ${TSHARK_FRAMES}`,
    );
  }
  await Deno.mkdir(values.out, { recursive: true });
  const results: Measure[] = [];
  for (const [name, tiny] of [["mixed sizes (avg ≈ 600 B)", false], ["64-byte frames", true]] as const) {
    const path = join(values.out, tiny ? "bench-tiny.pcap" : "bench-mixed.pcap");
    await ensureCapture(path, frames, tiny, values.regenerate);
    console.error(`bench: ${name}…`);
    const [enginePps, wallPps] = await measureNetSentinel(path, frames, rounds);
    const readers = await compareReaders(path, { rounds });
    results.push({
      capture: name,
      frames,
      netsentinelEnginePps: enginePps,
      netsentinelWallPps: wallPps,
      softflowdPps: await measureSoftflowd(path, frames, rounds),
      tsharkPps: await measureTshark(path, values.out),
      tsReaderPps: readers.tsPps,
      libpcapReaderPps: readers.libpcapPps,
    });
  }
  const lines = [
    `| capture | NetSentinel read+decode+aggregate | NetSentinel whole command | softflowd | tshark -T fields | vs softflowd | vs tshark | TS reader | libpcap reader |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...results.map((r) =>
      `| ${r.capture} | ${mpps(r.netsentinelEnginePps)} Mpps | ${mpps(r.netsentinelWallPps)} Mpps | ` +
      `${mpps(r.softflowdPps)} Mpps | ${mpps(r.tsharkPps)} Mpps | ${
        ratio(r.netsentinelEnginePps, r.softflowdPps)
      } | ` +
      `${ratio(r.netsentinelEnginePps, r.tsharkPps)} | ${mpps(r.tsReaderPps)} Mpps | ${
        mpps(r.libpcapReaderPps)
      } Mpps |`
    ),
  ];
  console.log(lines.join("\n"));
  const ot = await benchOt(values.out);
  const live = await measureLive(values.out);
  const trafgen = await measureTrafgen();
  const persistence = await measurePersistence(values.before, rounds);
  const web: WebBenchResult[] = [];
  for (const driver of ["postgres", "pglite"] as const) {
    console.error(`bench: web on ${driver}…`);
    web.push(await benchWeb(driver));
  }
  console.log(`\n${webBenchTable(web)}`);
  console.error("bench: topology on postgres…");
  const topology = await benchTopology({ url: Deno.env.get("DATABASE_URL") || undefined });
  console.log(`\n${topologyReport(topology)}`);
  await Deno.writeTextFile(
    join(values.out, "results.json"),
    JSON.stringify({ date: new Date(), results, ot, live, trafgen, persistence, web, topology }, null, 2),
  );
}

/** Persistence case: 60 s flushes of a 1.49 Mpps sensor with 50 000 active flows and 5 000 devices. */
async function measurePersistence(before: string | undefined, runs: number): Promise<PersistenceCaseRow[]> {
  const rows = await persistenceCase({ before, runs, log: (line) => console.error(line) });
  console.log(`\n${persistenceCaseTable(rows)}`);
  return rows;
}

/** Live case: tcpreplay at top speed across a veth pair, the capture worker on the other end. */
async function measureLive(out: string): Promise<LiveBenchResult[]> {
  if (NETNS.missing) {
    console.log(`\nlive capture: skipped (${NETNS.missing})`);
    return [];
  }
  const results: LiveBenchResult[] = [];
  for (const name of ["bench-mixed.pcap", "bench-tiny.pcap"]) {
    console.error(`bench: live capture of ${name}…`);
    results.push(await benchLive(join(out, name)));
  }
  console.log(
    "\n| live capture (tcpreplay --topspeed over veth) | sent | sent rate | received | kernel drops | interface drops | ring drops | received rate |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of results) {
    console.log(
      `| ${r.capture} | ${r.sent} | ${
        mpps(r.sentPps)
      } Mpps | ${r.stats.received} | ${r.stats.kernelDropped} | ` +
        `${r.stats.interfaceDropped} | ${r.stats.ringDropped} | ${mpps(r.receivedPps)} Mpps |`,
    );
  }
  return results;
}

/** Live case at line rate: trafgen at 1.49 Mpps for 60 s, the whole live sensor on the other end. */
async function measureTrafgen(): Promise<TrafgenResult[]> {
  const missing = whyNoTrafgen();
  if (missing !== undefined) {
    console.log(`\nlive sensor at line rate: skipped (${missing})`);
    return [];
  }
  console.error("bench: live sensor at 1.49 Mpps with trafgen (2 × 60 s)…");
  const results = await benchTrafgen();
  console.log(`\n${trafgenTable(results)}`);
  return results;
}

if (import.meta.main) await main();
