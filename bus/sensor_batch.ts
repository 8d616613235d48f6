/**
 * What travels on the observation bus: one sensor's flush record with the numbers that make it
 * unique (sensor, boot, seq), so the storage applies it exactly once. The type is the storage
 * layer's ({@linkcode SensorBatch} in storage/types.ts); this module numbers batches.
 *
 * @module
 */

import type { FlushRecord } from "../dissectors/flush.ts";
import type { SensorBatch } from "../storage/types.ts";

export type { SensorBatch };

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
