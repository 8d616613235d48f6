import assert from "node:assert/strict";
import { DEFAULT_SEED, Rng } from "./rng.ts";

Deno.test("Rng.nextU32() repeats the same sequence for the same seed", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 100 }, () => a.nextU32());
  const sb = Array.from({ length: 100 }, () => b.nextU32());
  const sc = Array.from({ length: 100 }, () => c.nextU32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  assert.ok(sa.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff));
});

Deno.test("Rng() accepts seed 0 and the default seed", () => {
  const zero = new Rng(0);
  assert.equal(new Set(Array.from({ length: 50 }, () => zero.nextU32())).size, 50);
  assert.equal(new Rng().nextU32(), new Rng(DEFAULT_SEED).nextU32());
});

Deno.test("Rng.int() stays in range and reaches both ends", () => {
  const rng = new Rng(7);
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) {
    const v = rng.int(3, 9);
    assert.ok(v >= 3 && v <= 9);
    seen.add(v);
  }
  assert.equal(seen.size, 7);
});

Deno.test("Rng.next() is roughly uniform, low bits included", () => {
  const rng = new Rng(11);
  const buckets = new Array(10).fill(0);
  let odd = 0;
  for (let i = 0; i < 100_000; i++) {
    buckets[Math.floor(rng.next() * 10)]++;
    odd += rng.nextU32() & 1;
  }
  for (const b of buckets) assert.ok(b > 9_500 && b < 10_500, `bucket ${b}`);
  assert.ok(odd > 49_000 && odd < 51_000, `odd ${odd}`);
});

Deno.test("Rng.exponential() has the requested mean", () => {
  const rng = new Rng(5);
  let sum = 0;
  for (let i = 0; i < 50_000; i++) sum += rng.exponential(100);
  assert.ok(Math.abs(sum / 50_000 - 100) < 3);
});

Deno.test("Rng.fill() and pick() are deterministic", () => {
  const a = new Rng(9).fill(new Uint8Array(13));
  const b = new Rng(9).fill(new Uint8Array(13));
  assert.deepEqual(a, b);
  assert.equal(new Rng(1).pick(["x", "y", "z"]), new Rng(1).pick(["x", "y", "z"]));
});
