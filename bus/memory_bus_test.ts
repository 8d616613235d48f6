import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { MemoryBus } from "./memory_bus.ts";
import { logCollector, testBatch, waitFor } from "./_testing.ts";

function settled(promise: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  promise.then(() => state.done = true, () => state.done = true);
  return state;
}

Deno.test("MemoryBus.publish() waits while the queue is full and admits batches in call order", async () => {
  const { lines, log } = logCollector();
  const bus = new MemoryBus({ capacity: 2, log });
  await bus.publish(testBatch("a", 0));
  await bus.publish(testBatch("a", 1));
  const third = settled(bus.publish(testBatch("a", 2)));
  const fourth = settled(bus.publish(testBatch("b", 0)));
  // Only a consumer taking a batch can admit a waiting publish; one turn of the event loop lets a
  // wrongly admitted one settle (there is no event to wait for when nothing must happen).
  await new Promise((resolve) => setTimeout(resolve, 0));
  deepStrictEqual([third.done, fourth.done], [false, false], "back-pressure, no drop");
  strictEqual(bus.stats().buffered, 4);

  let release: () => void = () => {};
  const order: string[] = [];
  const consuming = bus.consume(async (batch) => {
    order.push(`${batch.sensor}${batch.seq}`);
    if (order.length === 1) await new Promise<void>((resolve) => release = resolve);
  });
  await waitFor(() => order.length === 1);
  deepStrictEqual(bus.stats().pending, 1);
  deepStrictEqual(third.done, false, "the batch being handled still holds its place");
  release();
  await waitFor(() => order.length === 4);
  deepStrictEqual(order, ["a0", "a1", "a2", "b0"]);
  deepStrictEqual([third.done, fourth.done], [true, true]);
  await bus.stop();
  await consuming;
  const stats = bus.stats();
  deepStrictEqual([stats.published, stats.delivered, stats.consumed, stats.acked, stats.buffered], [
    4,
    4,
    4,
    4,
    0,
  ]);
  deepStrictEqual(lines, []);
});

Deno.test("MemoryBus.stop() lets the consumer finish the queue", async () => {
  const bus = new MemoryBus({ capacity: 8, log: () => {} });
  for (let seq = 0; seq < 5; seq++) await bus.publish(testBatch("s", seq));
  const handled: number[] = [];
  const consuming = bus.consume(async (batch) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    handled.push(batch.seq);
  });
  await bus.stop();
  await consuming;
  deepStrictEqual(handled, [0, 1, 2, 3, 4]);
  strictEqual(bus.stats().dropped.stopped, 0);
});

Deno.test("MemoryBus.stop() gives up after its timeout, counts and reports what is left", async () => {
  const { lines, log } = logCollector();
  const bus = new MemoryBus({ capacity: 2, stopTimeoutMs: 50, retryMinMs: 5, retryMaxMs: 10, log });
  await bus.publish(testBatch("s", 0));
  await bus.publish(testBatch("s", 1));
  const waiting = bus.publish(testBatch("s", 2)).catch((error: Error) => error.message);
  const consuming = bus.consume(() => Promise.reject(new Error("database is down")));
  await bus.stop();
  await consuming;
  strictEqual(await waiting, "Cannot publish observation batch s boot boot-1 seq 2: the bus stopped");
  strictEqual(bus.stats().dropped.stopped, 3);
  deepStrictEqual(lines, [
    "Cannot handle observation batch s boot boot-1 seq 0: database is down; retrying every 0.01 s at most",
    "in-process bus stopped with 3 observation batches not handled; they are lost",
  ]);
});

Deno.test("MemoryBus refuses a second consumer and a bad capacity", async () => {
  throws(() => new MemoryBus({ capacity: 0 }), {
    name: "RangeError",
    message: "Cannot create in-process bus: capacity is 0, expected a whole number ≥ 1",
  });
  const bus = new MemoryBus();
  const first = bus.consume(() => Promise.resolve());
  let refused = "";
  await bus.consume(() => Promise.resolve()).catch((error: Error) => refused = error.message);
  strictEqual(refused, "Cannot consume observations: a consumer is already running");
  await bus.stop();
  await first;
});

Deno.test("MemoryBus: a failing event listener does not stop the others and is reported once", async () => {
  const { lines, log } = logCollector();
  const bus = new MemoryBus({ log });
  const got: string[] = [];
  bus.subscribeEvents(() => {
    throw new Error("boom");
  });
  bus.subscribeEvents((event) => got.push(event.type));
  for (let i = 0; i < 3; i++) await bus.publishEvent({ type: "device.new", time: "", data: {} });
  deepStrictEqual(got, ["device.new", "device.new", "device.new"]);
  deepStrictEqual(lines, ["A live event listener failed on device.new: boom"]);
  await bus.stop();
});
