/**
 * Measures the observation bus with realistic flush records: the codec alone, then sensor →
 * Redis → aggregator through {@linkcode RedisBus} (XADD, XREADGROUP, decode, XACK).
 *
 * Records come from the benchmark capture (`deno task bench` makes `bench/out/bench-mixed.pcap`):
 * its first packets are dissected until the flow table holds `FLOWS` flows, then flushed. Without
 * the capture, synthetic records of the same shape are used.
 *
 * Run: `deno run -A bench/bus.ts [FLOWS=50000] [BATCHES=40] [plain]` (Redis at `REDIS_URL`;
 * `plain`: without compression).
 *
 * @module
 */

import { dissectFile } from "../dissectors/dissect_file.ts";
import { BUILTIN_DISSECTORS } from "../dissectors/builtin.ts";
import { DissectionEngine } from "../dissectors/engine.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { DissectorRegistry } from "../dissectors/registry.ts";
import { decodeBatch, encodeBatch } from "../bus/codec.ts";
import { RedisBus } from "../bus/redis_bus.ts";
import { deleteStreams, REDIS_URL, syntheticRecord, uniqueNames } from "../bus/_testing.ts";
import type { SensorBatch } from "../model/sensor_batch.ts";

const FLOWS = Number(Deno.args[0] ?? 50_000);
const BATCHES = Number(Deno.args[1] ?? 40);
const COMPRESS = Deno.args[2] !== "plain";
const CAPTURE = new URL("./out/bench-mixed.pcap", import.meta.url);

async function realRecord(flows: number): Promise<{ record: FlushRecord; origin: string }> {
  try {
    await Deno.stat(CAPTURE);
  } catch {
    return { record: syntheticRecord(flows, 1), origin: "synthetic" };
  }
  const engine = new DissectionEngine(new DissectorRegistry([...BUILTIN_DISSECTORS]));
  const [record] = await dissectFile(CAPTURE.pathname, { engine, until: () => engine.meter.size >= flows });
  return { record, origin: `${engine.stats.packets} packets of bench-mixed.pcap` };
}

/** Batches per second, and MiB per second of records (uncompressed) and on the wire. */
function rate(count: number, ms: number): string {
  const mibs = (bytes: number) => (count * bytes / 1048576 / ms * 1000).toFixed(1);
  return `${(count / ms * 1000).toFixed(1)} batches/s, ${mibs(plainSize)} MiB/s of records (${
    mibs(size)
  } on the wire)`;
}

const { record, origin } = await realRecord(FLOWS);
const batches: SensorBatch[] = Array.from(
  { length: BATCHES },
  (_, seq) => ({ sensor: "bench", boot: "b", seq, record }),
);
const size = encodeBatch(batches[0], { compress: COMPRESS }).length;
const plainSize = encodeBatch(batches[0]).length;
console.log(
  `record: ${record.flows.count} flows, ${
    record.buckets.length / 9
  } bucket rows, ${record.sightings.count} ` +
    `sightings, ${record.identities.length} identities, ${record.events.length} events (${origin}); ` +
    `encoded ${(plainSize / 1048576).toFixed(2)} MiB, ${(size / 1048576).toFixed(2)} MiB ${
      COMPRESS ? "compressed" : "plain"
    }`,
);

let start = performance.now();
const encoded = batches.map((batch) => encodeBatch(batch, { compress: COMPRESS }));
const encodeMs = performance.now() - start;
start = performance.now();
for (const bytes of encoded) decodeBatch(bytes);
const decodeMs = performance.now() - start;
console.log(
  `codec: encode ${rate(BATCHES, encodeMs)}; decode ${rate(BATCHES, decodeMs)}`,
);

const { stream, group } = uniqueNames();
function log(line: string): void {
  console.log(`log: ${line}`);
}
const sensor = new RedisBus({ url: REDIS_URL, stream, maxlen: BATCHES * 2, compress: COMPRESS, log });
const aggregator = new RedisBus({ url: REDIS_URL, stream, group, consumer: "bench", blockMs: 100, log });
await sensor.publish(batches[0]); // connect
start = performance.now();
for (const batch of batches.slice(1)) await sensor.publish(batch);
const publishMs = performance.now() - start;
console.log(`publish (encode + XADD, one sensor): ${rate(BATCHES - 1, publishMs)}`);

let handled = 0;
let goal = BATCHES;
let reached: () => void = () => {};
let phase = new Promise<void>((resolve) => reached = resolve);
start = performance.now();
const consuming = aggregator.consume(() => {
  if (++handled === goal) reached();
  return Promise.resolve();
});
await phase;
const consumeMs = performance.now() - start;
console.log(`consume (XREADGROUP + decode + XACK, backlog): ${rate(BATCHES, consumeMs)}`);

// Both sides at once: a sensor publishing while the aggregator consumes.
goal = 2 * BATCHES;
phase = new Promise<void>((resolve) => reached = resolve);
start = performance.now();
for (const batch of batches) await sensor.publish({ ...batch, seq: batch.seq + BATCHES });
await phase;
const pipeMs = performance.now() - start;
console.log(
  `end to end (publish while consuming, until all handled): ${rate(BATCHES, pipeMs)}`,
);

await Promise.all([sensor.stop(), aggregator.stop()]);
await consuming;
await deleteStreams(stream);
