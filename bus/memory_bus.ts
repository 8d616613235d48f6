/**
 * The in-process observation bus (embedded default): a bounded FIFO queue between the sensor and
 * the aggregator of one process.
 *
 * Both sides live in the same process, so a full queue makes {@linkcode MemoryBus.publish} wait
 * (back-pressure) instead of dropping anything. The consumer hands the batch at the head of the
 * queue to the handler and removes it only when the handler resolves; a rejection leaves it at the
 * head and is retried with back-off, so the order of batches is kept.
 *
 * @module
 */

import { Backoff, seconds, sleep } from "./backoff.ts";
import {
  type BatchHandler,
  type BusLog,
  type BusStats,
  type LiveEvent,
  logToStderr,
  newBusStats,
  type ObservationBus,
} from "./bus.ts";
import { describeBatch, type SensorBatch } from "../model/sensor_batch.ts";

/** Options of {@linkcode MemoryBus}. */
export interface MemoryBusOptions {
  /** Batches the queue holds before publish() waits (default 16). */
  capacity?: number;
  /** First retry delay after a handler rejection, ms (default 100). */
  retryMinMs?: number;
  /** Longest retry delay, ms (default 30 000). */
  retryMaxMs?: number;
  /** How long stop() lets the consumer work through the queue, ms (default 10 000). */
  stopTimeoutMs?: number;
  /** Where state changes are reported (default: standard error). */
  log?: BusLog;
}

interface Waiter {
  batch: SensorBatch;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * In-process {@linkcode ObservationBus}.
 *
 * @example Hand a batch to the aggregator
 * ```ts ignore
 * const bus = new MemoryBus();
 * const consuming = bus.consume(async (batch) => await persistence.apply(batch));
 * await bus.publish(batch);
 * await bus.stop();
 * await consuming;
 * ```
 */
export class MemoryBus implements ObservationBus {
  readonly #capacity: number;
  readonly #backoff: Backoff;
  readonly #stopTimeoutMs: number;
  readonly #log: BusLog;
  readonly #queue: SensorBatch[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  readonly #failedListeners = new WeakSet<(event: LiveEvent) => void>();
  readonly #stats: BusStats = newBusStats();
  /** Cuts retry sleeps short when the stop timeout expires. */
  readonly #abort = new AbortController();
  #wake: (() => void) | null = null;
  #consuming: Promise<void> | null = null;
  #inFlight = false;
  #stopping = false;
  #stopped = false;

  /**
   * @param options queue bound, retry delays, stop timeout, log
   * @throws {RangeError} when the capacity is not a whole number ≥ 1
   */
  constructor(options: MemoryBusOptions = {}) {
    const capacity = options.capacity ?? 16;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create in-process bus: capacity is ${capacity}, expected a whole number ≥ 1`,
      );
    }
    this.#capacity = capacity;
    this.#backoff = new Backoff(options.retryMinMs ?? 100, options.retryMaxMs ?? 30_000);
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.#log = options.log ?? logToStderr;
  }

  /** Queues `batch`; waits while the queue is full (batches are admitted in call order). */
  publish(batch: SensorBatch): Promise<void> {
    if (this.#stopping) {
      return Promise.reject(
        new Error(`Cannot publish observation batch ${describeBatch(batch)}: the bus is stopped`),
      );
    }
    this.#stats.published++;
    if (this.#queue.length < this.#capacity && this.#waiters.length === 0) {
      this.#admit(batch);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiters.push({ batch, resolve, reject }));
  }

  #admit(batch: SensorBatch): void {
    this.#queue.push(batch);
    this.#stats.delivered++;
    this.#wake?.();
  }

  consume(handler: BatchHandler): Promise<void> {
    if (this.#consuming) {
      return Promise.reject(new Error("Cannot consume observations: a consumer is already running"));
    }
    if (this.#stopping) return Promise.resolve();
    this.#consuming = this.#run(handler);
    return this.#consuming;
  }

  async #run(handler: BatchHandler): Promise<void> {
    let failing = false;
    for (;;) {
      if (this.#queue.length === 0) {
        if (this.#stopping) return;
        await new Promise<void>((resolve) => this.#wake = resolve);
        this.#wake = null;
        continue;
      }
      const batch = this.#queue[0];
      this.#inFlight = true;
      try {
        await handler(batch);
      } catch (error) {
        this.#stats.handlerFailures++;
        const delay = this.#backoff.next();
        if (!failing) {
          this.#log(
            `Cannot handle observation batch ${describeBatch(batch)}: ${
              (error as Error)?.message ?? error
            }; ` +
              `retrying every ${seconds(this.#backoff.maxMs)} at most`,
          );
          failing = true;
        }
        if (this.#abort.signal.aborted) return;
        await sleep(delay, this.#abort.signal);
        if (this.#abort.signal.aborted) return;
        continue;
      } finally {
        this.#inFlight = false;
      }
      if (failing) {
        this.#log(`observation batches are handled again (from ${describeBatch(batch)})`);
        failing = false;
      }
      this.#backoff.reset();
      this.#queue.shift();
      this.#stats.consumed++;
      this.#stats.acked++;
      const waiter = this.#waiters.shift();
      if (waiter) {
        this.#admit(waiter.batch);
        waiter.resolve();
      }
      if (this.#abort.signal.aborted) return;
    }
  }

  publishEvent(event: LiveEvent): Promise<void> {
    if (this.#stopping) {
      this.#stats.events.dropped++;
      return Promise.resolve();
    }
    this.#stats.events.published++;
    if (this.#listeners.size > 0) this.#stats.events.received++;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        if (!this.#failedListeners.has(listener)) {
          this.#failedListeners.add(listener);
          this.#log(`A live event listener failed on ${event.type}: ${(error as Error)?.message ?? error}`);
        }
      }
    }
    return Promise.resolve();
  }

  subscribeEvents(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stats(): BusStats {
    const stats = structuredClone(this.#stats);
    stats.pending = this.#inFlight ? 1 : 0;
    stats.buffered = this.#queue.length - stats.pending + this.#waiters.length;
    return stats;
  }

  /**
   * Stops accepting batches, lets the consumer work through the queue for up to the stop timeout,
   * then ends it (after its running handler). Batches left are counted as dropped (`stopped`) and
   * reported in one line; publishers still waiting for room are rejected.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopping = true;
    this.#wake?.();
    if (this.#consuming) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, this.#stopTimeoutMs));
      await Promise.race([this.#consuming, timeout]);
      clearTimeout(timer);
      this.#abort.abort();
      await this.#consuming;
    }
    this.#abort.abort();
    this.#stopped = true;
    const left = this.#queue.length + this.#waiters.length;
    if (left > 0) {
      this.#stats.dropped.stopped += left;
      this.#log(`in-process bus stopped with ${left} observation batches not handled; they are lost`);
    }
    for (const waiter of this.#waiters.splice(0)) {
      waiter.reject(
        new Error(`Cannot publish observation batch ${describeBatch(waiter.batch)}: the bus stopped`),
      );
    }
    this.#queue.length = 0;
    this.#listeners.clear();
  }
}
