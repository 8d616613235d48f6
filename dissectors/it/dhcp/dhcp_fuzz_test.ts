import { ok, strictEqual } from "node:assert/strict";
import { PacketBatch } from "../../../capture/batch.ts";
import { openCaptureFile } from "../../../capture/file_source.ts";
import { PacketFlag } from "../../packet.ts";
import type { DissectionEngine } from "../../engine.ts";
import { Rng } from "../../../samples/rng.ts";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "../../../tests/shared_pcaps.ts";
import { dhcpFrame, engineFor } from "./_test_frames.ts";

/** Offset of the DHCP message in the frames of this file (Ethernet 14 + IPv4 20 + UDP 8). */
const DHCP_AT = 42;

// Hand-built DHCPACK (RFC 2131 section 3.1) with every option the dissector reads, including a
// wire-encoded option 81 (RFC 4702) and option 52 set to 3 with empty file/sname areas (RFC 2132
// section 9.3): see dhcp_test.ts for the byte-by-byte layout of the same options.
const ACK = dhcpFrame({
  srcMac: "020000000002",
  dstMac: "020000000021",
  srcIp: "10.0.0.2",
  dstIp: "10.0.0.101",
  srcPort: 67,
  dstPort: 68,
  op: 2,
  xid: "3903f326",
  yiaddr: "10.0.0.101",
  giaddr: "10.9.0.1",
  chaddr: "020000000021",
  options: `
    35 01 05 36 04 0a000002 33 04 00015180 01 04 ffffff00 03 04 0a000001 06 08 0a000003 0a000004
    0c 05 77732d3031 3c 04 74657374 37 04 01 03 06 0f 3d 07 01 020000000021 38 02 6f6b
    51 0a 05 00 00 05 77732d3031 00 a1 04 68747470 34 01 03
    ff`,
});

/** Every DHCP frame of the shared captures (the real ones), when the folder is present. */
async function realFrames(): Promise<Uint8Array[]> {
  if (SHARED_PCAPS.skip) return [];
  const frames: Uint8Array[] = [];
  for (const name of sharedCaptureFiles().filter((n) => /^dhcp_.*\.pcap$/.test(n))) {
    const source = await openCaptureFile(sharedCapture(name));
    const batch = new PacketBatch(64);
    try {
      while (await source.next(batch)) {
        for (let i = 0; i < batch.count; i++) {
          const at = batch.offset[i];
          frames.push(batch.bytes.slice(at, at + batch.caplen[i]));
        }
      }
    } finally {
      source.close();
    }
  }
  return frames;
}

function assertNoThrow(engine: DissectionEngine, where: string): void {
  strictEqual(
    engine.stats.dissectorErrors.reduce((a, b) => a + b, 0),
    0,
    `${where}: ${engine.stats.problems}`,
  );
  strictEqual(engine.stats.disabledDissectors.length, 0, where);
}

Deno.test("dhcp survives truncation at every byte: counted malformed (or truncated under a snaplen)", async () => {
  for (const frame of [ACK, ...await realFrames()]) {
    // Each frame's DHCP part must end within its captured bytes for the cuts below to matter.
    ok(frame.length >= DHCP_AT + 240);
    const engine = engineFor();
    for (let cut = DHCP_AT + 1; cut < frame.length; cut++) {
      const prefix = frame.subarray(0, cut);
      // Whole frame as captured: malformed (IPv4 total length, then DHCP's own verdict).
      const packet = engine.dissectFrame(prefix);
      ok(packet.flags & PacketFlag.MALFORMED, `cut ${cut}: not flagged`);
      if (cut < DHCP_AT + 240) {
        ok(packet.problemProtocol === "DHCP", `cut ${cut}: ${packet.describeProblem()}`);
      }
      // Cut by a snapshot length: truncated, never malformed, inside the fixed header.
      const snapped = engine.dissectFrame(prefix, { wirelen: frame.length });
      if (cut < DHCP_AT + 240) strictEqual(snapped.flags & PacketFlag.TRUNCATED, PacketFlag.TRUNCATED);
    }
    assertNoThrow(engine, "truncation");
    strictEqual(engine.stats.malformed, frame.length - DHCP_AT - 1);
  }
});

Deno.test("dhcp refuses every option length pointing past the end of the message", () => {
  const engine = engineFor();
  let refused = 0;
  // Walk the options of ACK as the dissector does (code, length, value) and set each length to 255.
  for (let at = DHCP_AT + 240; ACK[at] !== 0xff; at += 2 + ACK[at + 1]) {
    const frame = ACK.slice();
    frame[at + 1] = 0xff;
    const packet = engine.dissectFrame(frame);
    strictEqual(packet.problemProtocol, "DHCP");
    strictEqual(packet.problem, "option runs past the end of its area");
    refused++;
  }
  strictEqual(refused, 14);
  assertNoThrow(engine, "lengths");
  strictEqual(engine.flush().events.length, 0);
});

Deno.test("dhcp survives 10 000 seeded random mutations without a throw", async () => {
  const rng = new Rng(5);
  const bases = [ACK, ...await realFrames()];
  const engine = engineFor();
  for (let round = 0; round < 10_000; round++) {
    const frame = rng.pick(bases).slice();
    const edits = rng.int(1, 8);
    for (let e = 0; e < edits; e++) {
      // Mostly the options area (lengths, codes), sometimes the fixed header (op, hlen, cookie).
      const from = rng.chance(0.7) ? DHCP_AT + 240 : DHCP_AT;
      frame[rng.int(from, frame.length - 1)] = rng.chance(0.3)
        ? rng.pick([0, 1, 0x34, 0x51, 0xff])
        : rng.int(0, 255);
    }
    const length = rng.chance(0.2) ? rng.int(DHCP_AT, frame.length) : frame.length;
    engine.dissectFrame(frame.subarray(0, length), { wirelen: rng.chance(0.5) ? frame.length : length });
    if (round % 1000 === 999) engine.flush();
  }
  assertNoThrow(engine, "mutations");
  ok(engine.stats.malformed > 0);
});
