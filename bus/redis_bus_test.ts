/**
 * Redis-specific behaviour of {@linkcode RedisBus}, against the machine's Redis (`REDIS_URL`):
 * take-over of what a dead consumer left pending, trimming, dead letters, lost batches.
 *
 * @module
 */

import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { RedisBus, type RedisBusOptions } from "./redis_bus.ts";
import type { SensorBatch } from "../model/sensor_batch.ts";
import { encodeBatch } from "./codec.ts";
import {
  deleteStreams,
  logCollector,
  REDIS_URL,
  redisCommand,
  testBatch,
  uniqueNames,
  waitFor,
} from "./_testing.ts";

function options(stream: string, group: string, log: (line: string) => void): RedisBusOptions {
  return { url: REDIS_URL, stream, group, log, blockMs: 100, retryMinMs: 5, retryMaxMs: 50 };
}

async function publishAll(bus: RedisBus, batches: SensorBatch[]): Promise<void> {
  for (const batch of batches) await bus.publish(batch);
}

/** Reads `count` entries as consumer `name` and never acknowledges them (then "dies"). */
async function readWithoutAck(stream: string, group: string, name: string, count: number): Promise<void> {
  await redisCommand(["XGROUP", "CREATE", stream, group, "0", "MKSTREAM"]).catch(() => undefined);
  await redisCommand(["XREADGROUP", "GROUP", group, name, "COUNT", String(count), "STREAMS", stream, ">"]);
}

async function pendingCount(stream: string, group: string): Promise<number> {
  const summary = await redisCommand(["XPENDING", stream, group]) as [number];
  return Number(summary[0]);
}

/** Pending entries idle for at least `ms` (what XAUTOCLAIM with that idle time would take). */
async function idlePending(stream: string, group: string, ms: number): Promise<number> {
  const entries = await redisCommand([
    "XPENDING",
    stream,
    group,
    "IDLE",
    String(ms),
    "-",
    "+",
    "100",
  ]) as unknown[];
  return entries.length;
}

Deno.test({
  name: "RedisBus: what a dead consumer left pending is claimed and handled exactly once",
  async fn() {
    const { stream, group } = uniqueNames();
    const { lines, log } = logCollector();
    const sensor = new RedisBus(options(stream, group, log));
    await publishAll(sensor, Array.from({ length: 10 }, (_, seq) => testBatch("s", seq)));
    await readWithoutAck(stream, group, "dead-aggregator", 6);
    strictEqual(await pendingCount(stream, group), 6);
    await publishAll(sensor, Array.from({ length: 5 }, (_, seq) => testBatch("s", 10 + seq)));

    const aggregator = new RedisBus({
      ...options(stream, group, log),
      consumer: "next-aggregator",
      claimIdleMs: 50,
    });
    // Redis claims only entries idle for claimIdleMs: wait until it lists all six as idle that long.
    await waitFor(
      async () => (await idlePending(stream, group, 50)) === 6,
      10_000,
      "6 entries idle for 50 ms",
    );
    const handled: number[] = [];
    const consuming = aggregator.consume((batch) => {
      handled.push(batch.seq);
      return Promise.resolve();
    });
    await waitFor(() => aggregator.stats().acked >= 15, 10_000, "15 acknowledgements");
    strictEqual(await pendingCount(stream, group), 0);
    // Stopped, the consumer hands nothing more: a batch handled twice would be in the list now.
    await Promise.all([sensor.stop(), aggregator.stop()]);
    await consuming;
    deepStrictEqual([...handled].sort((a, b) => a - b), Array.from({ length: 15 }, (_, i) => i), "each once");
    const stats = aggregator.stats();
    strictEqual(stats.claimed, 6);
    strictEqual(stats.acked, 15);
    deepStrictEqual(lines, []);
    await deleteStreams(stream);
  },
});

Deno.test({
  name: "RedisBus: a restarted consumer of the same name handles its own pending entries at once",
  async fn() {
    const { stream, group } = uniqueNames();
    const { log } = logCollector();
    const sensor = new RedisBus(options(stream, group, log));
    await publishAll(sensor, Array.from({ length: 4 }, (_, seq) => testBatch("s", seq)));
    await readWithoutAck(stream, group, "agg-1", 3);
    // Same name, and a claim idle time far longer than the test: only the own-pending read can help.
    const restarted = new RedisBus({
      ...options(stream, group, log),
      consumer: "agg-1",
      claimIdleMs: 3_600_000,
    });
    const handled: number[] = [];
    const consuming = restarted.consume((batch) => {
      handled.push(batch.seq);
      return Promise.resolve();
    });
    await waitFor(() => handled.length === 4, 5_000, "4 batches");
    deepStrictEqual(handled, [0, 1, 2, 3]);
    await Promise.all([sensor.stop(), restarted.stop()]);
    await consuming;
    strictEqual(await pendingCount(stream, group), 0);
    await deleteStreams(stream);
  },
});

Deno.test({
  name: "RedisBus: XADD caps the stream with MAXLEN ~",
  async fn() {
    const { stream, group } = uniqueNames();
    const { log } = logCollector();
    const sensor = new RedisBus({ ...options(stream, group, log), maxlen: 100 });
    await publishAll(sensor, Array.from({ length: 1_000 }, (_, seq) => testBatch("s", seq, 0)));
    const length = Number(await redisCommand(["XLEN", stream]));
    strictEqual(length >= 100 && length < 300, true, `XLEN is ${length}, expected about 100`);
    const last = await redisCommand(["XREVRANGE", stream, "+", "-", "COUNT", "1"]) as [string, string[]][];
    strictEqual(last[0][1][5], "999", "the newest entries are kept");
    await sensor.stop();
    await deleteStreams(stream);
  },
});

Deno.test({
  name: "RedisBus: entries trimmed before they were handled, and gaps in seq, are counted and logged",
  async fn() {
    const { stream, group } = uniqueNames();
    const { lines, log } = logCollector();
    const sensor = new RedisBus({ ...options(stream, group, log), maxlen: 0 });
    await publishAll(sensor, Array.from({ length: 5 }, (_, seq) => testBatch("s", seq)));
    await readWithoutAck(stream, group, "dead", 2); // seq 0 and 1 pending on a dead consumer
    await redisCommand(["XTRIM", stream, "MAXLEN", "2"]); // seq 0, 1 (pending) and 2 (never read) are gone
    const aggregator = new RedisBus({ ...options(stream, group, log), consumer: "next", claimIdleMs: 1 });
    const handled: number[] = [];
    const consuming = aggregator.consume((batch) => {
      handled.push(batch.seq);
      return Promise.resolve();
    });
    await publishAll(sensor, [testBatch("s", 5), testBatch("s", 7)]);
    await waitFor(() => handled.length === 4, 5_000, "4 batches");
    deepStrictEqual(handled, [3, 4, 5, 7]);
    await waitFor(() => aggregator.stats().dropped.trimmed === 2, 5_000, "2 trimmed");
    strictEqual(aggregator.stats().dropped.missing, 1);
    strictEqual(await pendingCount(stream, group), 0);
    await Promise.all([sensor.stop(), aggregator.stop()]);
    await consuming;
    deepStrictEqual(lines.length, 2);
    match(
      lines.find((line) => line.startsWith("2 observation batches")) ?? "",
      /were trimmed from Redis stream .* by MAXLEN before they were handled; they are lost/,
    );
    deepStrictEqual(
      lines.find((line) => line.startsWith("1 observation")),
      "1 observation batches of sensor s (boot boot-1) never arrived: seq 6…6 (dropped by the sensor or trimmed from the stream)",
    );
    await deleteStreams(stream);
  },
});

Deno.test({
  name: "RedisBus: an undecodable entry goes to the dead-letter stream; the rest flows on",
  async fn() {
    const { stream, group } = uniqueNames();
    const { lines, log } = logCollector();
    const future = encodeBatch(testBatch("s", 1));
    future[4] = 9; // a format version from the future
    await redisCommand(["XADD", stream, "*", "sensor", "s", "boot", "b", "seq", "0", "data", "garbage"]);
    const client = new RedisBus(options(stream, group, log));
    await client.publish(testBatch("s", 2));
    await redisCommand([
      "XADD",
      stream,
      "*",
      "sensor",
      "s",
      "data",
      new TextDecoder("latin1").decode(future),
    ]);
    await client.publish(testBatch("s", 3));
    const handled: number[] = [];
    const consuming = client.consume((batch) => {
      handled.push(batch.seq);
      return Promise.resolve();
    });
    await waitFor(
      () => handled.length === 2 && client.stats().deadLettered === 2,
      5_000,
      "2 handled, 2 set aside",
    );
    deepStrictEqual(handled, [2, 3]);
    strictEqual(Number(await redisCommand(["XLEN", `${stream}:dead`])), 2);
    const [[, fields]] = await redisCommand(["XRANGE", `${stream}:dead`, "-", "+", "COUNT", "1"]) as [
      string,
      string[],
    ][];
    deepStrictEqual(fields.slice(2, 4), [
      "error",
      `Cannot decode observation batch: not an observation batch (starts with 0x67617262, expected "NSOB")`,
    ]);
    strictEqual(await pendingCount(stream, group), 0);
    await client.stop();
    await consuming;
    strictEqual(lines.length, 2);
    match(
      lines[1],
      /^Cannot decode observation batch: (version 9 is not supported|.*) \(entry .*\); moved to ".*:dead"$/,
    );
    await deleteStreams(stream);
  },
});
