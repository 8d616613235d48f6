/**
 * The sensor's side of the Redis bus: every batch goes through one ordered, bounded buffer and is
 * written with `XADD <stream> MAXLEN ~ <maxlen> * sensor … boot … seq … data <binary>`.
 *
 * While Redis answers, {@linkcode SensorPublisher.publish} resolves after the XADD. When it does
 * not (down, out of memory, refusing writes), batches stay in the buffer in order and publish
 * resolves at once; the buffer is flushed in order, with back-off, when writes succeed again.
 * Past the byte bound the OLDEST batches are dropped: counted, and reported in one line when
 * dropping starts and one when the buffer empties (never one line per batch).
 *
 * @module
 */

import { Backoff, seconds, sleep } from "./backoff.ts";
import type { BusLog, BusStats } from "./bus.ts";
import { encodeBatch } from "./codec.ts";
import { asBuffer, type RedisLink } from "./redis_link.ts";
import { describeBatch, type SensorBatch } from "../model/sensor_batch.ts";

/** Options of {@linkcode SensorPublisher}. */
export interface SensorPublisherOptions {
  link: RedisLink;
  stream: string;
  /** `MAXLEN ~` of every XADD (0: no trimming). */
  maxlen: number;
  /** Bound of the buffer, bytes of encoded batches. */
  bufferBytes: number;
  /** Deflate payloads (see bus/codec.ts). */
  compress: boolean;
  retryMinMs: number;
  retryMaxMs: number;
  log: BusLog;
  stats: BusStats;
}

interface Item {
  sensor: string;
  boot: string;
  seq: number;
  bytes: Uint8Array;
  /** Resolves the publish() call (once delivered, or at once while Redis is failing). */
  resolve: (() => void) | null;
}

function mib(bytes: number): string {
  return `${Number((bytes / 1048576).toFixed(1))} MiB`;
}

/** Writes batches to the stream in order, buffering them while Redis fails. */
export class SensorPublisher {
  readonly #options: SensorPublisherOptions;
  readonly #backoff: Backoff;
  readonly #buffer: Item[] = [];
  readonly #abort = new AbortController();
  #bytes = 0;
  #inFlight = false;
  /** The flush loop; `#running` is cleared synchronously when it exits, so no batch is left behind. */
  #flushing: Promise<void> = Promise.resolve();
  #running = false;
  /** The XADD error while writes fail, else null. */
  #failing: string | null = null;
  /** Batches dropped since dropping started, and their range, for the summary line. */
  #dropped: { count: number; first: string; last: string } | null = null;

  /** @param options link, stream, bounds, delays, log and counters */
  constructor(options: SensorPublisherOptions) {
    this.#options = options;
    this.#backoff = new Backoff(options.retryMinMs, options.retryMaxMs);
  }

  /** Appends `batch` to the buffer; resolves after its XADD, or at once while writes fail. */
  publish(batch: SensorBatch): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = encodeBatch(batch, { compress: this.#options.compress });
    } catch (error) {
      return Promise.reject(error);
    }
    this.#options.stats.published++;
    return new Promise((resolve) => {
      const item: Item = { sensor: batch.sensor, boot: batch.boot, seq: batch.seq, bytes, resolve };
      this.#buffer.push(item);
      this.#bytes += bytes.length;
      if (this.#failing !== null) this.#release(item);
      this.#enforceBound();
      this.#updateGauges();
      if (!this.#running) {
        this.#running = true;
        this.#flushing = this.#flush();
      }
    });
  }

  #release(item: Item): void {
    item.resolve?.();
    item.resolve = null;
  }

  /** Drops the oldest batches (never the one being written, never the newest) past the bound. */
  #enforceBound(): void {
    while (this.#bytes > this.#options.bufferBytes) {
      const at = this.#inFlight ? 1 : 0;
      if (at >= this.#buffer.length - 1) return;
      const [item] = this.#buffer.splice(at, 1);
      this.#bytes -= item.bytes.length;
      this.#release(item);
      this.#options.stats.dropped.buffer_full++;
      const label = describeBatch(item);
      if (this.#dropped === null) {
        this.#dropped = { count: 0, first: label, last: label };
        this.#options.log(
          `sensor buffer full (${mib(this.#options.bufferBytes)}): dropping the oldest observation batches ` +
            `until Redis accepts writes again (first: ${label})`,
        );
      }
      this.#dropped.count++;
      this.#dropped.last = label;
    }
  }

  #updateGauges(): void {
    this.#options.stats.buffered = this.#buffer.length;
    this.#options.stats.bufferedBytes = this.#bytes;
  }

  #xadd(item: Item): Promise<unknown> {
    const { stream, maxlen } = this.#options;
    const trim = maxlen > 0 ? ["MAXLEN", "~", String(maxlen)] : [];
    return this.#options.link.send([
      "XADD",
      stream,
      ...trim,
      "*",
      "sensor",
      item.sensor,
      "boot",
      item.boot,
      "seq",
      String(item.seq),
      "data",
      asBuffer(item.bytes),
    ]);
  }

  async #flush(): Promise<void> {
    await this.#options.link.settled;
    while (this.#buffer.length > 0 && !this.#abort.signal.aborted) {
      const item = this.#buffer[0];
      this.#inFlight = true;
      try {
        await this.#xadd(item);
      } catch (error) {
        this.#inFlight = false;
        this.#enterFailing(error as Error);
        await sleep(this.#backoff.next(), this.#abort.signal);
        continue;
      }
      this.#inFlight = false;
      this.#buffer.shift();
      this.#bytes -= item.bytes.length;
      this.#options.stats.delivered++;
      this.#release(item);
      this.#backoff.reset();
      this.#updateGauges();
    }
    if (this.#buffer.length === 0) this.#drained();
    this.#updateGauges();
    this.#running = false;
  }

  #enterFailing(error: Error): void {
    if (this.#failing !== null) return;
    this.#failing = error.message;
    for (const item of this.#buffer) this.#release(item);
    this.#options.log(
      `Cannot write observation batches to Redis stream "${this.#options.stream}": ${error.message}; ` +
        `buffering up to ${mib(this.#options.bufferBytes)} in memory, retrying every ${
          seconds(this.#options.retryMaxMs)
        } at most`,
    );
  }

  /** The buffer is empty: report the end of a failure or of a dropping episode, if any. */
  #drained(): void {
    const failing = this.#failing;
    const dropped = this.#dropped;
    this.#failing = null;
    this.#dropped = null;
    if (failing === null && dropped === null) return;
    const lost = dropped
      ? `; ${dropped.count} oldest batches were dropped (${dropped.first} … ${dropped.last})`
      : "";
    this.#options.log(
      failing !== null
        ? `Redis stream "${this.#options.stream}" accepts observation batches again; buffer flushed${lost}`
        : `sensor buffer drained${lost}`,
    );
  }

  /**
   * Stops: lets the buffer drain for up to `timeoutMs`, then gives up on what is left (counted as
   * dropped, `stopped`, and reported in one line).
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.#running) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs));
      await Promise.race([this.#flushing, timeout]);
      clearTimeout(timer);
    }
    this.#abort.abort();
    await this.#flushing;
    const left = this.#buffer.splice(0);
    if (left.length > 0) {
      const bytes = left.reduce((sum, item) => sum + item.bytes.length, 0);
      this.#options.stats.dropped.stopped += left.length;
      this.#options.log(
        `sensor stopped with ${left.length} observation batches (${mib(bytes)}) not written to Redis; ` +
          `they are lost (${left[0].sensor} boot ${left[0].boot} seq ${left[0].seq} … ${left.at(-1)!.seq})`,
      );
      for (const item of left) this.#release(item);
    }
    this.#bytes = 0;
    this.#updateGauges();
  }
}
