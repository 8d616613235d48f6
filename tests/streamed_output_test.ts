/**
 * `analyze --json` writes the inventory as it goes: a capture of 3 000 000 frames, each a flow of its
 * own, gives a 1.4 GB document that no JavaScript string could hold (V8 stops at 2^29 characters;
 * `JSON.stringify` of the whole document used to fail at ≈ 370 000 flows and lose everything).
 * capinfos (Wireshark's) is the oracle of the packet and byte totals; the flows are distinct by
 * construction (200 source addresses × 15 000 source ports). The document is checked by scanning it
 * line by line, never by loading it.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./run_cli.ts";
import { Requirement } from "./requirements.ts";

const FRAMES = 3_000_000;
const FRAME_BYTES = 60;
const PORTS = 15_000;

async function capinfosMissing(): Promise<string | undefined> {
  try {
    const { code } = await new Deno.Command("capinfos", { args: ["-h"], stdout: "null", stderr: "null" })
      .output();
    return code === 0 ? undefined : `capinfos -h exited with ${code}`;
  } catch {
    return "capinfos (Wireshark's, Debian package wireshark-common) is not installed";
  }
}

const CAPINFOS = new Requirement("capinfos", await capinfosMissing());

/** Writes a pcap file where frame i is UDP from 10.0.(i / 15000) port 50000 + i % 15000 to 192.168.0.1:9999. */
async function writeFloodCapture(path: string): Promise<void> {
  const record = 16 + FRAME_BYTES;
  const perChunk = 65536;
  const chunk = new Uint8Array(record * perChunk);
  const view = new DataView(chunk.buffer);
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    const header = new DataView(new ArrayBuffer(24));
    header.setUint32(0, 0xa1b2c3d4, true);
    header.setUint16(4, 2, true);
    header.setUint16(6, 4, true);
    header.setUint32(16, 65535, true);
    header.setUint32(20, 1, true);
    await file.write(new Uint8Array(header.buffer));
    for (let first = 0; first < FRAMES; first += perChunk) {
      const count = Math.min(perChunk, FRAMES - first);
      chunk.fill(0);
      for (let k = 0; k < count; k++) {
        const i = first + k;
        const at = k * record;
        view.setUint32(at, 1_700_000_000 + Math.floor(i / 100_000), true);
        view.setUint32(at + 4, (i % 100_000) * 10, true);
        view.setUint32(at + 8, FRAME_BYTES, true);
        view.setUint32(at + 12, FRAME_BYTES, true);
        const frame = at + 16;
        chunk.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00], frame);
        const ip = frame + 14;
        chunk.set([0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17], ip);
        view.setUint32(ip + 12, 0x0a000000 + Math.floor(i / PORTS), false);
        view.setUint32(ip + 16, 0xc0a80001, false);
        let sum = 0;
        for (let j = 0; j < 20; j += 2) sum += view.getUint16(ip + j, false);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
        view.setUint16(ip + 10, ~sum & 0xffff, false);
        view.setUint16(ip + 20, 50_000 + (i % PORTS), false);
        view.setUint16(ip + 22, 9999, false);
        view.setUint16(ip + 24, 26, false);
      }
      const bytes = chunk.subarray(0, count * record);
      for (let written = 0; written < bytes.length;) written += await file.write(bytes.subarray(written));
    }
  } finally {
    file.close();
  }
}

/** The lines of a text file, read a chunk at a time. */
async function* linesOf(path: string): AsyncGenerator<string> {
  const file = await Deno.open(path);
  let rest = "";
  for await (const text of file.readable.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + text).split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== "") yield rest;
}

/** Per top-level key of the document, how many objects its array holds; and the summary's lines. */
async function scanDocument(path: string) {
  const objects: Record<string, number> = {};
  const summary: Record<string, string> = {};
  let key = "";
  let lines = 0;
  let last = "";
  for await (const line of linesOf(path)) {
    lines++;
    last = line;
    const top = /^ {2}"(\w+)": /.exec(line);
    if (top) key = top[1];
    else if (line === "    {") objects[key] = (objects[key] ?? 0) + 1;
    else if (key === "summary") {
      const field = /^ {4}"(\w+)": (.*?),?$/.exec(line);
      if (field) summary[field[1]] = field[2];
    }
  }
  return { objects, summary, lines, last };
}

Deno.test({
  name: `analyze --json streams an inventory of 3 000 000 flows${CAPINFOS.note}`,
  ignore: CAPINFOS.skip,
  async fn() {
    CAPINFOS.check();
    const dir = await Deno.makeTempDir({ prefix: "netsentinel-stream-" });
    try {
      const capture = join(dir, "flood.pcap");
      const out = join(dir, "inventory.json");
      await writeFloodCapture(capture);
      const capinfos = await new Deno.Command("capinfos", { args: ["-c", "-d", "-M", "-T", "-r", capture] })
        .output();
      const [packets, bytes] = new TextDecoder().decode(capinfos.stdout).trim().split("\t").slice(1).map(
        Number,
      );
      deepStrictEqual([packets, bytes], [FRAMES, FRAMES * FRAME_BYTES]);

      const run = await runCli(["analyze", capture, "--json", "--no-metrics", "--no-progress", "--out", out]);
      strictEqual(run.code, 0, run.stderr);
      const doc = await scanDocument(out);
      strictEqual(doc.last, "}");
      strictEqual(doc.summary.packets, String(packets));
      strictEqual(doc.summary.bytes, String(bytes));
      strictEqual(doc.summary.flows, String(FRAMES));
      strictEqual(doc.summary.malformed, "0");
      strictEqual(doc.objects.flows, FRAMES);
      strictEqual(doc.objects.devices, 2);
      ok(doc.lines > 20 * FRAMES, `${doc.lines} lines`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
