/**
 * The flush record: what a sensor hands the aggregator every flush interval.
 *
 * It is plain data (typed arrays and JSON-able objects) so it can be transferred to another
 * worker, written to a Redis stream or stored, and merged by the aggregator without knowing the
 * sensor's tables. Flow entry ids inside it (bucket rows) refer to its own `flows` arrays.
 *
 * @module
 */

import type { DissectionEngine } from "./engine.ts";
import type { EventRecord, IdentityRecord } from "./observations.ts";
import type { EngineStats } from "./engine_stats.ts";
import { FLOW_KEY_WORDS } from "../aggregator/flow_key.ts";
import { SIGHTING_KEY_WORDS } from "./observations.ts";

/** Flows accounted during one flush interval, as parallel arrays. */
export interface FlowColumns {
  count: number;
  /** Packed keys, `FLOW_KEY_WORDS` words each (see aggregator/flow_key.ts). */
  keys: Uint32Array;
  firstUs: Float64Array;
  lastUs: Float64Array;
  packets: Float64Array;
  bytes: Float64Array;
  tcpFlags: Uint8Array;
  syn: Uint32Array;
  rst: Uint32Array;
  fin: Uint32Array;
  /** Index in `FlushRecord.dissectorNames` of the application dissector, or -1. */
  app: Int16Array;
}

/** MAC↔IP sightings from payloads (ARP, NDP…), as parallel arrays. */
export interface SightingColumns {
  count: number;
  /** Packed keys, `SIGHTING_KEY_WORDS` words each (see dissectors/observations.ts). */
  keys: Uint32Array;
  firstUs: Float64Array;
  lastUs: Float64Array;
  seen: Uint32Array;
}

/** Everything one sensor accounted during one flush interval. */
export interface FlushRecord {
  /** Names of the sensor's dissectors, by index. */
  dissectorNames: string[];
  flows: FlowColumns;
  /** Closed one-minute buckets, rows of `BUCKET_STRIDE` numbers (see aggregator/bucket_log.ts). */
  buckets: Float64Array;
  sightings: SightingColumns;
  identities: IdentityRecord[];
  events: EventRecord[];
  /** Cumulative engine counters at the time of the flush. */
  stats: EngineStats;
}

/** Drains an engine into a flush record (closing every open bucket) and clears it. */
export function takeFlush(engine: DissectionEngine): FlushRecord {
  const meter = engine.meter;
  meter.closeAllBuckets();
  const count = meter.size;
  const app = meter.app.slice(0, count);
  for (let i = 0; i < count; i++) if (app[i] < 0) app[i] = -1;
  const observations = engine.observations;
  const sightingCount = observations.sightings.size;
  const record: FlushRecord = {
    dissectorNames: engine.registry.dissectors.map((dissector) => dissector.name),
    flows: {
      count,
      keys: meter.table.keys.slice(0, count * FLOW_KEY_WORDS),
      firstUs: meter.firstUs.slice(0, count),
      lastUs: meter.lastUs.slice(0, count),
      packets: meter.packets.slice(0, count),
      bytes: meter.bytes.slice(0, count),
      tcpFlags: meter.tcpFlags.slice(0, count),
      syn: meter.syn.slice(0, count),
      rst: meter.rst.slice(0, count),
      fin: meter.fin.slice(0, count),
      app,
    },
    buckets: meter.closed.snapshot(),
    sightings: {
      count: sightingCount,
      keys: observations.sightings.keys.slice(0, sightingCount * SIGHTING_KEY_WORDS),
      firstUs: observations.sightingFirstUs.slice(0, sightingCount),
      lastUs: observations.sightingLastUs.slice(0, sightingCount),
      seen: observations.sightingCount.slice(0, sightingCount),
    },
    identities: [...observations.identities.values()],
    events: [...observations.events.values()],
    stats: structuredClone(engine.stats),
  };
  meter.clear();
  observations.clear();
  return record;
}
