/**
 * The sensor's side of the bus: numbers each flush record (sensor id, boot, sequence) and
 * publishes it in order. Flush records arrive synchronously from the dissector workers; publishing
 * is chained so order is kept and the in-process bus's back-pressure applies.
 *
 * @module
 */

import type { ObservationBus } from "../bus/bus.ts";
import { BatchNumberer } from "../model/sensor_batch.ts";
import type { FlushRecord } from "../model/flush_record.ts";

/** Publishes flush records as sensor batches. */
export class SensorPublisher {
  readonly #bus: ObservationBus;
  readonly #numberer: BatchNumberer;
  #chain: Promise<void> = Promise.resolve();
  #failure: Error | undefined;
  /** Batches handed to the bus. */
  published = 0;

  constructor(bus: ObservationBus, sensorId: string) {
    this.#bus = bus;
    this.#numberer = new BatchNumberer(sensorId);
  }

  /** Queues one flush record for publishing (returns at once). */
  publish(record: FlushRecord): void {
    const batch = this.#numberer.next(record);
    this.#chain = this.#chain.then(async () => {
      try {
        await this.#bus.publish(batch);
        this.published++;
      } catch (error) {
        this.#failure ??= error as Error;
      }
    });
  }

  /**
   * Resolves when every queued record was handed to the bus.
   *
   * @throws {Error} the first publishing failure
   */
  async drain(): Promise<void> {
    await this.#chain;
    if (this.#failure) throw this.#failure;
  }
}

/** The sensor id: the configured one, else the host name. */
export function sensorId(configured: string): string {
  if (configured) return configured;
  try {
    return Deno.hostname();
  } catch {
    return "local";
  }
}
