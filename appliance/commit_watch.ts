/**
 * What the all-in-one appliance does when its batches cannot be committed (full disk, database
 * down): it keeps capturing and holds the batches in memory (the bus retries them in order), says
 * so in the status and on stderr every minute, and gives up, with one line, once the failure has
 * lasted `[storage] hold_max_s` or the held batches take more than `[storage] hold_max_mb`. The
 * caller then stops the capture: past the bound, holding more would only trade the box's memory
 * for data that still cannot be stored.
 *
 * @module
 */

import { flushArrays, type FlushRecord } from "../model/flush_record.ts";

/** Bounds and reporting of a {@linkcode CommitWatch}. */
export interface CommitWatchOptions {
  /** Where the data goes, for the messages (e.g. `pglite (data/pglite)`). */
  location: string;
  /** Longest a commit failure may last before giving up, ms. */
  holdMaxMs: number;
  /** Most memory the held batches may take while commits fail, bytes. */
  holdMaxBytes: number;
  /** One line for the operator. */
  log: (line: string) => void;
  /** Called once when the watch gives up (with its message). */
  onGiveUp: (message: string) => void;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** How often a failure that lasts is reported again, ms (default 60 000). */
  remindEveryMs?: number;
}

/** The storage part of the status file. */
export interface StorageStatus {
  /** Where batches are committed. */
  location: string;
  /** `storing`: commits work; `failing`: they fail and batches are held; `gave-up`: past the bound. */
  state: "storing" | "failing" | "gave-up";
  /** ISO time of the first failure of the current run of failures, else null. */
  failing_since: string | null;
  /** The last failure, one line, else null. */
  error: string | null;
  /** Batches handed over and not committed yet. */
  held_batches: number;
  /** Their approximate size in memory, MiB. */
  held_mb: number;
  /** The bounds: seconds of failure, MiB held. */
  hold_max_s: number;
  hold_max_mb: number;
}

/** Bytes an identity or event takes in memory, roughly (strings and small objects). */
const BYTES_PER_OBSERVATION = 300;
/** Bytes of a batch without flows or observations (its counters, dissector names, numbering). */
const BYTES_PER_BATCH = 2048;

/** Approximate memory of a flush record, bytes (its typed arrays plus its observations). */
export function flushRecordBytes(record: FlushRecord): number {
  let bytes = BYTES_PER_BATCH;
  for (const array of flushArrays(record)) bytes += array.byteLength;
  return bytes + (record.identities.length + record.events.length) * BYTES_PER_OBSERVATION;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Follows held batches and commit failures; see the module documentation. */
export class CommitWatch {
  readonly #o: Required<Omit<CommitWatchOptions, "now" | "remindEveryMs">>;
  readonly #now: () => number;
  readonly #remindEveryMs: number;
  /** Sizes of the batches handed over and not committed, oldest first (batches commit in order). */
  readonly #held: number[] = [];
  #heldBytes = 0;
  #failingSince: number | null = null;
  #lastReminder = 0;
  #error: string | null = null;
  #gaveUp = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param options bounds, log and give-up callback */
  constructor(options: CommitWatchOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#remindEveryMs = options.remindEveryMs ?? 60_000;
  }

  /** Checks the time bound every second while commits fail (stop with {@linkcode close}). */
  start(): void {
    this.#timer ??= setInterval(() => this.check(), 1000);
  }

  /** Stops the timer. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A batch was handed to the bus. */
  handedOver(record: FlushRecord): void {
    const bytes = flushRecordBytes(record);
    this.#held.push(bytes);
    this.#heldBytes += bytes;
    this.check();
  }

  /** The oldest held batch was committed (or was a duplicate). */
  committed(): void {
    this.#heldBytes -= this.#held.shift() ?? 0;
    if (this.#failingSince !== null && !this.#gaveUp) {
      this.#failingSince = null;
      this.#error = null;
    }
  }

  /** A commit failed (the bus retries it). */
  failed(error: Error): void {
    this.#error = error.message.split("\n")[0];
    if (this.#failingSince === null) {
      this.#failingSince = this.#now();
      this.#lastReminder = this.#failingSince;
    }
    this.check();
  }

  /** Batches handed over and not committed. */
  get heldBatches(): number {
    return this.#held.length;
  }

  /** True while commits fail. */
  get failing(): boolean {
    return this.#failingSince !== null;
  }

  /** The last failure, one line, or null. */
  get error(): string | null {
    return this.#error;
  }

  /** Gives up when a bound is passed; reminds the operator while a failure lasts. */
  check(): void {
    if (this.#failingSince === null || this.#gaveUp) return;
    const now = this.#now();
    const lasted = now - this.#failingSince;
    const count = this.#held.length;
    const held = `${count} batch${count === 1 ? "" : "es"} (${mib(this.#heldBytes)}) held in memory`;
    let bound: string | null = null;
    if (lasted >= this.#o.holdMaxMs) {
      bound = `for ${duration(lasted)} ([storage] hold_max_s = ${this.#o.holdMaxMs / 1000})`;
    } else if (this.#heldBytes > this.#o.holdMaxBytes) {
      bound = `with ${held}, more than [storage] hold_max_mb = ${this.#o.holdMaxBytes / 1048576}`;
    }
    if (bound !== null) {
      this.#gaveUp = true;
      const message = `Cannot store the observations in ${this.#o.location} ${bound}: ${this.#error}; ` +
        "stopping the capture (the inventory printed at exit still has everything)";
      this.#o.log(message);
      this.#o.onGiveUp(message);
      return;
    }
    if (now - this.#lastReminder >= this.#remindEveryMs) {
      this.#lastReminder = now;
      this.#o.log(
        `NOT STORING for ${duration(lasted)}: ${this.#error}; capturing on with ${held}; ` +
          `the capture stops after ${duration(this.#o.holdMaxMs)} or ${mib(this.#o.holdMaxBytes)}`,
      );
    }
  }

  /** The storage part of the status file. */
  status(): StorageStatus {
    return {
      location: this.#o.location,
      state: this.#gaveUp ? "gave-up" : this.#failingSince === null ? "storing" : "failing",
      failing_since: this.#failingSince === null ? null : new Date(this.#failingSince).toISOString(),
      error: this.#error,
      held_batches: this.#held.length,
      held_mb: Math.round(this.#heldBytes / 1048576 * 1000) / 1000,
      hold_max_s: this.#o.holdMaxMs / 1000,
      hold_max_mb: this.#o.holdMaxBytes / 1048576,
    };
  }
}
