/**
 * The sensor's side of the bus: numbers each flush record (sensor id, boot, sequence) and
 * publishes it in order. Flush records arrive synchronously from the dissector workers and are
 * handed to the bus at once: both buses admit batches in call order, and a batch waiting for room
 * (the in-process bus's back-pressure) is then held, and counted, by the bus itself.
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
  readonly #pending = new Set<Promise<void>>();
  #failure: Error | undefined;
  /** Batches numbered (given to {@linkcode publish}). */
  numbered = 0;
  /** Batches the bus took (its publish resolved). */
  published = 0;

  constructor(bus: ObservationBus, sensorId: string) {
    this.#bus = bus;
    this.#numberer = new BatchNumberer(sensorId);
  }

  /** Hands one flush record to the bus (returns at once). */
  publish(record: FlushRecord): void {
    const batch = this.#numberer.next(record);
    this.numbered++;
    const done: Promise<void> = this.#bus.publish(batch).then(
      () => void this.published++,
      (error) => void (this.#failure ??= error as Error),
    ).finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }

  /**
   * Resolves when every queued record was handed to the bus.
   *
   * @throws {Error} the first publishing failure
   */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
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
