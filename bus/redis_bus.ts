/**
 * The observation bus over Redis Streams: several sensor processes `XADD` to one stream, one (or
 * more) aggregators read it through a consumer group and `XACK` after the database commit.
 *
 * Stream layout (one entry per batch, see bus/codec.ts for `data`):
 *
 * ```
 * XADD netsentinel:observations MAXLEN ~ 1000 * sensor <id> boot <uuid> seq <n> data <binary>
 * ```
 *
 * Consumer group `aggregators` (created from id 0 with MKSTREAM, so batches written before the
 * first aggregator started are read too), dead letters in `<stream>:dead`. Live events for the
 * web UI go through Pub/Sub (`PUBLISH netsentinel:events <json>`), not a stream: they are
 * notifications whose lasting record is the database, so nothing is kept for absent listeners
 * and every web process receives every event.
 *
 * Each role opens only the connection it uses: the sensor one for XADD and PUBLISH, the consumer
 * one for the group, the subscriber one for events.
 *
 * @module
 */

import {
  type BatchHandler,
  type BusLog,
  type BusStats,
  type LiveEvent,
  logToStderr,
  newBusStats,
  type ObservationBus,
} from "./bus.ts";
import { RedisHealth, RedisLink } from "./redis_link.ts";
import { StreamConsumer } from "./redis_consumer.ts";
import { SensorPublisher } from "./redis_sensor.ts";
import { parseRedisUrl, type RedisTarget } from "./redis_url.ts";
import { describeBatch, type SensorBatch } from "../model/sensor_batch.ts";

/** Options of {@linkcode RedisBus}; see config/bus_schema.ts for the defaults and the configuration keys. */
export interface RedisBusOptions {
  /** `redis[s]://[user[:password]@]host[:port][/db]`. */
  url: string;
  /** Where the URL came from, for messages (default `Redis URL`). */
  urlSource?: string;
  /** Stream of observation batches (default `netsentinel:observations`). */
  stream?: string;
  /** Consumer group of the aggregators (default `aggregators`). */
  group?: string;
  /** Consumer name in the group: keep it stable across restarts of one aggregator. */
  consumer?: string;
  /** `MAXLEN ~` of every XADD (0: no trimming). */
  maxlen?: number;
  /** Bound of the sensor's buffer while Redis is unreachable, bytes. */
  sensorBufferBytes?: number;
  /** Deflate payloads before XADD (about 3.5× less Redis memory for flow records). */
  compress?: boolean;
  /** Entries per XREADGROUP / XAUTOCLAIM (default 4; a reply holds up to this many batches). */
  readCount?: number;
  /** Longest blocking read, ms (default 1 000; also bounds how long stop() waits). */
  blockMs?: number;
  /** Pending entries idle this long are taken over from other consumers, ms (default 60 000). */
  claimIdleMs?: number;
  /** How often to look for them, ms (default 30 000; always at start). */
  claimIntervalMs?: number;
  /** First retry delay (handler, Redis commands), ms (default 100). */
  retryMinMs?: number;
  /** Longest retry delay of a failing handler or command, ms (default 30 000). */
  retryMaxMs?: number;
  /** Longest delay between reconnection attempts and sensor XADD retries, ms (default 5 000). */
  reconnectMaxMs?: number;
  /** How long stop() lets the sensor's buffer drain, ms. */
  stopTimeoutMs?: number;
  /** Pub/Sub channel of live events (default `netsentinel:events`). */
  eventsChannel?: string;
  /** Where undecodable entries are moved (default `<stream>:dead`). */
  deadLetterStream?: string;
  /** Where state changes are reported (default: standard error). */
  log?: BusLog;
}

/** Every option with its default filled in. */
type Settings = Required<Omit<RedisBusOptions, "url" | "urlSource">>;

/** Defaults of {@linkcode RedisBusOptions}. */
export const REDIS_BUS_DEFAULTS: Omit<Settings, "log" | "deadLetterStream"> = {
  stream: "netsentinel:observations",
  group: "aggregators",
  consumer: "aggregator",
  maxlen: 1_000,
  sensorBufferBytes: 256 * 1048576,
  compress: true,
  readCount: 4,
  blockMs: 1_000,
  claimIdleMs: 60_000,
  claimIntervalMs: 30_000,
  retryMinMs: 100,
  retryMaxMs: 30_000,
  reconnectMaxMs: 5_000,
  stopTimeoutMs: 10_000,
  eventsChannel: "netsentinel:events",
};

/**
 * {@linkcode ObservationBus} over Redis Streams.
 *
 * @example A sensor and an aggregator
 * ```ts ignore
 * const sensor = new RedisBus({ url: "redis://127.0.0.1:6379" });
 * await sensor.publish(batch);
 * const aggregator = new RedisBus({ url: "redis://127.0.0.1:6379", consumer: "agg-1" });
 * aggregator.consume((batch) => persistence.apply(batch).then(() => {}));
 * ```
 */
export class RedisBus implements ObservationBus {
  /** The server, with the password masked in `display`. */
  readonly target: RedisTarget;
  readonly #settings: Settings;
  readonly #stats: BusStats = newBusStats();
  readonly #health: RedisHealth;
  readonly #links: RedisLink[] = [];
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  #sensorLink: RedisLink | null = null;
  #publisher: SensorPublisher | null = null;
  #consumer: StreamConsumer | null = null;
  #consuming: Promise<void> | null = null;
  #subscribed = false;
  #stopped = false;
  #badEventLogged = false;

  /**
   * Checks the URL; connects lazily (each role opens its own connection on first use).
   *
   * @throws {RedisUrlError} when the URL cannot be used (one line, password masked)
   */
  constructor(options: RedisBusOptions) {
    this.target = parseRedisUrl(options.url, options.urlSource);
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    const stream = options.stream ?? REDIS_BUS_DEFAULTS.stream;
    this.#settings = {
      ...REDIS_BUS_DEFAULTS,
      log: logToStderr,
      deadLetterStream: `${stream}:dead`,
      ...defined,
    } as Settings;
    this.#health = new RedisHealth(
      this.target,
      this.#settings.log,
      this.#stats,
      this.#settings.reconnectMaxMs,
    );
  }

  #link(name: string, offlineQueue = false): RedisLink {
    const link = new RedisLink({
      target: this.target,
      name,
      health: this.#health,
      reconnectMinMs: Math.min(this.#settings.retryMinMs, this.#settings.reconnectMaxMs),
      reconnectMaxMs: this.#settings.reconnectMaxMs,
      offlineQueue,
    });
    this.#links.push(link);
    return link;
  }

  #sensor(): RedisLink {
    return this.#sensorLink ??= this.#link("sensor");
  }

  publish(batch: SensorBatch): Promise<void> {
    if (this.#stopped) {
      return Promise.reject(
        new Error(`Cannot publish observation batch ${describeBatch(batch)}: the bus is stopped`),
      );
    }
    const s = this.#settings;
    this.#publisher ??= new SensorPublisher({
      link: this.#sensor(),
      stream: s.stream,
      maxlen: s.maxlen,
      bufferBytes: s.sensorBufferBytes,
      compress: s.compress,
      retryMinMs: s.retryMinMs,
      retryMaxMs: s.reconnectMaxMs,
      log: s.log,
      stats: this.#stats,
    });
    return this.#publisher.publish(batch);
  }

  consume(handler: BatchHandler): Promise<void> {
    if (this.#consuming) {
      return Promise.reject(new Error("Cannot consume observations: a consumer is already running"));
    }
    if (this.#stopped) return Promise.resolve();
    const s = this.#settings;
    this.#consumer = new StreamConsumer({
      link: this.#link("consumer"),
      stream: s.stream,
      group: s.group,
      consumer: s.consumer,
      count: s.readCount,
      blockMs: s.blockMs,
      claimIdleMs: s.claimIdleMs,
      claimIntervalMs: s.claimIntervalMs,
      retryMinMs: s.retryMinMs,
      retryMaxMs: s.retryMaxMs,
      deadLetterStream: s.deadLetterStream,
      log: s.log,
      stats: this.#stats,
    });
    this.#consuming = this.#consumer.run(handler);
    return this.#consuming;
  }

  /** PUBLISH on the events channel; while Redis is unreachable the event is counted as dropped. */
  async publishEvent(event: LiveEvent): Promise<void> {
    const link = this.#stopped ? null : this.#sensor();
    if (link) await link.settled;
    if (link === null || !link.ready) {
      this.#stats.events.dropped++;
      return;
    }
    try {
      await link.send(["PUBLISH", this.#settings.eventsChannel, JSON.stringify(event)]);
      this.#stats.events.published++;
    } catch {
      this.#stats.events.dropped++;
    }
  }

  subscribeEvents(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#subscribed && !this.#stopped) {
      this.#subscribed = true;
      // The subscriber queues its SUBSCRIBE until connected and subscribes again after a reconnect.
      const link = this.#link("events", true);
      link.client.subscribe(this.#settings.eventsChannel, (message: string) => this.#deliver(message))
        .catch(() => undefined);
    }
    return () => this.#listeners.delete(listener);
  }

  #deliver(message: string): void {
    let event: LiveEvent;
    try {
      event = JSON.parse(message);
    } catch (error) {
      this.#stats.events.dropped++;
      if (!this.#badEventLogged) {
        this.#badEventLogged = true;
        this.#settings.log(`Cannot read a live event from Redis: ${(error as Error).message}`);
      }
      return;
    }
    this.#stats.events.received++;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's own failure is its business; the others still get the event.
      }
    }
  }

  stats(): BusStats {
    return structuredClone(this.#stats);
  }

  /**
   * Stops the consumer after its running handler (what it read and did not acknowledge stays
   * pending in Redis), drains the sensor's buffer for up to `stopTimeoutMs`, closes connections.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#consumer?.stop();
    await this.#consuming;
    await this.#publisher?.stop(this.#settings.stopTimeoutMs);
    this.#listeners.clear();
    await Promise.all(this.#links.map((link) => link.close()));
  }
}
