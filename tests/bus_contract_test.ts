/**
 * The behaviour both observation buses promise (bus/bus.ts), run against each: the in-process
 * queue and Redis Streams on the machine's Redis (`REDIS_URL`).
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { LiveEvent, ObservationBus } from "../bus/bus.ts";
import { MemoryBus } from "../bus/memory_bus.ts";
import { RedisBus } from "../bus/redis_bus.ts";
import type { SensorBatch } from "../model/sensor_batch.ts";
import { deleteStreams, logCollector, REDIS_URL, testBatch, uniqueNames, waitFor } from "../bus/_testing.ts";

/** A sensor side and an aggregator side (the same object in process), and the cleanup. */
interface Setup {
  sensors: ObservationBus[];
  aggregator: ObservationBus;
  lines: string[];
  close(): Promise<void>;
}

const IMPLEMENTATIONS: { name: string; setup(sensors: number): Setup }[] = [
  {
    name: "in-process",
    setup() {
      const { lines, log } = logCollector();
      const bus = new MemoryBus({ capacity: 4, retryMinMs: 5, retryMaxMs: 20, log });
      return { sensors: [bus, bus, bus], aggregator: bus, lines, close: () => bus.stop() };
    },
  },
  {
    name: "Redis",
    setup(count) {
      const { lines, log } = logCollector();
      const { stream, group, channel } = uniqueNames();
      const options = {
        url: REDIS_URL,
        stream,
        group,
        eventsChannel: channel,
        log,
        blockMs: 100,
        retryMinMs: 5,
        retryMaxMs: 20,
      };
      const sensors = Array.from({ length: count }, () => new RedisBus(options));
      const aggregator = new RedisBus(options);
      return {
        sensors,
        aggregator,
        lines,
        async close() {
          await Promise.all([...sensors, aggregator].map((bus) => bus.stop()));
          await deleteStreams(stream);
        },
      };
    },
  },
];

function key(batch: SensorBatch): string {
  return `${batch.sensor}#${batch.seq}`;
}

for (const { name, setup } of IMPLEMENTATIONS) {
  Deno.test({
    name: `${name} bus: batches of several sensors all arrive, in order per sensor, intact`,
    async fn() {
      const { sensors, aggregator, lines, close } = setup(3);
      const seen: SensorBatch[] = [];
      const consuming = aggregator.consume((batch) => {
        seen.push(batch);
        return Promise.resolve();
      });
      const published: SensorBatch[] = [];
      await Promise.all(sensors.map(async (bus, s) => {
        for (let seq = 0; seq < 20; seq++) {
          const batch = testBatch(`sensor-${s}`, seq, 1 + seq);
          published.push(batch);
          await bus.publish(batch);
        }
      }));
      await waitFor(() => seen.length === 60, 10_000, "60 batches");
      for (let s = 0; s < 3; s++) {
        deepStrictEqual(
          seen.filter((batch) => batch.sensor === `sensor-${s}`).map((batch) => batch.seq),
          Array.from({ length: 20 }, (_, i) => i),
        );
      }
      const byKey = new Map(published.map((batch) => [key(batch), batch]));
      for (const batch of seen) deepStrictEqual(batch, byKey.get(key(batch)));
      // The acknowledgement follows the handler (Redis: XACK after the batch's transaction): wait for it.
      await waitFor(() => aggregator.stats().acked === 60, 10_000, "60 acknowledgements");
      const stats = aggregator.stats();
      strictEqual(stats.consumed, 60);
      strictEqual(stats.acked, 60);
      await close();
      await consuming;
      deepStrictEqual(lines, []);
    },
  });

  Deno.test({
    name:
      `${name} bus: a handler rejection keeps the batch; it is retried and acknowledged only after success`,
    async fn() {
      const { sensors, aggregator, lines, close } = setup(1);
      const attempts: string[] = [];
      let failuresLeft = 3;
      const ackedWhileFailing: number[] = [];
      const consuming = aggregator.consume((batch) => {
        attempts.push(key(batch));
        if (batch.seq === 1 && failuresLeft > 0) {
          failuresLeft--;
          ackedWhileFailing.push(aggregator.stats().acked);
          return Promise.reject(new Error("database is down"));
        }
        return Promise.resolve();
      });
      for (let seq = 0; seq < 3; seq++) await sensors[0].publish(testBatch("s", seq));
      await waitFor(() => aggregator.stats().acked === 3, 10_000, "3 acks");
      deepStrictEqual(attempts, ["s#0", "s#1", "s#1", "s#1", "s#1", "s#2"]);
      deepStrictEqual(ackedWhileFailing, [1, 1, 1], "batch 1 was not acknowledged while failing");
      const stats = aggregator.stats();
      strictEqual(stats.handlerFailures, 3);
      strictEqual(stats.pending, 0);
      deepStrictEqual(lines, [
        "Cannot handle observation batch s boot boot-1 seq 1: database is down; retrying every 0.02 s at most",
        "observation batches are handled again (from s boot boot-1 seq 1)",
      ]);
      await close();
      await consuming;
    },
  });

  Deno.test({
    name: `${name} bus: live events reach subscribers; unsubscribing stops them`,
    async fn() {
      const { sensors, aggregator, close } = setup(1);
      const received: LiveEvent[] = [];
      const unsubscribe = sensors[0].subscribeEvents((event) => received.push(event));
      const event: LiveEvent = {
        type: "device.new",
        time: new Date(0).toISOString(),
        data: { mac: "00:11:22:33:44:55" },
      };
      // Pub/Sub delivers only to connected subscribers: publish until the subscription is live.
      await waitFor(
        () => {
          if (received.length === 0) aggregator.publishEvent(event);
          return received.length > 0;
        },
        5_000,
        "the first event",
      );
      deepStrictEqual(received[0], event);
      // A second listener that stays: once it has the next event, the bus has dispatched it to
      // every listener it still had.
      const witnessed: LiveEvent[] = [];
      sensors[0].subscribeEvents((event) => witnessed.push(event));
      unsubscribe();
      const before = received.length;
      const next: LiveEvent = { ...event, data: { mac: "00:11:22:33:44:66" } };
      await aggregator.publishEvent(next); // the subscription is live: the first event came through it
      // (Copies of the first event published while the subscription came up may arrive before it.)
      const seen = () => witnessed.some((e) => e.data.mac === next.data.mac);
      await waitFor(seen, 5_000, "the next event at the listener that stayed");
      strictEqual(received.length, before, "the unsubscribed listener got nothing more");
      strictEqual(aggregator.stats().events.dropped, 0);
      await close();
    },
  });

  Deno.test({
    name: `${name} bus: stop() ends consume() and refuses later batches`,
    async fn() {
      const { sensors, aggregator, close } = setup(1);
      const consuming = aggregator.consume(() => Promise.resolve());
      await close();
      await consuming;
      let refused = "";
      await sensors[0].publish(testBatch("late", 0)).catch((error) => refused = error.message);
      strictEqual(refused, "Cannot publish observation batch late boot boot-1 seq 0: the bus is stopped");
    },
  });
}
