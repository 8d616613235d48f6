import { deepStrictEqual, match, strictEqual, throws } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { BatchDecodeError, CODEC_VERSION, decodeBatch, encodeBatch } from "./codec.ts";
import { syntheticRecord, testBatch } from "./_testing.ts";
import type { SensorBatch } from "../model/sensor_batch.ts";

function assertSameBatch(actual: SensorBatch, expected: SensorBatch): void {
  deepStrictEqual(actual, expected);
}

Deno.test("encodeBatch() and decodeBatch() round-trip records of every size", async (t) => {
  for (const flows of [0, 1, 7, 5_000]) {
    await t.step(`${flows} flows`, () => {
      const batch: SensorBatch = {
        sensor: "site-a/eth1",
        boot: crypto.randomUUID(),
        seq: flows,
        record: syntheticRecord(flows, flows),
      };
      assertSameBatch(decodeBatch(encodeBatch(batch)), batch);
    });
  }
});

Deno.test("decodeBatch() keeps numbers JSON cannot carry (engine times before any packet)", () => {
  const batch = testBatch("s", 0, 0);
  batch.record.stats.firstUs = Infinity;
  batch.record.stats.lastUs = -Infinity;
  batch.record.events.push({
    type: "x.y",
    severity: "info",
    kind: "event",
    source: "x",
    mac: null,
    ip: null,
    src_mac: null,
    dst_mac: null,
    src_ip: null,
    dst_ip: null,
    vlan_id: null,
    fields: { ratio: NaN, text: "Infinity", nested: "$number" },
    first_seen_us: 1,
    last_seen_us: 2,
    count: 1,
  });
  const decoded = decodeBatch(encodeBatch(batch));
  strictEqual(decoded.record.stats.firstUs, Infinity);
  strictEqual(decoded.record.stats.lastUs, -Infinity);
  deepStrictEqual(decoded.record.events[0].fields, { ratio: NaN, text: "Infinity", nested: "$number" });
});

Deno.test("decodeBatch() reads a payload inside a larger, unaligned Buffer (as node-redis returns it)", () => {
  const batch = testBatch("s", 3, 100);
  const bytes = encodeBatch(batch);
  const pool = Buffer.alloc(bytes.length + 13, 0xee);
  pool.set(bytes, 5);
  const decoded = decodeBatch(pool.subarray(5, 5 + bytes.length));
  assertSameBatch(decoded, batch);
  pool.fill(0); // the decoded arrays are copies
  assertSameBatch(decoded, batch);
});

Deno.test("encodeBatch() compresses on request; decodeBatch() reads both forms", () => {
  const batch = testBatch("s", 9, 2_000);
  const plain = encodeBatch(batch);
  const compressed = encodeBatch(batch, { compress: true });
  strictEqual(compressed[5], 1);
  strictEqual(compressed.length < plain.length, true);
  assertSameBatch(decodeBatch(compressed), batch);
  const empty = testBatch("s", 0, 0);
  assertSameBatch(decodeBatch(encodeBatch(empty, { compress: true })), empty);
});

Deno.test("decodeBatch() refuses a damaged compressed body", () => {
  const bytes = encodeBatch(testBatch("s", 1, 50), { compress: true });
  const prefix = 12 + 4 * 15 + 4;
  const damaged = bytes.slice();
  for (let i = prefix; i < damaged.length; i++) damaged[i] ^= 0x5a;
  throws(() => decodeBatch(damaged), (error: Error) => {
    strictEqual(error instanceof BatchDecodeError, true);
    match(error.message, /^Cannot decode observation batch: the compressed body (is damaged: |inflates to )/);
    return true;
  });
});

Deno.test("decodeBatch() refuses a payload cut at any byte, never decoding it wrongly", () => {
  const plain = encodeBatch(testBatch("sensor-1", 42, 20));
  const compressed = encodeBatch(testBatch("sensor-1", 42, 20), { compress: true });
  for (const bytes of [plain, compressed]) {
    for (let length = 0; length < bytes.length; length++) {
      throws(
        () => decodeBatch(bytes.subarray(0, length)),
        (error: Error) =>
          error instanceof BatchDecodeError &&
          /^Cannot decode observation batch: truncated: /.test(error.message),
        `cut at ${length}`,
      );
    }
  }
});

Deno.test("decodeBatch() names what is wrong", async (t) => {
  const good = encodeBatch(testBatch("sensor-1", 1, 2));
  const edited = (edit: (bytes: Uint8Array, view: DataView) => void, extra = 0) => {
    const bytes = new Uint8Array(good.length + extra);
    bytes.set(good);
    edit(bytes, new DataView(bytes.buffer));
    return bytes;
  };
  const cases: [string, Uint8Array, string][] = [
    [
      "not a batch",
      new TextEncoder().encode('{"json": true}'),
      `not an observation batch (starts with 0x7b226a73, expected "NSOB")`,
    ],
    [
      "another version",
      edited((b) => b[4] = CODEC_VERSION + 1),
      `version ${CODEC_VERSION + 1} is not supported (this build reads version 1)`,
    ],
    ["unknown flags", edited((b) => b[5] = 4), "flags are 0x4, expected 0 or 1 in version 1"],
    [
      "section count",
      edited((_, v) => v.setUint16(6, 14, true)),
      "14 array sections, expected 15 in version 1",
    ],
    ["trailing bytes", edited(() => {}, 3), `3 bytes after the end announced by the prefix (${good.length})`],
    [
      "sections that do not match the flow count",
      edited((_, v) => {
        v.setUint32(12 + 4, v.getUint32(12 + 4, true) - 8, true); // flows.firstUs one row short,
        v.setUint32(12 + 8, v.getUint32(12 + 8, true) + 8, true); // flows.lastUs one row long
      }),
      "section flows.firstUs is 8 bytes, expected 16 for 2 flows",
    ],
  ];
  for (const [name, bytes, message] of cases) {
    await t.step(name, () => {
      throws(() => decodeBatch(bytes), (error: Error) => {
        strictEqual(error instanceof BatchDecodeError, true);
        strictEqual(error.message, `Cannot decode observation batch: ${message}`);
        return true;
      });
    });
  }
});

Deno.test("decodeBatch() checks section sizes against the counts of the header", () => {
  const batch = testBatch("s", 0, 4);
  batch.record.flows.app = new Int16Array(3); // one flow short
  throws(
    () => decodeBatch(encodeBatch(batch)),
    {
      name: "BatchDecodeError",
      message: "Cannot decode observation batch: section flows.app is 6 bytes, expected 8 for 4 flows",
    },
  );
  const buckets = testBatch("s", 0, 1);
  buckets.record.buckets = new Float64Array(5);
  throws(
    () => decodeBatch(encodeBatch(buckets)),
    {
      message:
        "Cannot decode observation batch: section buckets is 40 bytes, expected a whole number of 72-byte rows",
    },
  );
});

Deno.test("decodeBatch() checks the header's identity numbers", () => {
  for (
    const [edit, message] of [
      [(b: SensorBatch) => b.sensor = "", `sensor is "", expected a non-empty string`],
      [(b: SensorBatch) => b.seq = -1, "seq is -1, expected a whole number ≥ 0"],
      [(b: SensorBatch) => b.seq = 1.5, "seq is 1.5, expected a whole number ≥ 0"],
    ] as const
  ) {
    const batch = testBatch("s", 0, 1);
    edit(batch);
    throws(() => decodeBatch(encodeBatch(batch)), { message: `Cannot decode observation batch: ${message}` });
  }
});
