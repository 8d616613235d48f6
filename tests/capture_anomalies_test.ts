/**
 * Two writer anomalies through the whole `analyze` command, with tshark as the oracle:
 *
 * - a frame longer than the file's snapshot length: Wireshark reads it whole, and so do we, with a
 *   warning line counting such frames (it used to stop the reading);
 * - a pcapng time stamp outside what a date can hold (0xffffffff:ffffffff in microseconds, a
 *   negative `if_tsoffset`): one precise line naming the offset and the value, exit 1, never a
 *   stack trace (it used to crash the report with `RangeError: Invalid time value`).
 *
 * @module
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { runCli } from "./run_cli.ts";
import { TSHARK, tsharkFields } from "./tshark_fields.ts";

/** An ARP request (60 bytes on the wire) padded to `length` bytes. */
function arpFrame(length: number): Uint8Array {
  const frame = new Uint8Array(length);
  frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06]);
  frame.set([0, 1, 8, 0, 6, 4, 0, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 192, 168, 0, 1], 14);
  frame.set([0, 0, 0, 0, 0, 0, 192, 168, 0, 2], 32);
  return frame;
}

/** A little-endian pcap file with the given snapshot length, one frame per second. */
function pcapFile(snaplen: number, frames: Uint8Array[]): Uint8Array {
  const size = 24 + frames.reduce((sum, frame) => sum + 16 + frame.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, snaplen, true);
  view.setUint32(20, 1, true);
  let at = 24;
  frames.forEach((frame, i) => {
    view.setUint32(at, 1_700_000_000 + i, true);
    view.setUint32(at + 8, frame.length, true);
    view.setUint32(at + 12, frame.length, true);
    bytes.set(frame, at + 16);
    at += 16 + frame.length;
  });
  return bytes;
}

/** A pcapng block of `type` around `body` (little-endian, padded). */
function block(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const bytes = new Uint8Array(12 + padded);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, bytes.length, true);
  bytes.set(body, 8);
  view.setUint32(bytes.length - 4, bytes.length, true);
  return bytes;
}

/** A pcapng file: one interface (microseconds, optional `if_tsoffset`), one EPB per stamp. */
function pcapngFile(stamps: bigint[], tsoffset?: bigint): Uint8Array {
  const shb = new Uint8Array(16);
  new DataView(shb.buffer).setUint32(0, 0x1a2b3c4d, true);
  new DataView(shb.buffer).setUint16(4, 1, true);
  new DataView(shb.buffer).setBigInt64(8, -1n, true);
  const idb = new Uint8Array(tsoffset === undefined ? 8 : 24);
  const idbView = new DataView(idb.buffer);
  idbView.setUint16(0, 1, true);
  if (tsoffset !== undefined) {
    idbView.setUint16(8, 14, true); // if_tsoffset
    idbView.setUint16(10, 8, true);
    idbView.setBigInt64(12, tsoffset, true);
  }
  const frame = arpFrame(60);
  const packets = stamps.map((stamp) => {
    const body = new Uint8Array(20 + frame.length);
    const view = new DataView(body.buffer);
    view.setUint32(4, Number(stamp >> 32n), true);
    view.setUint32(8, Number(stamp & 0xffffffffn), true);
    view.setUint32(12, frame.length, true);
    view.setUint32(16, frame.length, true);
    body.set(frame, 20);
    return block(6, body);
  });
  const parts = [block(0x0a0d0d0a, shb), block(1, idb), ...packets];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function withCapture<T>(
  bytes: Uint8Array,
  suffix: string,
  body: (path: string) => Promise<T>,
): Promise<T> {
  const path = await Deno.makeTempFile({ suffix });
  try {
    await Deno.writeFile(path, bytes);
    return await body(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test({
  name: `analyze reads frames longer than the snapshot length as tshark does, and warns${TSHARK.note}`,
  ignore: TSHARK.skip,
  fn: async () => {
    TSHARK.check();
    const frames = [arpFrame(60), arpFrame(100), arpFrame(60), arpFrame(1500)];
    await withCapture(pcapFile(64, frames), ".pcap", async (path) => {
      const oracle = await tsharkFields(path, ["frame.len"]);
      deepStrictEqual(oracle.map((row) => Number(row[0])), [60, 100, 60, 1500]);
      const run = await runCli(["analyze", path, "--json"]);
      strictEqual(run.code, 0, run.stderr);
      const doc = JSON.parse(run.stdout);
      strictEqual(doc.summary.packets, oracle.length);
      strictEqual(doc.summary.bytes, 60 + 100 + 60 + 1500);
      strictEqual(doc.source.frames_over_snaplen, 2);
      const text = await runCli(["analyze", path]);
      strictEqual(text.code, 0, text.stderr);
      match(text.stdout, /WARNING: 2 frames longer than the file's snapshot length \(read whole/);
    });
  },
});

Deno.test("analyze refuses a pcapng time stamp a date cannot hold with one line naming offset and value", async (t) => {
  const cases: [string, bigint[], bigint | undefined, RegExp][] = [
    [
      "after 9999 (microseconds, all ones)",
      [1_700_000_000_000_000n, 0xffffffffffffffffn],
      undefined,
      /at offset 140: enhanced packet block has time stamp 0xffffffff:ffffffff, 18446744073709 s after 1970 .*outside the representable range \(the 1 packets before it were analysed\)/,
    ],
    [
      "before 1970 (negative if_tsoffset)",
      [5_000_000n],
      -100n,
      /at offset 64: enhanced packet block has time stamp 0x00000000:004c4b40, -95 s after 1970 .*outside the representable range/,
    ],
  ];
  for (const [name, stamps, tsoffset, expected] of cases) {
    await t.step(name, async () => {
      await withCapture(pcapngFile(stamps, tsoffset), ".pcapng", async (path) => {
        for (const format of [[], ["--json"]]) {
          const run = await runCli(["analyze", path, ...format]);
          strictEqual(run.code, 1, run.stderr);
          match(run.stderr, expected);
          ok(!/\bat .*\.ts:\d+/.test(run.stderr), `a stack trace: ${run.stderr}`);
          ok(!/RangeError|Uncaught/.test(run.stderr), run.stderr);
        }
      });
    });
  }
});
