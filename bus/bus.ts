/**
 * The observation bus between sensors and the aggregator, and its live-event side channel for
 * the web UI. Two implementations: {@linkcode MemoryBus} (in-process, the embedded default) and
 * {@linkcode RedisBus} (Redis Streams, several sensor processes feeding one aggregator).
 *
 * Delivery is at least once: a batch is acknowledged only after the handler resolved (i.e. after
 * the database commit), so a crash replays it and the storage, idempotent by (sensor, boot, seq),
 * ignores the second copy. Nothing is dropped silently: every loss is counted in
 * {@linkcode BusStats.dropped} with its reason and logged once per state change.
 *
 * @module
 */

import type { SensorBatch } from "../model/sensor_batch.ts";

/** A live event for the web UI (new device, new flow, alert…). */
export interface LiveEvent {
  /** Dotted lowercase type, e.g. `device.new`. */
  type: string;
  /** ISO 8601 time of the event. */
  time: string;
  /** What the event is about (JSON-able). */
  data: Record<string, unknown>;
}

/** Receives each batch on the aggregator side; the batch is acknowledged when it resolves. */
export type BatchHandler = (batch: SensorBatch) => Promise<void>;

/** Why batches were lost. */
export interface DropCounts {
  /** Sensor side: the oldest buffered batches, pushed out while Redis was unreachable. */
  buffer_full: number;
  /** Batches still buffered or queued when the bus was stopped. */
  stopped: number;
  /** Stream entries trimmed by `MAXLEN` before the aggregator acknowledged them. */
  trimmed: number;
  /** Aggregator side: sequence numbers never received from a sensor (gaps in `seq`). */
  missing: number;
}

/** Counters of a bus (cumulative since it was created, except the gauges). */
export interface BusStats {
  /** Batches handed to {@linkcode ObservationBus.publish}. */
  published: number;
  /** Batches written to the bus (Redis: XADD answered; memory: queued). */
  delivered: number;
  /** Gauge: batches waiting in the sensor's buffer (memory: in the queue, not yet handled). */
  buffered: number;
  /** Gauge: bytes of those batches (memory: 0, batches are not encoded). */
  bufferedBytes: number;
  /** Batches lost, by reason. */
  dropped: DropCounts;
  /** Batches given to the handler whose handler resolved. */
  consumed: number;
  /** Batches acknowledged (after their handler resolved). */
  acked: number;
  /** Gauge: batches read by this consumer and not acknowledged yet. */
  pending: number;
  /** Handler rejections (each one is retried with back-off). */
  handlerFailures: number;
  /** Stream entries taken over from another (dead) consumer. */
  claimed: number;
  /** Payloads that could not be decoded, moved aside to the dead-letter stream. */
  deadLettered: number;
  /** Times a lost connection came back. */
  reconnects: number;
  /** Gauge: false while the bus is unreachable. */
  connected: boolean;
  /** Live events published, received by listeners here, and lost (bus unreachable or no room). */
  events: { published: number; received: number; dropped: number };
}

/** Fresh counters. */
export function newBusStats(): BusStats {
  return {
    published: 0,
    delivered: 0,
    buffered: 0,
    bufferedBytes: 0,
    dropped: { buffer_full: 0, stopped: 0, trimmed: 0, missing: 0 },
    consumed: 0,
    acked: 0,
    pending: 0,
    handlerFailures: 0,
    claimed: 0,
    deadLettered: 0,
    reconnects: 0,
    connected: true,
    events: { published: 0, received: 0, dropped: 0 },
  };
}

/** Where sensors hand over their flush records and the aggregator takes them. */
export interface ObservationBus {
  /** Sensor side: hands a batch over; resolves when the bus holds it (Redis: after XADD) or it is buffered. */
  publish(batch: SensorBatch): Promise<void>;
  /**
   * Aggregator side: calls handler for each batch in order per sensor; acks only after the handler
   * resolves; a handler rejection leaves the batch pending and retries with back-off. Resolves when
   * stop() is called.
   */
  consume(handler: BatchHandler): Promise<void>;
  /** Live events for the web UI: fire-and-forget publish (never rejects; losses are counted). */
  publishEvent(event: LiveEvent): Promise<void>;
  /** Calls `listener` for every live event; returns the function that unsubscribes. */
  subscribeEvents(listener: (event: LiveEvent) => void): () => void;
  /** A snapshot of the counters. */
  stats(): BusStats;
  /** Stops publishing and consuming (a running handler is awaited), and closes connections. */
  stop(): Promise<void>;
}

/** Writes one line for an operator (default: standard error, prefixed with `netsentinel: `). */
export type BusLog = (line: string) => void;

/** The default {@linkcode BusLog}. */
export function logToStderr(line: string): void {
  console.error(`netsentinel: ${line}`);
}
