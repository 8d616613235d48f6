import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { BusConfigSchema } from "../config/bus_schema.ts";
import { createBus } from "./create_bus.ts";
import { MemoryBus } from "./memory_bus.ts";
import { RedisBus } from "./redis_bus.ts";
import { REDIS_URL } from "./_testing.ts";

Deno.test("BusConfigSchema fills in the defaults", () => {
  deepStrictEqual(BusConfigSchema.parse(undefined), {
    redis_url: "",
    stream: "netsentinel:observations",
    group: "aggregators",
    consumer: "",
    maxlen: 1_000,
    compress: true,
    sensor_buffer_mb: 256,
    read_count: 4,
    block_ms: 1_000,
    claim_idle_ms: 60_000,
    claim_interval_ms: 30_000,
    retry_min_ms: 100,
    retry_max_ms: 30_000,
    reconnect_max_ms: 5_000,
    stop_timeout_ms: 10_000,
    events_channel: "netsentinel:events",
    queue_batches: 16,
  });
  strictEqual(BusConfigSchema.safeParse({ maxlen: -1 }).success, false);
  strictEqual(BusConfigSchema.safeParse({ max_len: 5 }).success, false);
});

Deno.test("createBus() is in-process without a Redis URL, Redis with one (REDIS_URL first)", async () => {
  const config = BusConfigSchema.parse({});
  const memory = createBus(config);
  strictEqual(memory instanceof MemoryBus, true);
  await memory.stop();
  const redis = createBus(config, { env: { REDIS_URL } });
  strictEqual(redis instanceof RedisBus, true);
  await redis.stop();
  const fromFile = createBus(BusConfigSchema.parse({ redis_url: REDIS_URL }));
  strictEqual(fromFile instanceof RedisBus, true);
  await fromFile.stop();
});

Deno.test("createBus() names a bad Redis URL and where it came from, password masked", () => {
  const config = BusConfigSchema.parse({ redis_url: "redis://app:s3cret@cache/db0" });
  throws(() => createBus(config), {
    name: "RedisUrlError",
    message:
      `Cannot use [bus] redis_url "redis://app:***@cache/db0": database is "db0", expected a number such as /0`,
  });
  throws(() => createBus(config, { env: { REDIS_URL: "localhost:6379" } }), {
    message: `Cannot use REDIS_URL "localhost:6379": it has no scheme (expected redis://host:port)`,
  });
  throws(() => createBus(config, { env: { REDIS_URL: "" } }), {
    message: `Cannot use REDIS_URL "": it is empty`,
  });
});
