/**
 * Connections to Redis that reconnect on their own with back-off, and one shared health record
 * that logs a single line when Redis becomes unreachable and one when it is back.
 *
 * Commands on a link that is down fail at once (node-redis `disableOfflineQueue`) instead of
 * waiting in the client's queue: the sensor keeps its own bounded buffer and the aggregator its
 * own retry loop, so nothing grows without a bound while Redis is away.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createClient, ErrorReply } from "redis";
import { seconds } from "./backoff.ts";
import type { BusLog, BusStats } from "./bus.ts";
import type { RedisTarget } from "./redis_url.ts";

/** A raw Redis reply with bulk strings as Buffers. */
export type RawReply = null | number | Buffer | RawReply[];

/** Tracks whether Redis is reachable, across all links of one bus; logs each change once. */
export class RedisHealth {
  readonly #target: RedisTarget;
  readonly #log: BusLog;
  readonly #stats: BusStats;
  readonly #retryMaxMs: number;
  readonly #down = new Set<string>();
  /** "unknown" until the first link connects or fails. */
  #state: "unknown" | "up" | "down" = "unknown";

  /**
   * @param target the server
   * @param log where changes are reported
   * @param stats counters to update (`connected`, `reconnects`)
   * @param retryMaxMs longest reconnect delay, for the message
   */
  constructor(target: RedisTarget, log: BusLog, stats: BusStats, retryMaxMs: number) {
    this.#target = target;
    this.#log = log;
    this.#stats = stats;
    this.#retryMaxMs = retryMaxMs;
  }

  /** A link failed (connection refused, lost, authentication refused…). */
  down(link: string, error: Error): void {
    this.#down.add(link);
    this.#stats.connected = false;
    if (this.#state === "down") return;
    this.#state = "down";
    const reason = error.message.length > 0 ? error.message : error.name;
    this.#log(
      `Redis at ${this.#target.address} unreachable: ${reason}; retrying every ${
        seconds(this.#retryMaxMs)
      } at most`,
    );
  }

  /** A link is connected and ready. */
  up(link: string): void {
    this.#down.delete(link);
    if (this.#down.size > 0) return;
    this.#stats.connected = true;
    if (this.#state === "down") {
      this.#stats.reconnects++;
      this.#log(`Redis at ${this.#target.address} reconnected`);
    }
    this.#state = "up";
  }
}

/** Options of {@linkcode RedisLink}. */
export interface RedisLinkOptions {
  target: RedisTarget;
  /** Name of the link in the client list and in the health record (`sensor`, `consumer`…). */
  name: string;
  health: RedisHealth;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Queue commands while disconnected (only for the subscriber, whose SUBSCRIBE must survive). */
  offlineQueue?: boolean;
}

/** One connection to Redis, opened at construction and reconnected until closed. */
export class RedisLink {
  /** The node-redis client. */
  readonly client: ReturnType<typeof createClient>;
  /** Resolves at the first outcome of the first connection attempt (ready or error). */
  readonly settled: Promise<void>;
  readonly #connecting: Promise<unknown>;
  #closed = false;

  /** @param options server, name, health record, reconnect delays */
  constructor(options: RedisLinkOptions) {
    const { health, name, reconnectMinMs, reconnectMaxMs } = options;
    this.client = createClient({
      url: options.target.url,
      name: `netsentinel-${name}`,
      disableOfflineQueue: !options.offlineQueue,
      socket: {
        connectTimeout: 5_000,
        reconnectStrategy(retries: number) {
          return Math.min(reconnectMinMs * 2 ** Math.min(retries, 20), reconnectMaxMs);
        },
      },
    });
    this.client.on("error", (error: Error) => {
      if (!this.#closed) health.down(name, error);
    });
    this.client.on("ready", () => health.up(name));
    this.settled = new Promise((resolve) => {
      this.client.once("ready", () => resolve());
      this.client.once("error", () => resolve());
    });
    // connect() resolves at the first success and retries until then; failures arrive as "error".
    this.#connecting = this.client.connect().catch(() => undefined);
  }

  /** True when commands can be sent now. */
  get ready(): boolean {
    return this.client.isReady;
  }

  /**
   * Sends one command and returns its raw reply with bulk strings as Buffers.
   *
   * @throws the client's error when the link is down or Redis refuses the command
   */
  send(args: (string | Buffer)[]): Promise<RawReply> {
    return this.client.sendCommand(args, { returnBuffers: true }) as Promise<RawReply>;
  }

  /** Closes the connection (QUIT when connected, else drops it). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.client.isReady) await this.client.quit();
      else if (this.client.isOpen) await this.client.disconnect();
    } catch {
      // Closing a link that is already gone.
    }
    await this.#connecting;
  }
}

/** Bytes of a Uint8Array as a Buffer, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True when `error` means "the link is down" rather than "Redis refused the command". */
export function isOffline(error: unknown): boolean {
  return !(error instanceof ErrorReply);
}
