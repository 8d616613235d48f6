/**
 * The all-in-one appliance: sensor and aggregator in one process, joined by the bus (the
 * in-process queue by default), committing to the database (PGlite by default).
 *
 * When commits fail (full disk, database down) the capture goes on and the batches wait in memory,
 * retried in order, until the failure has lasted `[storage] hold_max_s` or they take more than
 * `[storage] hold_max_mb`: then the run is asked to stop ({@linkcode PersistenceRun.signal}) and
 * the result says what was not stored ({@linkcode CommitWatch}).
 *
 * @module
 */

import type { Config } from "../config/schema.ts";
import type { Database } from "../storage/database.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { describeStorageError } from "../storage/errors.ts";
import { connectBus, connectDatabase } from "./connections.ts";
import { startAggregator } from "./aggregator_service.ts";
import { CommitWatch, type StorageStatus } from "./commit_watch.ts";
import { sensorId, SensorPublisher } from "../sensor/publisher.ts";

/** What the body of {@linkcode withPersistence} is given besides `publish`. */
export interface PersistenceRun {
  /** Aborted when storing has failed for too long: stop capturing. */
  signal: AbortSignal;
  /** The storage part of the status (for the status file). */
  storageStatus(): StorageStatus;
  /** The database the batches are committed to (for the web server of the same process). */
  db: Database;
  /** Resolves once every batch published so far is committed (batches commit in order). */
  whenCommitted(): Promise<void>;
}

/** What was persisted. */
export interface PersistedRun<T> {
  result: T;
  /** Batches committed, and duplicates skipped. */
  committed: { applied: number; duplicate: number };
  /** Where: `pglite (data/pglite)` or `postgres (host:port/db)`. */
  location: string;
  /** Batches that could not be committed and why (one line), or null when every batch was. */
  unstored: { batches: number; error: string } | null;
  /** The storage part of the status at the end. */
  storage: StorageStatus;
}

function log(line: string): void {
  console.error(`netsentinel: ${line}`);
}

/**
 * Starts the database, bus and aggregator, runs `body` with a function that publishes flush
 * records, then waits until every published batch is committed and shuts everything down. When
 * commits fail at the end of the run, the bus gets `[bus] stop_timeout_ms` to commit what is left;
 * what is still not committed is counted in {@linkcode PersistedRun.unstored}.
 *
 * `options.env` replaces the environment's `DATABASE_URL`/`REDIS_URL` (the demo passes `{}`).
 *
 * @throws {StorageError} when the database cannot be opened or migrated
 */
export async function withPersistence<T>(
  config: Config,
  body: (publish: (record: FlushRecord) => void, run: PersistenceRun) => Promise<T>,
  options: { env?: Record<string, string> } = {},
): Promise<PersistedRun<T>> {
  const db = await connectDatabase(config, options.env);
  const bus = connectBus(config, options.env);
  const location = `${db.driver} (${db.location})`;
  const stop = new AbortController();
  let commits: CommitCounter | undefined;
  const watch = new CommitWatch({
    location,
    holdMaxMs: config.storage.hold_max_s * 1000,
    holdMaxBytes: config.storage.hold_max_mb * 1048576,
    log,
    onGiveUp: () => stop.abort(),
  });
  try {
    const aggregator = await startAggregator({
      db,
      bus,
      retentionDays: config.storage.retention_days,
      allowedDhcpServers: config.identify.allowed_dhcp_servers,
      rollup5mDays: config.storage.rollup_5m_days,
      rollup1hDays: config.storage.rollup_1h_days,
      onCommitted: () => {
        watch.committed();
        commits?.check();
      },
      onFailed: (_batch, error) => watch.failed(error),
    });
    watch.start();
    const publisher = new SensorPublisher(bus, sensorId(config.sensor.id));
    commits = new CommitCounter(aggregator.counts);
    const counter = commits;
    const result = await body((record) => {
      watch.handedOver(record);
      counter.published++;
      publisher.publish(record);
    }, {
      signal: stop.signal,
      storageStatus: () => watch.status(),
      db,
      whenCommitted: () => counter.whenCommitted(),
    });
    // Wait for the last commits while they work; a failing bus gets its stop timeout in stop().
    while (watch.heldBatches > 0 && !watch.failing) await new Promise((resolve) => setTimeout(resolve, 20));
    await aggregator.stop();
    await publisher.drain().catch(() => {}); // batches refused by the stopped bus: counted below
    const unstored = watch.heldBatches > 0
      ? { batches: watch.heldBatches, error: watch.error ?? "the bus stopped first" }
      : null;
    return { result, committed: { ...aggregator.counts }, location, unstored, storage: watch.status() };
  } finally {
    watch.close();
    await bus.stop().catch(() => {});
    await db.close().catch((error) => log(describeStorageError(`Cannot close ${location}`, error).message));
  }
}

/** Batches published and committed, and who waits for a commit. */
class CommitCounter {
  published = 0;
  readonly #counts: { applied: number; duplicate: number };
  #waiters: { upTo: number; resolve: () => void }[] = [];

  constructor(counts: { applied: number; duplicate: number }) {
    this.#counts = counts;
  }

  get #committed(): number {
    return this.#counts.applied + this.#counts.duplicate;
  }

  whenCommitted(): Promise<void> {
    if (this.#committed >= this.published) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ upTo: this.published, resolve }));
  }

  check(): void {
    const committed = this.#committed;
    const ready = this.#waiters.filter((waiter) => waiter.upTo <= committed);
    this.#waiters = this.#waiters.filter((waiter) => waiter.upTo > committed);
    for (const waiter of ready) waiter.resolve();
  }
}
