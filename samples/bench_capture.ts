/**
 * The benchmark capture: millions of frames with the traffic mix of a busy plant/office uplink, written
 * fast (per-flow header templates, no allocation per frame, straight into the pcap writer's buffer).
 *
 * Mix (shares of frames, exact up to sampling noise): 10 % 802.1Q, 5 % QinQ (S-tag 0x88a8 + C-tag),
 * 15 % IPv6; 77 % TCP, 18 % UDP, 3 % ICMP/ICMPv6 echo, 2 % ARP. Sizes 60–1514 bytes, averaging about
 * 610 at 2 M frames (about 580 at 100 k, where more flows are still in their handshake): about 40 % are
 * ACK-sized (≤ 100 bytes) and 27 % near the MTU (≥ 1400). TCP flows (to 443, 80, 8080, 3389, 445) open
 * with SYN/SYN-ACK carrying the MSS option, move data mostly server to client with coherent sequence
 * and acknowledgment numbers, and end with a FIN; UDP flows go to syslog (514), ICMP flows are echo
 * request/reply pairs, ARP flows a request and its reply. A flow starts every 17 frames or so and there
 * is one host per 250 frames: 2 M frames hold about 110 000 distinct flows and 8 000 hosts, each host
 * keeping its MAC, addresses and VLAN. Frames arrive as a Poisson process of 10 000 frames/s, so 2 M
 * frames span about 200 s. Payloads are filler text (TLS application-data records on port 443).
 *
 * Tiny frames: every frame is 60 bytes, captured and original length alike (caplen = len = 60: the
 * minimum Ethernet frame of 64 bytes less its FCS, as a capture without FCS records it). IPv6 and
 * QinQ+TCP headers do not fit in 60 bytes, so tiny captures are IPv4 only and their QinQ flows are UDP;
 * TCP segments carry at most 6 bytes of payload and SYNs no MSS option. The VLAN and QinQ shares stay.
 *
 * @module
 */

import { HostTable } from "./bench/population.ts";
import { FlowEngine } from "./bench/flows.ts";
import { PcapWriter } from "./pcap_writer.ts";
import type { CaptureSummary } from "./plant.ts";
import { DEFAULT_SEED, Rng } from "./rng.ts";

/** Frames of the default benchmark capture. */
export const DEFAULT_BENCH_FRAMES = 2_000_000;
/** Mean frame rate of the capture's timestamps. */
export const BENCH_FRAMES_PER_SECOND = 10_000;
/** Timestamp of the first frame. */
export const BENCH_START_TIME = "2024-06-11T09:00:00.000Z";

/** Options of {@linkcode writeBenchCapture}. */
export interface BenchCaptureOptions {
  /** Number of frames. Default 2 000 000. */
  frames?: number;
  /** Every frame 60 bytes (64 on the wire with FCS). Default false. */
  tinyFrames?: boolean;
  /** Seed; the same seed gives the same bytes. Default `DEFAULT_SEED`. */
  seed?: number;
  /** Nanosecond pcap timestamps. Default false. */
  nanosecond?: boolean;
}

/** What {@linkcode writeBenchCapture} wrote. */
export interface BenchCaptureSummary extends CaptureSummary {
  /** Flows started (some are cut by the end of the capture). */
  flows: number;
  /** Hosts in the population (all of them appear, with overwhelming probability). */
  hosts: number;
  /** Time between the first and last frame, in seconds. */
  durationSeconds: number;
}

/** Number of hosts for a capture of `frames` frames. */
export function benchHostCount(frames: number): number {
  return Math.max(200, Math.ceil(frames / 250));
}

/**
 * Writes the benchmark capture.
 *
 * @param path File to create or overwrite (its folder must exist).
 * @param options Frames, tiny frames, seed, timestamp resolution.
 * @returns Path, frames, bytes, flows, hosts and time span.
 * @throws {RangeError} When `frames` is not a positive integer.
 *
 * @example
 * ```ts
 * import { writeBenchCapture } from "./bench_capture.ts";
 * const path = await Deno.makeTempFile({ suffix: ".pcap" });
 * const summary = await writeBenchCapture(path, { frames: 1000, seed: 1 });
 * if (summary.frames !== 1000) throw new Error("unexpected frame count");
 * await Deno.remove(path);
 * ```
 */
export async function writeBenchCapture(
  path: string,
  options: BenchCaptureOptions = {},
): Promise<BenchCaptureSummary> {
  const { frames = DEFAULT_BENCH_FRAMES, tinyFrames = false, seed = DEFAULT_SEED } = options;
  if (!Number.isSafeInteger(frames) || frames < 1) {
    throw new RangeError(`Cannot write bench capture: frames is ${frames}, must be a positive integer`);
  }
  const rng = new Rng(seed);
  const hosts = new HostTable(benchHostCount(frames));
  const engine = new FlowEngine(rng, hosts, tinyFrames);
  const writer = await PcapWriter.create(path, { nanosecond: options.nanosecond });
  const start = Date.parse(BENCH_START_TIME) * 1000;
  const meanGap = 1e6 / BENCH_FRAMES_PER_SECOND;
  let micros = 0;
  try {
    const out = writer.buffer;
    for (let i = 0; i < frames; i++) {
      const at = writer.reserve(1514);
      const length = engine.next(out, at);
      writer.commitAtMicros(start + micros, length);
      micros += rng.exponential(meanGap);
    }
  } finally {
    writer.close();
  }
  return {
    path,
    frames: writer.frames,
    bytes: writer.bytes,
    flows: engine.flowsStarted,
    hosts: hosts.count,
    durationSeconds: Math.round(micros) / 1e6,
  };
}
