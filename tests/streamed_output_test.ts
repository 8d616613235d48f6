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
import { writeFloodCapture } from "./_flood_capture.ts";

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
      await writeFloodCapture(capture, { frames: FRAMES, ports: PORTS });
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
