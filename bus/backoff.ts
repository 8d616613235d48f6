/**
 * Retry delays that double from a minimum to a maximum, and a sleep that a stop request cuts
 * short.
 *
 * @module
 */

/**
 * Exponential back-off: `min`, `2·min`, `4·min`… capped at `max`, until {@linkcode Backoff.reset}.
 *
 * @example Delays
 * ```ts ignore
 * const backoff = new Backoff(100, 1000);
 * backoff.next(); // 100
 * backoff.next(); // 200
 * ```
 */
export class Backoff {
  /** Shortest delay, ms. */
  readonly minMs: number;
  /** Longest delay, ms. */
  readonly maxMs: number;
  #next: number;

  /**
   * @param minMs first delay (ms, > 0)
   * @param maxMs longest delay (ms, ≥ minMs)
   * @throws {RangeError} when the bounds are not positive or in the wrong order
   */
  constructor(minMs: number, maxMs: number) {
    if (!(minMs > 0) || !(maxMs >= minMs)) {
      throw new RangeError(
        `Cannot create back-off: bounds are ${minMs}..${maxMs} ms, expected 0 < min ≤ max`,
      );
    }
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.#next = minMs;
  }

  /** The delay to wait now; the following one is twice as long (up to the maximum). */
  next(): number {
    const delay = this.#next;
    this.#next = Math.min(this.#next * 2, this.maxMs);
    return delay;
  }

  /** Back to the shortest delay (after a success). */
  reset(): void {
    this.#next = this.minMs;
  }
}

/**
 * Waits `ms` milliseconds, or less if `signal` aborts (resolves, never rejects).
 *
 * @param ms how long to wait
 * @param signal ends the wait early
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Seconds for a log line: `5 s`, `0.1 s`. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
