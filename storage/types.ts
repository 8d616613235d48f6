/**
 * Types shared by the storage layer and its callers (the aggregator, the bus, the API).
 *
 * @module
 */

import type { FlushRecord } from "../dissectors/flush.ts";

/**
 * A flush record tagged for idempotency: what travels from a sensor to the aggregator (in process
 * or through Redis) and what `Persistence.apply` (storage/persistence.ts) commits once and only once.
 */
export interface SensorBatch {
  /** Stable sensor id (config), e.g. "plant-a/eth0" or "local". */
  sensor: string;
  /** Random per sensor process start: a restarted sensor never reuses a batch id. */
  boot: string;
  /** Sequence number within the boot, from 0. */
  seq: number;
  record: FlushRecord;
}

/** Outcome of applying a batch: committed now, or committed before (nothing changed). */
export type ApplyResult = "applied" | "duplicate";

/** Something that applies sensor batches (the database, or a test double). */
export interface BatchSink {
  /**
   * Commits a batch in one transaction.
   *
   * @returns "duplicate" when (sensor, boot, seq) was committed before: nothing changes
   */
  apply(batch: SensorBatch): Promise<ApplyResult>;
}
