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
import { FLOW_STRIDE, FlowColumn } from "../aggregator/flow_meter.ts";
import { BUCKET_STRIDE, BucketColumn } from "../aggregator/bucket_log.ts";
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

/** Every typed array of a record, in a fixed order (for transfer lists and binary encodings). */
export function flushArrays(
  record: FlushRecord,
): (Uint32Array | Float64Array | Uint8Array | Int16Array)[] {
  const { flows, sightings } = record;
  return [
    flows.keys,
    flows.firstUs,
    flows.lastUs,
    flows.packets,
    flows.bytes,
    flows.tcpFlags,
    flows.syn,
    flows.rst,
    flows.fin,
    flows.app,
    record.buckets,
    sightings.keys,
    sightings.firstUs,
    sightings.lastUs,
    sightings.seen,
  ];
}

/** Drains an engine into a flush record (closing every open bucket) and clears it. */
export function takeFlush(engine: DissectionEngine): FlushRecord {
  const meter = engine.meter;
  meter.closeAllBuckets();
  const count = meter.size;
  const flows: FlowColumns = {
    count,
    keys: meter.packedKeys(count),
    firstUs: new Float64Array(count),
    lastUs: new Float64Array(count),
    packets: new Float64Array(count),
    bytes: new Float64Array(count),
    tcpFlags: new Uint8Array(count),
    syn: new Uint32Array(count),
    rst: new Uint32Array(count),
    fin: new Uint32Array(count),
    app: new Int16Array(count),
  };
  const rows = meter.rows;
  for (let flow = 0; flow < count; flow++) {
    const at = flow * FLOW_STRIDE;
    flows.firstUs[flow] = meter.firstUs(flow);
    flows.lastUs[flow] = rows[at + FlowColumn.LAST_US];
    flows.packets[flow] = rows[at + FlowColumn.PACKETS];
    flows.bytes[flow] = rows[at + FlowColumn.BYTES];
    flows.tcpFlags[flow] = meter.tcpFlags(flow);
    const app = meter.app(flow);
    flows.app[flow] = app >= 0 ? app : -1;
  }
  // Flow totals of SYN/RST/FIN are the sums of the flow's buckets (every bucket is closed now).
  const buckets = meter.closed.snapshot();
  for (let at = 0; at < buckets.length; at += BUCKET_STRIDE) {
    const flow = buckets[at + BucketColumn.FLOW];
    flows.syn[flow] += buckets[at + BucketColumn.SYN];
    flows.rst[flow] += buckets[at + BucketColumn.RST];
    flows.fin[flow] += buckets[at + BucketColumn.FIN];
  }
  const observations = engine.observations;
  engine.stats.observationsDropped += observations.dropped;
  // Before the flow table is cleared: what TCP flows carried and the PDUs they wait to complete are
  // kept by flow key (a flush renumbers flows).
  engine.stats.tcpReassemblyDropped += engine.tcpReassembly.carryOver((flow) => meter.keyText(flow));
  engine.tcpSequences.carryOver((flow) => meter.keyText(flow));
  const sightingCount = observations.sightings.size;
  const record: FlushRecord = {
    dissectorNames: engine.registry.dissectors.map((dissector) => dissector.name),
    flows,
    buckets,
    sightings: {
      count: sightingCount,
      keys: observations.sightings.keys.slice(0, sightingCount * SIGHTING_KEY_WORDS),
      firstUs: observations.sightingFirstUs.slice(0, sightingCount),
      lastUs: observations.sightingLastUs.slice(0, sightingCount),
      seen: observations.sightingCount.slice(0, sightingCount),
    },
    identities: observations.identityRecords(),
    events: observations.eventRecords(),
    stats: structuredClone(engine.stats),
  };
  meter.clear();
  observations.clear();
  return record;
}
