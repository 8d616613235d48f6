/**
 * The aggregator role: takes sensor batches from the bus and commits them to the database, one
 * transaction per batch, acknowledging a batch only after its commit (so a crash loses nothing and
 * a redelivered batch is recognised and skipped). Keeps the schema migrated, old partitions
 * dropped and the 5-minute and hourly roll-ups current (storage/rollups.ts). A failed commit is
 * retried by the bus, which also reports it (one line when commits start failing, one when they
 * work again): this service does not log it a second time.
 *
 * @module
 */

import type { ObservationBus } from "../bus/bus.ts";
import type { Database } from "../storage/database.ts";
import { migrate } from "../storage/migrate.ts";
import { Persistence } from "../storage/persistence.ts";
import { runRetention, scheduleRetention } from "../storage/retention.ts";
import { scheduleRollups } from "../storage/rollups.ts";
import type { SensorBatch } from "../model/sensor_batch.ts";

/** Options of {@linkcode startAggregator}. */
export interface AggregatorOptions {
  db: Database;
  bus: ObservationBus;
  retentionDays: number;
  /** Days of 5-minute and hourly roll-ups kept (`[storage] rollup_5m_days`, `rollup_1h_days`; 90, 365). */
  rollup5mDays?: number;
  rollup1hDays?: number;
  /** `[identify] allowed_dhcp_servers`: any other DHCP server raises `dhcp.rogue_server`. */
  allowedDhcpServers?: readonly string[];
  /** Called after each committed batch (e.g. to keep an in-memory inventory for reports). */
  onCommitted?: (batch: SensorBatch, result: "applied" | "duplicate") => void;
  /** Called after each failed commit (the bus retries it), e.g. to hold batches within a bound. */
  onFailed?: (batch: SensorBatch, error: Error) => void;
}

/** A running aggregator. */
export interface RunningAggregator {
  /** Batches committed and duplicates skipped so far. */
  readonly counts: { applied: number; duplicate: number };
  /** Stops consuming (batches not yet acknowledged stay on the bus for the next start). */
  stop(): Promise<void>;
  /** Resolves when consuming ended. */
  readonly done: Promise<void>;
}

/**
 * Migrates the database, applies retention, and starts consuming.
 *
 * @throws {StorageError} when the database cannot be migrated
 */
export async function startAggregator(options: AggregatorOptions): Promise<RunningAggregator> {
  await migrate(options.db);
  const keep = {
    retentionDays: options.retentionDays,
    rollup5mDays: options.rollup5mDays,
    rollup1hDays: options.rollup1hDays,
  };
  await runRetention(options.db, keep);
  const retention = scheduleRetention(options.db, keep);
  const rollups = scheduleRollups(options.db, {
    onError: (error) =>
      console.error(`netsentinel: cannot roll up the traffic metrics: ${(error as Error).message}`),
  });
  const persistence = new Persistence(options.db, { allowedDhcpServers: options.allowedDhcpServers });
  const counts = { applied: 0, duplicate: 0 };
  const done = options.bus.consume(async (batch) => {
    let result: "applied" | "duplicate";
    try {
      result = await persistence.apply(batch);
    } catch (error) {
      options.onFailed?.(batch, error as Error);
      throw error;
    }
    counts[result]++;
    if (result === "applied") rollups.poke();
    options.onCommitted?.(batch, result);
  }).finally(async () => {
    retention.stop();
    await rollups.stop();
  });
  return {
    counts,
    done,
    async stop() {
      await options.bus.stop();
      await done;
    },
  };
}
