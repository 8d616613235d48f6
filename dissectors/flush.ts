/**
 * Taking a flush: the engine's flow meter and observations drained into a {@linkcode FlushRecord}
 * (model/flush_record.ts), the plain record a sensor hands the aggregator every flush interval.
 *
 * @module
 */

import type { DissectionEngine } from "./engine.ts";
import { FLOW_STRIDE, FlowColumn } from "./flow/flow_meter.ts";
import {
  BUCKET_STRIDE,
  BucketColumn,
  type FlowColumns,
  type FlushRecord,
  SIGHTING_KEY_WORDS,
} from "../model/flush_record.ts";

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
