/**
 * What travels from a sensor to the aggregator (in process or through Redis): one sensor's flush
 * record with the numbers that make it unique (sensor, boot, seq), so the storage applies it exactly
 * once; and the numbering of those batches.
 *
 * @module
 */

import type { FlushRecord } from "./flush_record.ts";

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

/**
 * Numbers the flush records of one sensor process: a fresh random `boot` per instance and
 * consecutive `seq` from 0.
 *
 * @example Numbering two records
 * ```ts ignore
 * const numberer = new BatchNumberer("site-a/eth1");
 * const first = numberer.next(record); // seq 0
 * const second = numberer.next(record); // seq 1, same boot
 * ```
 */
export class BatchNumberer {
  /** Sensor id given to every batch. */
  readonly sensor: string;
  /** Random id of this sensor process start. */
  readonly boot: string = crypto.randomUUID();
  #seq = 0;

  /**
   * @param sensor the sensor id (non-empty)
   * @throws {TypeError} when `sensor` is empty
   */
  constructor(sensor: string) {
    if (sensor.length === 0) throw new TypeError("Cannot number sensor batches: the sensor id is empty");
    this.sensor = sensor;
  }

  /** Wraps `record` in the next batch. */
  next(record: FlushRecord): SensorBatch {
    return { sensor: this.sensor, boot: this.boot, seq: this.#seq++, record };
  }
}

/** `sensor boot <boot> seq <seq>`, for messages. */
export function describeBatch(batch: Pick<SensorBatch, "sensor" | "boot" | "seq">): string {
  return `${batch.sensor} boot ${batch.boot} seq ${batch.seq}`;
}
