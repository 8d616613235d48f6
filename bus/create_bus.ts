/**
 * The factory that picks the bus: Redis Streams when a Redis URL is set (`REDIS_URL` in the
 * environment, else `[bus] redis_url`), the in-process queue otherwise (the embedded default).
 *
 * @module
 */

import type { BusLog, ObservationBus } from "./bus.ts";
import type { BusConfig } from "../config/bus_schema.ts";
import { MemoryBus } from "./memory_bus.ts";
import { RedisBus } from "./redis_bus.ts";

/** Options of {@linkcode createBus}. */
export interface CreateBusOptions {
  /** Environment (for `REDIS_URL`); default: none. */
  env?: Record<string, string | undefined>;
  /** Where state changes are reported (default: standard error). */
  log?: BusLog;
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "aggregator";
  }
}

/**
 * The bus the configuration asks for.
 *
 * @param config the `[bus]` section (validated)
 * @param options environment and log
 * @returns a {@linkcode RedisBus} when a Redis URL is set, else a {@linkcode MemoryBus}
 * @throws {RedisUrlError} when the Redis URL cannot be used (one line, password masked)
 */
export function createBus(config: BusConfig, options: CreateBusOptions = {}): ObservationBus {
  const fromEnv = options.env?.REDIS_URL;
  const url = fromEnv ?? config.redis_url;
  if (url === "" && fromEnv === undefined) {
    return new MemoryBus({
      capacity: config.queue_batches,
      retryMinMs: config.retry_min_ms,
      retryMaxMs: Math.max(config.retry_min_ms, config.retry_max_ms),
      stopTimeoutMs: config.stop_timeout_ms,
      log: options.log,
    });
  }
  return new RedisBus({
    url,
    urlSource: fromEnv !== undefined ? "REDIS_URL" : "[bus] redis_url",
    stream: config.stream,
    group: config.group,
    consumer: config.consumer || hostName(),
    maxlen: config.maxlen,
    sensorBufferBytes: Math.round(config.sensor_buffer_mb * 1048576),
    compress: config.compress,
    readCount: config.read_count,
    blockMs: config.block_ms,
    claimIdleMs: config.claim_idle_ms,
    claimIntervalMs: config.claim_interval_ms,
    retryMinMs: config.retry_min_ms,
    retryMaxMs: Math.max(config.retry_min_ms, config.retry_max_ms),
    reconnectMaxMs: config.reconnect_max_ms,
    stopTimeoutMs: config.stop_timeout_ms,
    eventsChannel: config.events_channel,
    log: options.log,
  });
}
