/**
 * The aggregator's side of the Redis bus: a consumer in a consumer group that hands each batch
 * to the handler and `XACK`s it only after the handler resolved.
 *
 * One loop, one entry at a time, so batches reach the handler in stream order (hence in order
 * per sensor). In turn it:
 * 1. re-reads its own pending entries (`XREADGROUP … 0`): what it read but did not acknowledge
 *    before a crash, when it restarts under the same consumer name;
 * 2. takes over what other consumers left pending for longer than `claimIdleMs`
 *    (`XAUTOCLAIM`), at start and every `claimIntervalMs`: a `kill -9`'d aggregator's batches;
 * 3. reads new entries (`XREADGROUP … BLOCK … >`).
 *
 * A handler rejection keeps the entry pending and retries it with back-off (its idle time is reset
 * meanwhile so no other consumer takes it over). A payload that cannot be decoded is moved to the
 * dead-letter stream and acknowledged. Entries trimmed away while pending, and gaps in a sensor's
 * `seq`, are counted as dropped and logged. Redis errors: retried with back-off, logged once.
 *
 * @module
 */

import type { Buffer } from "node:buffer";
import { Backoff, seconds, sleep } from "./backoff.ts";
import type { BatchHandler, BusLog, BusStats } from "./bus.ts";
import { decodeBatch } from "./codec.ts";
import { isOffline, type RawReply, type RedisLink } from "./redis_link.ts";
import { parseAutoClaim, parseReadGroup, type StreamEntry } from "./redis_stream.ts";
import { describeBatch, type SensorBatch } from "../model/sensor_batch.ts";
import { SequenceWatch } from "./sequence_watch.ts";

/** Options of {@linkcode StreamConsumer}. */
export interface StreamConsumerOptions {
  link: RedisLink;
  stream: string;
  group: string;
  consumer: string;
  /** Entries per read. */
  count: number;
  /** Longest wait of one blocking read, ms (also bounds how long stop() waits). */
  blockMs: number;
  /** Pending entries idle this long are taken over from other consumers, ms. */
  claimIdleMs: number;
  /** How often to look for such entries, ms. */
  claimIntervalMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** Where undecodable payloads go (capped at 1 000 entries). */
  deadLetterStream: string;
  log: BusLog;
  stats: BusStats;
}

type Phase = "own" | "claim" | "new";

/** Reads the stream through the consumer group until stopped. */
export class StreamConsumer {
  readonly #o: StreamConsumerOptions;
  readonly #redisBackoff: Backoff;
  readonly #handlerBackoff: Backoff;
  readonly #watch = new SequenceWatch();
  readonly #abort = new AbortController();
  /** Entries handled whose XACK failed (Redis away): acknowledged before anything else. */
  #unacked: string[] = [];
  #readNotAcked = 0;
  #groupReady = false;
  #phase: Phase = "own";
  #cursor = "0-0";
  #nextClaimAt = 0;
  #redisError: string | null = null;
  #lastDeadLetter = "";

  /** @param options link, names, read sizes, claim and retry delays, log and counters */
  constructor(options: StreamConsumerOptions) {
    this.#o = options;
    this.#redisBackoff = new Backoff(options.retryMinMs, options.retryMaxMs);
    this.#handlerBackoff = new Backoff(options.retryMinMs, options.retryMaxMs);
  }

  /** Asks the loop to end after the current handler call (and its XACK). */
  stop(): void {
    this.#abort.abort();
  }

  /** Runs until {@linkcode StreamConsumer.stop}. */
  async run(handler: BatchHandler): Promise<void> {
    await this.#o.link.settled;
    while (!this.#abort.signal.aborted) {
      try {
        await this.#step(handler);
        if (this.#redisError !== null) {
          this.#redisError = null;
          this.#o.log(`reading observations from Redis stream "${this.#o.stream}" again`);
        }
        this.#redisBackoff.reset();
      } catch (error) {
        this.#onRedisError(error as Error);
        await sleep(this.#redisBackoff.next(), this.#abort.signal);
      }
      this.#updateGauge();
    }
  }

  #onRedisError(error: Error): void {
    // Re-read this consumer's own pending entries first: a read may have been cut short.
    this.#phase = "own";
    this.#cursor = "0-0";
    if (/NOGROUP/.test(error.message)) {
      // The stream or the group vanished (deleted, or Redis restarted without its data).
      this.#groupReady = false;
      this.#o.log(
        `consumer group "${this.#o.group}" of Redis stream "${this.#o.stream}" is gone; creating it again ` +
          `(entries of the stream that were not acknowledged before it vanished are lost)`,
      );
      return;
    }
    // A lost connection is reported once by the link's health record; a refused command here.
    if (isOffline(error) || this.#redisError === error.message) return;
    this.#redisError = error.message;
    this.#o.log(
      `Cannot read observations from Redis stream "${this.#o.stream}": ${error.message}; ` +
        `retrying every ${seconds(this.#o.retryMaxMs)} at most`,
    );
  }

  #send(args: (string | Buffer)[]): Promise<RawReply> {
    return this.#o.link.send(args);
  }

  async #step(handler: BatchHandler): Promise<void> {
    const { stream, group, consumer, count } = this.#o;
    if (!this.#groupReady) {
      try {
        await this.#send(["XGROUP", "CREATE", stream, group, "0", "MKSTREAM"]);
      } catch (error) {
        if (!/BUSYGROUP/.test((error as Error).message)) throw error;
      }
      this.#groupReady = true;
    }
    if (this.#unacked.length > 0) {
      await this.#send(["XACK", stream, group, ...this.#unacked]);
      this.#o.stats.acked += this.#unacked.length;
      this.#unacked = [];
    }
    if (this.#phase === "own") {
      const entries = await this.#readGroup(this.#cursor);
      if (entries.length === 0) this.#startClaim();
      else this.#cursor = entries.at(-1)!.id;
      await this.#handleAll(entries, handler);
    } else if (this.#phase === "claim") {
      const { claimIdleMs } = this.#o;
      const args = [
        "XAUTOCLAIM",
        stream,
        group,
        consumer,
        String(claimIdleMs),
        this.#cursor,
        "COUNT",
        String(count),
      ];
      const claim = parseAutoClaim(await this.#send(args));
      if (claim.deleted.length > 0) this.#trimmed(claim.deleted.length, claim.deleted[0]);
      this.#o.stats.claimed += claim.entries.length;
      if (claim.next === "0-0") {
        this.#phase = "new";
        this.#nextClaimAt = Date.now() + this.#o.claimIntervalMs;
      } else {
        this.#cursor = claim.next;
      }
      await this.#handleAll(claim.entries, handler);
    } else if (Date.now() >= this.#nextClaimAt) {
      this.#startClaim();
    } else {
      await this.#handleAll(await this.#readGroup(">", this.#o.blockMs), handler);
    }
  }

  /** XREADGROUP from `id` (`0`…: this consumer's pending entries; `>`: new ones, blocking). */
  async #readGroup(id: string, blockMs?: number): Promise<StreamEntry[]> {
    const { stream, group, consumer, count } = this.#o;
    const block = blockMs === undefined ? [] : ["BLOCK", String(blockMs)];
    const args = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(count), ...block];
    return parseReadGroup(await this.#send([...args, "STREAMS", stream, id]));
  }

  #startClaim(): void {
    this.#phase = "claim";
    this.#cursor = "0-0";
  }

  #trimmed(count: number, firstId: string): void {
    this.#o.stats.dropped.trimmed += count;
    this.#o.log(
      `${count} observation batches (from entry ${firstId}) were trimmed from Redis stream "${this.#o.stream}" ` +
        `by MAXLEN before they were handled; they are lost (raise [bus] maxlen or keep the aggregator running)`,
    );
  }

  #updateGauge(): void {
    this.#o.stats.pending = this.#readNotAcked + this.#unacked.length;
  }

  async #handleAll(entries: StreamEntry[], handler: BatchHandler): Promise<void> {
    this.#readNotAcked = entries.length;
    this.#updateGauge();
    let trimmed: string[] = [];
    for (const entry of entries) {
      if (this.#abort.signal.aborted) break; // the rest stays pending, re-read at the next start
      if (entry.fields === null) {
        trimmed.push(entry.id);
        await this.#ack(entry.id);
        continue;
      }
      if (trimmed.length > 0) this.#trimmed(trimmed.length, trimmed[0]);
      trimmed = [];
      const batch = await this.#decodeOrSetAside(entry);
      if (batch === null) continue;
      if (!await this.#handle(entry.id, batch, handler)) break;
      this.#o.stats.consumed++;
      this.#checkSequence(batch);
      await this.#ack(entry.id);
    }
    if (trimmed.length > 0) this.#trimmed(trimmed.length, trimmed[0]);
    if (!this.#abort.signal.aborted) this.#readNotAcked = 0;
  }

  #checkSequence(batch: SensorBatch): void {
    const gap = this.#watch.see(batch.sensor, batch.boot, batch.seq);
    if (gap === null) return;
    const missing = gap.to - gap.from + 1;
    this.#o.stats.dropped.missing += missing;
    this.#o.log(
      `${missing} observation batches of sensor ${batch.sensor} (boot ${batch.boot}) never arrived: ` +
        `seq ${gap.from}…${gap.to} (dropped by the sensor or trimmed from the stream)`,
    );
  }

  /** XACK now, or remember it for later when Redis is away (the handler already committed). */
  async #ack(id: string): Promise<void> {
    this.#readNotAcked--;
    try {
      await this.#send(["XACK", this.#o.stream, this.#o.group, id]);
      this.#o.stats.acked++;
    } catch {
      this.#unacked.push(id);
    }
    this.#updateGauge();
  }

  async #decodeOrSetAside(entry: StreamEntry): Promise<SensorBatch | null> {
    const data = entry.fields!.get("data");
    try {
      if (data === undefined) throw new Error(`Cannot decode observation batch: entry has no "data" field`);
      return decodeBatch(data);
    } catch (error) {
      const reason = (error as Error).message;
      const head = ["XADD", this.#o.deadLetterStream, "MAXLEN", "~", "1000", "*"];
      const args: (string | Buffer)[] = [...head, "id", entry.id, "error", reason];
      for (const [field, value] of entry.fields!) args.push(field, value);
      await this.#send(args);
      this.#o.stats.deadLettered++;
      if (reason !== this.#lastDeadLetter) {
        this.#lastDeadLetter = reason;
        this.#o.log(
          `${reason} (entry ${entry.id} of "${this.#o.stream}"); moved to "${this.#o.deadLetterStream}"`,
        );
      }
      await this.#ack(entry.id);
      return null;
    }
  }

  /** Calls the handler until it resolves (true) or the consumer is stopped (false). */
  async #handle(id: string, batch: SensorBatch, handler: BatchHandler): Promise<boolean> {
    let failing = false;
    for (;;) {
      try {
        await handler(batch);
        break;
      } catch (error) {
        this.#o.stats.handlerFailures++;
        if (!failing) {
          failing = true;
          this.#o.log(
            `Cannot handle observation batch ${describeBatch(batch)}: ` +
              `${(error as Error)?.message ?? error}; retrying every ${seconds(this.#o.retryMaxMs)} at most`,
          );
        }
        await sleep(this.#handlerBackoff.next(), this.#abort.signal);
        if (this.#abort.signal.aborted) return false;
        // Still ours: reset the entry's idle time so no other consumer takes it over meanwhile.
        const { stream, group, consumer } = this.#o;
        await this.#send(["XCLAIM", stream, group, consumer, "0", id, "JUSTID"]).catch(() => undefined);
      }
    }
    if (failing) this.#o.log(`observation batches are handled again (from ${describeBatch(batch)})`);
    this.#handlerBackoff.reset();
    return true;
  }
}
