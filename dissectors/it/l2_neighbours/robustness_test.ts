/**
 * Malformed input: real and built LLDP, CDP and BPDU frames cut at every byte, then 10 000 seeded
 * random mutations. Nothing may throw, nothing may hang, and the damage must be counted.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { DissectionEngine } from "../../engine.ts";
import { openCaptureFile } from "../../../capture/file_source.ts";
import { PacketBatch } from "../../../capture/batch.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { writePlantSample } from "../../../samples/plant.ts";
import { Rng } from "../../../samples/rng.ts";
import {
  bridgeId,
  cdpFrame,
  cdpTlv,
  lldpFrame,
  lldpTlv,
  mac,
  neighbourEngine,
  stpFrame,
} from "./_frames_test_util.ts";

/** Destination MACs of LLDP, STP, CDP/VTP/DTP, PVST+ and Cisco GBPT frames. */
const NEIGHBOUR_GROUPS = new Set([
  "01:80:c2:00:00:0e",
  "01:80:c2:00:00:00",
  "01:00:0c:cc:cc:cc",
  "01:00:0c:cc:cc:cd",
  "01:00:0c:cd:cd:d0",
]);

/** Copies of the frames of a capture sent to a neighbour-protocol group address. */
async function neighbourFrames(path: string): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  const source = await openCaptureFile(path);
  const batch = new PacketBatch(64);
  try {
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        const frame = batch.bytes.slice(batch.offset[i], batch.offset[i] + batch.caplen[i]);
        const dst = [...frame.subarray(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join(":");
        if (NEIGHBOUR_GROUPS.has(dst)) frames.push(frame);
      }
    }
  } finally {
    source.close();
  }
  return frames;
}

/** Frames built here, so the test has material without the shared captures. */
function builtFrames(): Uint8Array[] {
  const src = "02:00:00:00:00:01";
  const rstp = [0, 0, 2, 2, 0x3d, ...bridgeId(4096, 1, src), 0, 0, 0, 19, ...bridgeId(32768, 1, src)];
  return [
    lldpFrame(
      src,
      lldpTlv(1, [4, ...mac(src)]),
      lldpTlv(2, [7, 0x31]),
      lldpTlv(3, [0, 120]),
      lldpTlv(5, "sw"),
      lldpTlv(7, [0, 4, 0, 4]),
      lldpTlv(8, [5, 1, 10, 0, 0, 1, 2, 0, 0, 0, 3, 0]),
      lldpTlv(127, [0x00, 0x80, 0xc2, 0x01, 0x00, 0x0a]),
      lldpTlv(127, [0x00, 0x12, 0xbb, 0x0a, 0x4d]),
      lldpTlv(0, []),
    ),
    cdpFrame(
      src,
      cdpTlv(1, "sw"),
      cdpTlv(2, [0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 10, 0, 0, 1]),
      cdpTlv(3, "Gi0/1"),
      cdpTlv(4, [0, 0, 0, 8]),
      cdpTlv(0x0a, [0, 1]),
    ),
    stpFrame(src, Uint8Array.from([...rstp, 0x80, 0x05, 0, 0, 20, 0, 2, 0, 15, 0, 0])),
  ];
}

let corpus: Uint8Array[] | undefined;

/** Built frames, the plant sample's LLDP and BPDUs, and those of the shared captures when present. */
async function allFrames(): Promise<Uint8Array[]> {
  if (corpus) return corpus;
  const frames = builtFrames();
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await writePlantSample(path);
    const plant = await neighbourFrames(path);
    frames.push(...plant.slice(0, 4), ...plant.slice(-4));
  } finally {
    await Deno.remove(path);
  }
  if (!SHARED_PCAPS.skip) {
    for (
      const name of ["lldp_cdp_cisco.pcap", "stp_mstp_intra_region.pcap", "stp_rpvst_trunk_dtp_vtp.pcap"]
    ) {
      frames.push(...await neighbourFrames(sharedCapture(name)));
    }
    frames.push(
      ...(await neighbourFrames(sharedCapture("enip_cip_io_listidentity_1756enbt.pcap"))).slice(-3),
    );
  }
  corpus = frames;
  return frames;
}

/** Asserts nothing threw, and that LLDP, CDP and STP each found malformed input themselves. */
function assertNoThrow(engine: DissectionEngine): void {
  strictEqual(engine.stats.dissectorErrors.reduce((a, b) => a + b, 0), 0, engine.stats.problems.join("\n"));
  deepStrictEqual(engine.stats.disabledDissectors, []);
  const names = engine.flush().dissectorNames;
  for (const name of ["lldp", "cdp", "stp"]) {
    ok(engine.stats.dissectorMalformed[names.indexOf(name)] > 0, `${name} counted nothing malformed`);
  }
}

Deno.test("l2 neighbours: frames cut at every byte never throw and are counted truncated or malformed", async () => {
  const frames = await allFrames();
  ok(frames.length >= 10);
  const snapped = neighbourEngine();
  const short = neighbourEngine();
  let cuts = 0;
  for (const frame of frames) {
    for (let cut = 0; cut < frame.length; cut++) {
      const part = frame.subarray(0, cut);
      snapped.dissectFrame(part, { wirelen: frame.length }); // the snapshot length cut it
      short.dissectFrame(part); // the frame itself is that short
      cuts++;
    }
  }
  assertNoThrow(short);
  strictEqual(snapped.stats.dissectorErrors.reduce((a, b) => a + b, 0), 0);
  // Cuts at a CDP TLV boundary or after an LLDP TTL TLV leave a valid PDU; every other cut is counted.
  ok(snapped.stats.truncated > cuts * 0.8, `${snapped.stats.truncated} of ${cuts}`);
  ok(short.stats.malformed > cuts * 0.8, `${short.stats.malformed} of ${cuts}`);
  strictEqual(short.stats.truncated, 0);
});

Deno.test("l2 neighbours: 10 000 seeded random mutations never throw and malformed ones are counted", async () => {
  const frames = await allFrames();
  const rng = new Rng(0x5eed);
  const engine = neighbourEngine();
  for (let n = 0; n < 10_000; n++) {
    const frame = frames[rng.int(0, frames.length - 1)].slice();
    const edits = rng.int(1, 6);
    for (let e = 0; e < edits; e++) {
      // Past the MAC addresses, and mostly in the PDU's headers and lengths.
      const at = rng.int(12, Math.min(frame.length - 1, rng.chance(0.7) ? 60 : frame.length - 1));
      frame[at] = rng.chance(0.3) ? (rng.chance(0.5) ? 0xff : 0x00) : rng.int(0, 255);
    }
    const length = rng.chance(0.2) ? rng.int(0, frame.length) : frame.length;
    engine.dissectFrame(frame.subarray(0, length));
    if (n % 1000 === 999) engine.flush();
  }
  assertNoThrow(engine);
  ok(engine.stats.malformed > 1000, `${engine.stats.malformed} malformed`);
});
