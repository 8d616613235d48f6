/**
 * A throw-away aggregator for tests/bus_redis_faults_test.ts: consumes the stream named by its
 * environment and prints the seq of each batch once its (slow) handler is done; the test kills it
 * with SIGKILL part-way.
 *
 * @module
 */

import { RedisBus } from "./redis_bus.ts";

const env = Deno.env.toObject();
const bus = new RedisBus({
  url: env.REDIS_URL,
  stream: env.STREAM,
  group: env.GROUP,
  consumer: env.CONSUMER,
  blockMs: 100,
});
const handlerMs = Number(env.HANDLER_MS ?? "50");
await bus.consume(async (batch) => {
  await new Promise((resolve) => setTimeout(resolve, handlerMs));
  console.log(batch.seq);
});
