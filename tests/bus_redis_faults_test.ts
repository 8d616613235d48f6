/**
 * The Redis bus when Redis goes away: a throw-away redis-server on a free port (never the
 * machine's own Redis) is started late, killed with SIGKILL and restarted, and an aggregator
 * process is killed with SIGKILL in the middle of its work.
 *
 * @module
 */

import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { RedisBus, type RedisBusOptions } from "../bus/redis_bus.ts";
import { encodeBatch } from "../bus/codec.ts";
import {
  deleteStreams,
  freePort,
  killRedisServer,
  logCollector,
  REDIS_URL,
  redisCommand,
  startRedisServer,
  testBatch,
  uniqueNames,
  waitFor,
} from "../bus/_testing.ts";

const FAST = { blockMs: 100, retryMinMs: 10, retryMaxMs: 100, reconnectMaxMs: 100 };

async function pendingCount(stream: string, group: string): Promise<number> {
  return Number((await redisCommand(["XPENDING", stream, group]) as [number])[0]);
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

Deno.test({
  name: "Redis bus: a sensor buffers while Redis is down and delivers in order when it comes back",
  async fn() {
    const port = freePort();
    const sensorLog = logCollector();
    const aggregatorLog = logCollector();
    const options: RedisBusOptions = { url: `redis://127.0.0.1:${port}`, ...FAST };
    const sensor = new RedisBus({ ...options, log: sensorLog.log });
    const aggregator = new RedisBus({ ...options, consumer: "agg", log: aggregatorLog.log });
    const handled: number[] = [];
    const consuming = aggregator.consume((batch) => {
      handled.push(batch.seq);
      return Promise.resolve();
    });
    for (let seq = 0; seq < 5; seq++) await sensor.publish(testBatch("s", seq)); // resolves: buffered
    strictEqual(sensor.stats().buffered, 5);
    strictEqual(sensor.stats().delivered, 0);
    strictEqual(sensor.stats().connected, false);
    // Both have found Redis unreachable (and retry every 10–100 ms while the server starts).
    await waitFor(
      () => sensorLog.lines.length >= 2 && aggregatorLog.lines.length >= 1,
      10_000,
      "the sensor and the aggregator to report Redis unreachable",
    );

    const server = await startRedisServer(port);
    try {
      await waitFor(() => handled.length === 5, 10_000, "5 handled");
      deepStrictEqual(handled, [0, 1, 2, 3, 4]);
      const stats = sensor.stats();
      strictEqual(stats.buffered, 0);
      strictEqual(stats.delivered, 5);
      strictEqual(stats.reconnects, 1);
      deepStrictEqual(stats.dropped, { buffer_full: 0, stopped: 0, trimmed: 0, missing: 0 });
      await Promise.all([sensor.stop(), aggregator.stop()]);
      await consuming;
    } finally {
      await killRedisServer(server);
    }
    const unreachable = new RegExp(
      `^Redis at 127.0.0.1:${port} unreachable: .*ECONNREFUSED.*; retrying every 0.1 s at most$`,
    );
    const lines = sensorLog.lines;
    strictEqual(lines.length, 4, lines.join("\n"));
    match(lines[0], unreachable);
    match(
      lines[1],
      /^Cannot write observation batches to Redis stream "netsentinel:observations": .*; buffering up to 256 MiB in memory/,
    );
    deepStrictEqual(lines.slice(2), [
      `Redis at 127.0.0.1:${port} reconnected`,
      `Redis stream "netsentinel:observations" accepts observation batches again; buffer flushed`,
    ]);
    strictEqual(aggregatorLog.lines.length, 2, aggregatorLog.lines.join("\n"));
    match(aggregatorLog.lines[0], unreachable);
    strictEqual(aggregatorLog.lines[1], `Redis at 127.0.0.1:${port} reconnected`);
  },
});

Deno.test({
  name:
    "Redis bus: Redis killed and restarted empty mid-run: nothing published is lost, each batch handled once",
  async fn() {
    const port = freePort();
    const sensorLog = logCollector();
    const aggregatorLog = logCollector();
    const options: RedisBusOptions = { url: `redis://127.0.0.1:${port}`, ...FAST };
    let server = await startRedisServer(port);
    const sensor = new RedisBus({ ...options, log: sensorLog.log });
    const aggregator = new RedisBus({ ...options, consumer: "agg", log: aggregatorLog.log });
    const handled: number[] = [];
    const consuming = aggregator.consume((batch) => {
      handled.push(batch.seq);
      return Promise.resolve();
    });
    const events: string[] = [];
    aggregator.subscribeEvents((event) => events.push(event.type));
    try {
      for (let seq = 0; seq < 5; seq++) await sensor.publish(testBatch("s", seq));
      await waitFor(() => handled.length === 5, 10_000, "5 handled before the crash");
      await killRedisServer(server);
      for (let seq = 5; seq < 10; seq++) await sensor.publish(testBatch("s", seq));
      await waitFor(() => !aggregator.stats().connected, 5_000, "the aggregator to notice");
      strictEqual(sensor.stats().buffered, 5);
      server = await startRedisServer(port);
      await waitFor(() => handled.length === 10, 15_000, "10 handled");
      deepStrictEqual(handled, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // The events subscription, made before the crash, is renewed after the reconnection.
      await waitFor(
        () => {
          if (events.length === 0) sensor.publishEvent({ type: "test.after_restart", time: "", data: {} });
          return events.length > 0;
        },
        5_000,
        "an event after the restart",
      );
      await Promise.all([sensor.stop(), aggregator.stop()]);
      await consuming;
    } finally {
      await killRedisServer(server);
    }
    // One line per state change in each process, whatever the number of batches and retries.
    for (const { lines } of [sensorLog, aggregatorLog]) {
      strictEqual(lines.filter((line) => / unreachable: /.test(line)).length, 1, lines.join("\n"));
      strictEqual(lines.filter((line) => / reconnected$/.test(line)).length, 1, lines.join("\n"));
    }
    strictEqual(sensorLog.lines.length, 4, sensorLog.lines.join("\n"));
    deepStrictEqual(aggregatorLog.lines.slice(2), [
      `consumer group "aggregators" of Redis stream "netsentinel:observations" is gone; creating it again ` +
      `(entries of the stream that were not acknowledged before it vanished are lost)`,
    ]);
  },
});

Deno.test({
  name: "Redis bus: past the sensor's bound the OLDEST batches are dropped, counted and reported once",
  async fn() {
    const port = freePort();
    const { lines, log } = logCollector();
    const size = encodeBatch(testBatch("s", 0)).length;
    const options: RedisBusOptions = {
      url: `redis://127.0.0.1:${port}`,
      log,
      ...FAST,
      sensorBufferBytes: 3 * size + 10,
      compress: false,
    };
    const sensor = new RedisBus(options);
    for (let seq = 0; seq < 10; seq++) await sensor.publish(testBatch("s", seq));
    let stats = sensor.stats();
    strictEqual(stats.buffered, 3);
    strictEqual(stats.dropped.buffer_full, 7);
    const server = await startRedisServer(port);
    try {
      await waitFor(() => sensor.stats().delivered === 3, 10_000, "3 delivered");
      const entries = await redisCommand(["XRANGE", "netsentinel:observations", "-", "+"], options.url) as [
        string,
        string[],
      ][];
      deepStrictEqual(entries.map(([, fields]) => fields[5]), ["7", "8", "9"]);
    } finally {
      await sensor.stop();
      await killRedisServer(server);
    }
    stats = sensor.stats();
    strictEqual(stats.dropped.buffer_full, 7);
    strictEqual(lines.filter((line) => /^sensor buffer full/.test(line)).length, 1, lines.join("\n"));
    match(
      lines.at(-1)!,
      /buffer flushed; 7 oldest batches were dropped \(s boot boot-1 seq 0 … s boot boot-1 seq 6\)$/,
    );
  },
});

Deno.test({
  name:
    "Redis bus: a consumer killed with SIGKILL mid-handler loses nothing: the next one claims its batches",
  async fn() {
    const { stream, group } = uniqueNames();
    const { log } = logCollector();
    const options: RedisBusOptions = { url: REDIS_URL, stream, group, log, ...FAST };
    const sensor = new RedisBus(options);
    for (let seq = 0; seq < 20; seq++) await sensor.publish(testBatch("s", seq));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-lock", fileURLToPath(new URL("../bus/_consumer_child.ts", import.meta.url))],
      env: { REDIS_URL, STREAM: stream, GROUP: group, CONSUMER: "doomed", HANDLER_MS: "50" },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    // The child prints each seq once its handler has "committed" it; read until it dies (killed
    // after 5, or after the deadline if it never gets that far).
    const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const committed: number[] = [];
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      const parts = text.split("\n");
      text = parts.pop()!;
      for (const part of parts) committed.push(Number(part));
      if (committed.length >= 5) child.kill("SIGKILL");
    }
    await child.status;
    clearTimeout(deadline);
    strictEqual(committed.length >= 5, true, `the child committed ${committed.length} batches in 30 s`);

    const next = new RedisBus({ ...options, consumer: "survivor", claimIdleMs: 200, claimIntervalMs: 100 });
    const handled: number[] = [];
    const consuming = next.consume((batch) => {
      handled.push(batch.seq);
      return Promise.resolve();
    });
    await waitFor(() => new Set([...committed, ...handled]).size === 20, 15_000, "all 20 batches");
    await waitFor(async () => await pendingCount(stream, group) === 0, 10_000, "no pending entry");
    // Stopped, the survivor hands nothing more: a batch handled again would be in the list now.
    await Promise.all([sensor.stop(), next.stop()]);
    await consuming;
    deepStrictEqual(
      sorted([...new Set([...committed, ...handled])]),
      Array.from({ length: 20 }, (_, i) => i),
    );
    // At least once: a batch the child handled but did not acknowledge before dying comes again.
    strictEqual(handled.length + committed.length - 20 <= 1, true, `${committed} / ${handled}`);
    strictEqual(next.stats().claimed > 0, true, "the dead consumer's entries were claimed");
    await deleteStreams(stream);
  },
});
