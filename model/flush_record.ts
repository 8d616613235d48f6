/**
 * The flush record: what a sensor hands the aggregator every flush interval.
 *
 * It is plain data (typed arrays and JSON-able objects) so it can be transferred to another
 * worker, written to a Redis stream or stored, and merged by the aggregator without knowing the
 * sensor's tables. Flow entry ids inside it (bucket rows) refer to its own `flows` arrays. The
 * sensor fills it (dissectors/flush.ts); the bus encodes it; the aggregator and storage read it.
 *
 * @module
 */

import type { IdentityAttribute, Severity } from "./observation.ts";
import type { EngineStats } from "./engine_stats.ts";

/** Columns of a bucket row, in order. */
export const BucketColumn = {
  FLOW: 0,
  MINUTE: 1,
  PACKETS: 2,
  BYTES: 3,
  MIN_SIZE: 4,
  MAX_SIZE: 5,
  SYN: 6,
  RST: 7,
  FIN: 8,
} as const;

/** Numbers per row. */
export const BUCKET_STRIDE = 9;

/** Words of a sighting key: MAC (2), IP (4), VLANs (1). */
export const SIGHTING_KEY_WORDS = 7;

/** An identity attribute with where and when it was heard. */
export interface IdentityRecord extends IdentityAttribute {
  mac: string | null;
  ip: string | null;
  vlan_id: number | null;
  /** Dissector that reported it. */
  source: string;
  first_seen_us: number;
  last_seen_us: number;
  count: number;
}

/** A protocol event or anomaly, aggregated over identical occurrences within one flush. */
export interface EventRecord {
  type: string;
  severity: Severity;
  /** `event` from {@linkcode Observer.event}, `anomaly` from {@linkcode Observer.anomaly}. */
  kind: "event" | "anomaly";
  /** Dissector that reported it. */
  source: string;
  mac: string | null;
  ip: string | null;
  src_mac: string | null;
  dst_mac: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  vlan_id: number | null;
  fields: Record<string, string | number | boolean>;
  first_seen_us: number;
  last_seen_us: number;
  count: number;
}

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
