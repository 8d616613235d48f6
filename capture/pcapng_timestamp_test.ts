import assert from "node:assert/strict";
import { PacketBatch } from "./batch.ts";
import { TimestampScale } from "./pcapng_timestamp.ts";

/** Reference conversion with BigInt: whole seconds and truncated nanoseconds. */
function reference(stamp: bigint, tsresol: number, offset: bigint): [number, number] {
  const exp = BigInt(tsresol & 0x7f);
  const units = tsresol & 0x80 ? 1n << exp : 10n ** exp;
  const sec = stamp / units + offset;
  const nsec = ((stamp % units) * 1_000_000_000n) / units;
  return [Number(sec), Number(nsec)];
}

/** A deterministic pseudo-random 64-bit generator (xorshift64*), so failures are reproducible. */
function* stamps(count: number): Generator<bigint> {
  const edges = [0n, 1n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n];
  yield* edges;
  yield* [1714578900123456533n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n];
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < count; i++) {
    x ^= x >> 12n;
    x ^= (x << 25n) & 0xffffffffffffffffn;
    x ^= x >> 27n;
    const value = (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
    yield i % 2 === 0 ? value : value >> BigInt(i % 64); // all magnitudes
  }
}

function convert(scale: TimestampScale, stamp: bigint): [number, number] {
  const batch = new PacketBatch(1);
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, Number(stamp >> 32n), false);
  view.setUint32(4, Number(stamp & 0xffffffffn), false);
  scale.write(batch, 0, view, 0, false);
  return [batch.tsSec[0], batch.tsNsec[0]];
}

Deno.test("TimestampScale.write() converts 64-bit stamps exactly at every supported resolution", async (t) => {
  const resolutions = [
    ...Array.from({ length: 20 }, (_, k) => k), // 10^0 … 10^-19
    ...Array.from({ length: 64 }, (_, k) => 0x80 | k), // 2^0 … 2^-63
  ];
  for (const tsresol of resolutions) {
    const label = tsresol & 0x80 ? `2^-${tsresol & 0x7f}` : `10^-${tsresol}`;
    await t.step(label, () => {
      for (const offset of [0n, -3600n, 1000n]) {
        const scale = new TimestampScale(tsresol, Number(offset));
        for (const stamp of stamps(300)) {
          const want = reference(stamp, tsresol, offset);
          const [rawSec] = reference(stamp, tsresol, 0n);
          if (!Number.isSafeInteger(rawSec)) continue; // beyond 2^53 seconds: not representable anyway
          assert.deepEqual(convert(scale, stamp), want, `stamp ${stamp}, offset ${offset}`);
        }
      }
    });
  }
});

Deno.test("TimestampScale.write() keeps nanosecond stamps beyond 2^53 exact", () => {
  // 2^53 ns is about 104 days after 1970: every real nanosecond stamp is above it.
  const cases: [bigint, number, number][] = [
    [1714578900123456533n, 1714578900, 123456533],
    [1714578900999999999n, 1714578900, 999999999],
    [1714578901000000001n, 1714578901, 1],
    [18446744073709551615n, 18446744073, 709551615],
  ];
  const scale = new TimestampScale(9);
  for (const [stamp, sec, nsec] of cases) assert.deepEqual(convert(scale, stamp), [sec, nsec]);
  // A double would round 1714578900123456533 to ...512 or ...768: the difference must show.
  assert.notEqual(Number(1714578900123456533n) % 1e9, 123456533);
});

Deno.test("TimestampScale.check() refuses resolutions that cannot count one second", () => {
  const cases: [number, string][] = [
    [6, ""],
    [19, ""],
    [20, "if_tsresol 10^-20, finer than supported"],
    [0x80 | 63, ""],
    [0x80 | 64, "if_tsresol 2^-64, finer than supported"],
  ];
  for (const [tsresol, want] of cases) assert.equal(TimestampScale.check(tsresol), want);
});
