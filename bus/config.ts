/**
 * The `[bus]` section of the configuration. `create_bus.ts` picks the bus from it; the schema
 * lives apart so that reading the configuration does not load the Redis client.
 *
 * {@linkcode BusConfigSchema} is meant to be added to `config/schema.ts` as `bus`, which also gives
 * the `NETSENTINEL_BUS_<KEY>` environment overrides.
 *
 * @module
 */

import { z } from "zod";

/** A whole number of milliseconds in [min, max], `fallback` when absent. */
function ms(min: number, max: number, fallback: number) {
  return z.number().int().min(min).max(max).default(fallback);
}

/** `[bus]`: every key optional; the defaults are those of an appliance on one box. */
export const BusConfigSchema = z.object({
  /** `redis[s]://[user[:password]@]host[:port][/db]`; "" for the in-process bus. `REDIS_URL` overrides it. */
  redis_url: z.string().default(""),
  /** Stream of observation batches. */
  stream: z.string().min(1).default("netsentinel:observations"),
  /** Consumer group of the aggregators. */
  group: z.string().min(1).default("aggregators"),
  /** This aggregator's name in the group ("" for the host name): keep it stable across restarts. */
  consumer: z.string().default(""),
  /**
   * `XADD … MAXLEN ~ maxlen`: entries the stream keeps (0: no trimming). Redis memory is about
   * maxlen × batch size; entries trimmed before an aggregator handled them are counted as lost.
   */
  maxlen: z.number().int().min(0).default(1_000),
  /** Deflate batches before XADD (about 3.5× smaller, about 2.5 ms per MiB on the sensor). */
  compress: z.boolean().default(true),
  /** Sensor buffer while Redis is unreachable, MiB; past it the oldest batches are dropped. */
  sensor_buffer_mb: z.number().min(1).max(65_536).default(256),
  /** Entries per XREADGROUP / XAUTOCLAIM. */
  read_count: z.number().int().min(1).max(1_000).default(4),
  /** Longest blocking read, ms (also how long stopping an aggregator may take). */
  block_ms: ms(10, 60_000, 1_000),
  /** Pending entries idle this long are taken over from a dead aggregator, ms. */
  claim_idle_ms: ms(1, 86_400_000, 60_000),
  /** How often an aggregator looks for such entries, ms. */
  claim_interval_ms: ms(100, 86_400_000, 30_000),
  /** Retry delays (handler and Redis commands), doubling from min to max, ms. */
  retry_min_ms: ms(1, 60_000, 100),
  retry_max_ms: ms(1, 3_600_000, 30_000),
  /** Longest delay between two reconnection attempts, ms. */
  reconnect_max_ms: ms(10, 600_000, 5_000),
  /** How long stopping lets buffered or queued batches go through, ms. */
  stop_timeout_ms: ms(0, 600_000, 10_000),
  /** Pub/Sub channel of live events. */
  events_channel: z.string().min(1).default("netsentinel:events"),
  /** In-process bus: batches queued before a sensor waits. */
  queue_batches: z.number().int().min(1).max(100_000).default(16),
}).strict().default({});

/** A validated `[bus]` section. */
export type BusConfig = z.infer<typeof BusConfigSchema>;
