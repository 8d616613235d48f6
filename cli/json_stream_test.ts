import { strictEqual } from "node:assert/strict";
import { writeJson } from "./json_stream.ts";
import { type ByteTarget, TextSink } from "./text_sink.ts";
import { Rng } from "../samples/rng.ts";

/** A target that keeps what it is given, in writes of at most `limit` bytes (short writes). */
class Collector implements ByteTarget {
  readonly chunks: Uint8Array[] = [];
  writes = 0;
  constructor(readonly limit = Infinity) {}
  write(bytes: Uint8Array): Promise<number> {
    const n = Math.min(bytes.length, this.limit);
    this.chunks.push(bytes.slice(0, n));
    this.writes++;
    return Promise.resolve(n);
  }
  text(): string {
    const all = new Uint8Array(this.chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return new TextDecoder().decode(all);
  }
}

async function streamed(value: unknown, limit?: number): Promise<string> {
  const target = new Collector(limit);
  const sink = new TextSink(target);
  await writeJson(sink, value);
  await sink.flush();
  return target.text();
}

/** A random JSON-like value, with what JSON.stringify drops or rewrites (undefined, functions, NaN). */
function randomValue(rng: Rng, depth: number): unknown {
  const kind = depth > 3 ? rng.int(0, 5) : rng.int(0, 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.int(0, 1) === 1;
    case 2:
      return rng.int(0, 2) === 0 ? NaN : rng.int(-1e6, 1e6) / 7;
    case 3:
      return ["", "a\nb", 'quo"te', "é\u2028\u0000", "\\", "\ud800"][rng.int(0, 5)];
    case 4:
      return undefined;
    case 5:
      return () => 1;
    case 6:
    case 7: {
      const length = rng.int(0, 1) === 0 ? rng.int(0, 3) : rng.int(30, 80);
      return Array.from({ length }, () => randomValue(rng, depth + 1));
    }
    default: {
      const entries = rng.int(0, 1) === 0 ? rng.int(0, 3) : rng.int(30, 50);
      return Object.fromEntries(
        Array.from(
          { length: entries },
          (_, i) => [`k${i}${i % 7 === 0 ? '"\n' : ""}`, randomValue(rng, depth + 1)],
        ),
      );
    }
  }
}

Deno.test("writeJson() writes exactly JSON.stringify(value, null, 2), in pieces", async () => {
  const rng = new Rng(2026);
  for (let i = 0; i < 100; i++) {
    const value = { root: randomValue(rng, 0), list: randomValue(rng, 1), date: new Date(i * 1e9) };
    strictEqual(await streamed(value, i % 2 === 0 ? 7 : undefined), JSON.stringify(value, null, 2));
  }
  for (const value of [[], {}, null, 5, "x", [undefined], { a: undefined }, Array(100).fill({})]) {
    strictEqual(await streamed(value), JSON.stringify(value, null, 2));
  }
});

Deno.test("writeJson() writes a document larger than the biggest string V8 can hold", async () => {
  // 2^29 - 24 characters is V8's string limit: 600 000 rows of ≈ 1 000 characters are beyond it.
  const row = { id: 0, payload: "x".repeat(1000) };
  let bytes = 0;
  const target: ByteTarget = {
    write: (chunk) => {
      bytes += chunk.length;
      return Promise.resolve(chunk.length);
    },
  };
  const sink = new TextSink(target);
  await writeJson(sink, { flows: Array.from({ length: 600_000 }, () => row) });
  await sink.flush();
  const perRow = JSON.stringify(row, null, 2).replaceAll("\n", "\n    ").length + "    ,\n".length;
  strictEqual(bytes, '{\n  "flows": [\n'.length + 600_000 * perRow - 1 + "  ]\n}".length);
});
