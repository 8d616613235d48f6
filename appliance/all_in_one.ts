/**
 * The all-in-one appliance: sensor and aggregator in one process, joined by the bus (the
 * in-process queue by default), committing to the database (PGlite by default).
 *
 * @module
 */

import type { Config } from "../config/schema.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { connectBus, connectDatabase } from "./connections.ts";
import { startAggregator } from "./aggregator_service.ts";
import { sensorId, SensorPublisher } from "../sensor/publisher.ts";

/** What was persisted. */
export interface PersistedRun<T> {
  result: T;
  /** Batches committed, and duplicates skipped. */
  committed: { applied: number; duplicate: number };
  /** Where: `pglite (data/pglite)` or `postgres (host:port/db)`. */
  location: string;
}

/**
 * Starts the database, bus and aggregator, runs `body` with a function that publishes flush
 * records, then waits until every published batch is committed and shuts everything down.
 *
 * @param options `env`: the environment to read `DATABASE_URL` / `REDIS_URL` from (default: the
 *   process's; `{}` keeps to the configuration, as the demo does)
 * @throws {StorageError} when the database cannot be opened or migrated
 */
export async function withPersistence<T>(
  config: Config,
  body: (publish: (record: FlushRecord) => void) => Promise<T>,
  options: { env?: Record<string, string> } = {},
): Promise<PersistedRun<T>> {
  const db = await connectDatabase(config, options.env);
  const bus = connectBus(config, options.env);
  try {
    const aggregator = await startAggregator({ db, bus, retentionDays: config.storage.retention_days });
    const publisher = new SensorPublisher(bus, sensorId(config.sensor.id));
    const result = await body((record) => publisher.publish(record));
    await publisher.drain();
    const counts = aggregator.counts;
    while (counts.applied + counts.duplicate < publisher.published) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await aggregator.stop();
    return { result, committed: { ...counts }, location: `${db.driver} (${db.location})` };
  } finally {
    await bus.stop().catch(() => {});
    await db.close();
  }
}
