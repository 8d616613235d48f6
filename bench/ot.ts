/**
 * OT case of `deno task bench`: throughput with every industrial dissector enabled (the built-in
 * OT dissectors plus the Omron FINS drop-in plugin of `plugins/example/`), on a capture built at run
 * time by repeating the OT captures of `../shared/pcaps/` to at least a million frames (written
 * under `bench/out/`, never into the repository). Frames keep their bytes; timestamps advance
 * 10 µs per frame so flows, buckets and events age as in a real minute-long capture.
 *
 * Measured: the engine alone on one core (in this process, warm, no workers: the issue's "≥ 1 Mpps
 * on one core"), `netsentinel analyze FILE --plugins plugins/example --timing` as a user runs it
 * (sandboxed worker, fresh process), and tshark on the first 200 000 frames with its OT dissectors.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openCaptureFile } from "../capture/file_source.ts";
import { PacketBatch } from "../capture/batch.ts";
import { PcapWriter } from "../samples/pcap_writer.ts";
import { SHARED_PCAPS, sharedCapture } from "../tests/shared_pcaps.ts";
import { DissectionEngine } from "../dissectors/engine.ts";
import { DissectorRegistry } from "../dissectors/registry.ts";
import { BUILTIN_DISSECTORS } from "../dissectors/builtin.ts";
import { OT_DISSECTORS } from "../dissectors/ot/mod.ts";
import type { Dissector } from "../dissectors/api.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The OT captures repeated (Ethernet only). */
export const OT_CAPTURES: readonly string[] = [
  "modbus_tcp_test_data_part1.pcap",
  "dnp3_tcp_test_data_part1.pcap",
  "s7comm_reading_plc_status.pcap",
  "s7comm_step7_s300_read_diag.pcap",
  "s7commplus_s7-1200_upload_ob1.pcap",
  "enip_cip_io_listidentity_1756enbt.pcap",
  "enip_cip_controllogix_change_date.pcap",
  "bacnet_stack_services_ip_and_ethernet.pcap",
  "iec104_diverse.pcap",
  "profinet_dcp_identify.pcap",
  "profinet_dcp_set_ip.pcap",
  "opcua_tcp12001_method_call.pcap",
  "goose_vlan_tagged.pcap",
  "mms_iec61850_client_session.pcap",
  "omron_fins_udp.pcapng",
  "mqtt_connect_pubsub.pcap",
];

/** What the OT case measured. */
export interface OtBenchResult {
  frames: number;
  /** Engine alone, one core, warm: median of the warm rounds (packets per second). */
  engineOneCorePps: number;
  /** Engine alone: best warm round. */
  engineBestPps: number;
  /** `analyze --timing`: read+decode+aggregate through the sandboxed worker. */
  analyzePps: number;
  /** `analyze` whole command (fresh process, report included). */
  analyzeWallPps: number;
  /** tshark -T fields with its OT dissectors, first 200 000 frames. */
  tsharkPps: number | null;
  /** Events and identities of the whole capture (what the OT dissectors reported). */
  events: number;
  identities: number;
}

/** Frames of the OT captures, in order, and the index of the capture each comes from. */
async function otFrames(): Promise<{ frames: Uint8Array[]; captures: number[] }> {
  const frames: Uint8Array[] = [];
  const captures: number[] = [];
  const batch = new PacketBatch(1024);
  for (const [index, name] of OT_CAPTURES.entries()) {
    const source = await openCaptureFile(sharedCapture(name));
    try {
      while (await source.next(batch)) {
        for (let i = 0; i < batch.count; i++) {
          if (batch.linkType[i] === 1) {
            frames.push(batch.bytes.slice(batch.offset[i], batch.offset[i] + batch.caplen[i]));
            captures.push(index);
          }
        }
      }
    } finally {
      source.close();
    }
  }
  return { frames, captures };
}

/** Offset of the TCP header of each frame (-1: not TCP), as the engine decodes it. */
function tcpOffsets(frames: readonly Uint8Array[]): Int32Array {
  const engine = new DissectionEngine(new DissectorRegistry(BUILTIN_DISSECTORS));
  const offsets = new Int32Array(frames.length).fill(-1);
  frames.forEach((frame, i) => {
    const packet = engine.dissectFrame(frame);
    if (packet.ipProto === 6 && packet.l4Offset >= 0 && packet.l4Offset + 16 <= frame.length) {
      offsets[i] = packet.l4Offset;
    }
  });
  return offsets;
}

/**
 * Writes the repeated OT capture; returns its frame count. Each repetition of each capture moves
 * the TCP sequence and acknowledgment numbers on (by a multiple of 0x01000193, modulo 2^32): the
 * same bytes again would be retransmissions, which the engine rightly does not decode twice (the
 * two EtherNet/IP captures also share 267 segments of one connection, which tshark flags too).
 */
export async function writeOtBenchCapture(path: string, frames: number): Promise<number> {
  const { frames: cycle, captures } = await otFrames();
  const tcpAt = tcpOffsets(cycle);
  const writer = await PcapWriter.create(path);
  let written = 0;
  try {
    for (let repetition = 0; written < frames; repetition++) {
      cycle.forEach((original, i) => {
        const shift = Math.imul(repetition * OT_CAPTURES.length + captures[i], 0x01000193) >>> 0;
        let frame = original;
        const at = tcpAt[i];
        if (at >= 0 && shift !== 0) {
          frame = original.slice();
          const view = new DataView(frame.buffer);
          view.setUint32(at + 4, (view.getUint32(at + 4) + shift) >>> 0);
          // Only meaningful with ACK set (RFC 9293 §3.1); moved either way, as the peer's numbers were.
          view.setUint32(at + 8, (view.getUint32(at + 8) + shift) >>> 0);
        }
        const micros = written * 10;
        writer.write(1_700_000_000 + Math.floor(micros / 1e6), micros % 1e6, frame);
        written++;
      });
    }
  } finally {
    writer.close();
  }
  return written;
}

async function finsPlugin(): Promise<Dissector> {
  const module = await import("../plugins/example/omron_fins.ts");
  return module.dissector as Dissector;
}

/** Rounds of the engine alone: one to warm up, then the median of the others is reported. */
const ENGINE_ROUNDS = 6;

/**
 * The engine alone on one core: the capture read into memory once, then dissected
 * {@linkcode ENGINE_ROUNDS} times by a fresh engine each (median and best of the warm rounds).
 */
async function engineOneCore(
  path: string,
  frames: number,
): Promise<{ pps: number; best: number; events: number; identities: number }> {
  const batches: PacketBatch[] = [];
  const source = await openCaptureFile(path);
  const read = new PacketBatch(1024);
  try {
    // The reader reuses its buffer: each batch's frames are copied out, packed from offset 0.
    while (await source.next(read)) {
      const batch = new PacketBatch(1024);
      let length = 0;
      for (let i = 0; i < read.count; i++) length += read.caplen[i];
      batch.bytes = new Uint8Array(length);
      let at = 0;
      for (let i = 0; i < read.count; i++) {
        batch.bytes.set(read.bytes.subarray(read.offset[i], read.offset[i] + read.caplen[i]), at);
        batch.offset[i] = at;
        batch.caplen[i] = read.caplen[i];
        batch.wirelen[i] = read.wirelen[i];
        batch.tsSec[i] = read.tsSec[i];
        batch.tsNsec[i] = read.tsNsec[i];
        batch.linkType[i] = read.linkType[i];
        batch.ifIndex[i] = read.ifIndex[i];
        at += read.caplen[i];
      }
      batch.count = read.count;
      batches.push(batch);
    }
  } finally {
    source.close();
  }
  const dissectors = [...BUILTIN_DISSECTORS, await finsPlugin()];
  const rates: number[] = [];
  let events = 0;
  let identities = 0;
  for (let round = 0; round < ENGINE_ROUNDS; round++) {
    const engine = new DissectionEngine(new DissectorRegistry(dissectors));
    const started = performance.now();
    for (const batch of batches) engine.process(batch);
    const record = engine.flush();
    const seconds = (performance.now() - started) / 1000;
    // The first round compiles and warms the code up: only the later ones are kept.
    if (round > 0) rates.push(frames / seconds);
    events = record.events.length;
    identities = record.identities.length;
  }
  rates.sort((a, b) => a - b);
  return { pps: rates[rates.length >> 1], best: rates[rates.length - 1], events, identities };
}

async function analyze(path: string, frames: number): Promise<[number, number]> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-worker-options",
      join(ROOT, "main.ts"),
      "analyze",
      path,
      "--plugins",
      join(ROOT, "plugins", "example"),
      "--timing",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`Cannot benchmark analyze on the OT capture: ${stderr}`);
  const seconds = Number(/packets in ([\d.]+) s/.exec(stderr)?.[1]);
  return [frames / seconds, frames / ((performance.now() - started) / 1000)];
}

async function tshark(path: string, out: string): Promise<number | null> {
  const cut = join(out, "ot-tshark-cut.pcap");
  try {
    const edit = await new Deno.Command("editcap", { args: ["-r", path, cut, "1-200000"] }).output();
    if (!edit.success) return null;
    const started = performance.now();
    const run = await new Deno.Command("tshark", {
      args: ["-r", cut, "-n", "-d", "tcp.port==12001,opcua", "-T", "fields", "-e", "frame.protocols"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!run.success) return null;
    return 200_000 / ((performance.now() - started) / 1000);
  } catch {
    return null;
  } finally {
    await Deno.remove(cut).catch(() => {});
  }
}

/** Runs the OT case; null (with the reason printed) when the shared captures are absent. */
export async function benchOt(out: string, frames = 1_000_000): Promise<OtBenchResult | null> {
  if (SHARED_PCAPS.missing) {
    console.log(`\nOT dissectors: skipped (${SHARED_PCAPS.missing})`);
    return null;
  }
  const path = join(out, "bench-ot.pcap");
  const written = await writeOtBenchCapture(path, frames);
  console.error(`bench: OT capture ${path}: ${written} frames from ${OT_CAPTURES.length} captures`);
  const engine = await engineOneCore(path, written);
  const [analyzePps, analyzeWallPps] = await analyze(path, written);
  const result: OtBenchResult = {
    frames: written,
    engineOneCorePps: engine.pps,
    engineBestPps: engine.best,
    analyzePps,
    analyzeWallPps,
    tsharkPps: await tshark(path, out),
    events: engine.events,
    identities: engine.identities,
  };
  const m = (pps: number | null) => (pps === null ? "n/a" : `${(pps / 1e6).toFixed(2)} Mpps`);
  console.log(
    `\n| OT capture (${OT_DISSECTORS.length} OT dissectors + FINS plugin) | frames | engine, one core (median, best) | analyze read+decode+aggregate | analyze whole command | tshark -T fields | vs tshark |`,
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  console.log(
    `| ${OT_CAPTURES.length} OT captures repeated | ${written} | ${m(result.engineOneCorePps)}, ${
      m(result.engineBestPps)
    } | ${m(result.analyzePps)} | ${m(result.analyzeWallPps)} | ${m(result.tsharkPps)} | ${
      result.tsharkPps ? `${(result.engineOneCorePps / result.tsharkPps).toFixed(0)}×` : "n/a"
    } |`,
  );
  await Deno.remove(path);
  return result;
}

if (import.meta.main) {
  const out = join(ROOT, "bench", "out");
  await Deno.mkdir(out, { recursive: true });
  const frames = Number(Deno.args[0] ?? 1_000_000);
  await benchOt(out, frames);
}
