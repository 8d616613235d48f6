/**
 * The aggregator's state: every flush record merged into running totals.
 *
 * Flows are merged by their packed key (totals added, first seen kept, last seen advanced), buckets
 * by (flow, minute) (counts added, min/max combined), sightings, identities and events by their
 * identity. Devices, IPs, VLANs and protocol distributions are derived from this state on demand
 * (see `inventory_view.ts`), so there is one source of truth.
 *
 * @module
 */

import type { FlushRecord } from "../model/flush_record.ts";
import type { EventRecord, IdentityRecord } from "../model/flush_record.ts";
import { SIGHTING_KEY_WORDS } from "../model/flush_record.ts";
import type { EngineStats } from "../model/engine_stats.ts";
import { FLOW_KEY_WORDS } from "../model/flow_key.ts";
import { grow } from "../dissectors/flow/flow_meter.ts";
import { PackedKeyTable } from "../dissectors/flow/packed_key_table.ts";
import { BucketLog } from "../dissectors/flow/bucket_log.ts";
import { BUCKET_STRIDE, BucketColumn } from "../model/flush_record.ts";

/** Columns of {@linkcode Inventory.bucketValues}, {@linkcode BUCKET_VALUES} numbers per bucket entry. */
export const BucketValue = {
  PACKETS: 0,
  BYTES: 1,
  MIN_SIZE: 2,
  MAX_SIZE: 3,
  SYN: 4,
  RST: 5,
  FIN: 6,
} as const;

/** Numbers per bucket entry in {@linkcode Inventory.bucketValues}. */
export const BUCKET_VALUES = 7;

/** Pending bucket rows folded into the bucket table at the latest (about 75 MB of rows). */
const PENDING_BUCKETS_LIMIT = 1 << 20;

/** Merged state of every flush received. */
export class Inventory {
  readonly flows: PackedKeyTable;
  flowFirstUs = new Float64Array(0);
  flowLastUs = new Float64Array(0);
  flowPackets = new Float64Array(0);
  flowBytes = new Float64Array(0);
  flowTcpFlags = new Uint8Array(0);
  flowSyn = new Float64Array(0);
  flowRst = new Float64Array(0);
  flowFin = new Float64Array(0);
  /** Index in {@linkcode applicationNames}, or -1. */
  flowApp = new Int16Array(0);
  /** Application protocol names (dissector names), shared by every sensor. */
  readonly applicationNames: string[] = [];

  /**
   * Buckets keyed by (flow entry, minute), complete only after {@linkcode settleBuckets}: merges
   * append bucket rows to a pending log and fold it in when it grows large or when asked.
   */
  readonly buckets: PackedKeyTable;
  readonly #pendingBuckets: BucketLog = new BucketLog();
  /** Bucket values, {@linkcode BUCKET_VALUES} per entry of {@linkcode buckets} (columns: {@linkcode BucketValue}). */
  bucketValues = new Float64Array(0);

  readonly sightings: PackedKeyTable;
  sightingFirstUs = new Float64Array(0);
  sightingLastUs = new Float64Array(0);
  sightingSeen = new Float64Array(0);

  readonly identities: Map<string, IdentityRecord> = new Map();
  readonly events: Map<string, EventRecord> = new Map();
  /** Latest engine counters per sensor, with the names of that sensor's dissectors by index. */
  readonly sensorStats: Map<string, EngineStats & { dissectorNames: string[] }> = new Map();

  constructor() {
    this.flows = new PackedKeyTable(FLOW_KEY_WORDS, 1 << 16, (n) => this.#growFlows(n));
    this.buckets = new PackedKeyTable(2, 1 << 16, (n) => {
      this.bucketValues = grow(this.bucketValues, new Float64Array(n * BUCKET_VALUES));
    });
    this.sightings = new PackedKeyTable(SIGHTING_KEY_WORDS, 256, (n) => {
      this.sightingFirstUs = grow(this.sightingFirstUs, new Float64Array(n));
      this.sightingLastUs = grow(this.sightingLastUs, new Float64Array(n));
      this.sightingSeen = grow(this.sightingSeen, new Float64Array(n));
    });
  }

  /** Merges one flush record from sensor `sensor`. */
  merge(record: FlushRecord, sensor = "local"): void {
    const entries = this.#mergeFlows(record);
    this.#appendBuckets(record.buckets, entries);
    this.#mergeSightings(record);
    for (const identity of record.identities) this.#mergeIdentity(identity);
    for (const event of record.events) this.#mergeEvent(event);
    this.sensorStats.set(sensor, { ...record.stats, dissectorNames: record.dissectorNames });
  }

  #mergeFlows(record: FlushRecord): Int32Array {
    const flows = record.flows;
    const entries = new Int32Array(flows.count);
    const appIndex = record.dissectorNames.map((name) => this.#applicationIndex(name));
    const table = this.flows;
    if (table.size === 0) return this.#adoptFlows(record, appIndex);
    table.reserve(table.size + flows.count);
    for (let i = 0; i < flows.count; i++) {
      const entry = table.findOrInsertFrom(flows.keys, i * FLOW_KEY_WORDS);
      entries[i] = entry;
      if (table.inserted) {
        this.flowFirstUs[entry] = flows.firstUs[i];
        this.flowLastUs[entry] = flows.lastUs[i];
        this.flowPackets[entry] = 0;
        this.flowBytes[entry] = 0;
        this.flowTcpFlags[entry] = 0;
        this.flowSyn[entry] = this.flowRst[entry] = this.flowFin[entry] = 0;
        this.flowApp[entry] = -1;
      } else {
        this.flowFirstUs[entry] = Math.min(this.flowFirstUs[entry], flows.firstUs[i]);
        this.flowLastUs[entry] = Math.max(this.flowLastUs[entry], flows.lastUs[i]);
      }
      this.flowPackets[entry] += flows.packets[i];
      this.flowBytes[entry] += flows.bytes[i];
      this.flowTcpFlags[entry] |= flows.tcpFlags[i];
      this.flowSyn[entry] += flows.syn[i];
      this.flowRst[entry] += flows.rst[i];
      this.flowFin[entry] += flows.fin[i];
      if (flows.app[i] >= 0) this.flowApp[entry] = appIndex[flows.app[i]];
    }
    return entries;
  }

  /** First flush into an empty inventory: its flows are distinct, take them as they are. */
  #adoptFlows(record: FlushRecord, appIndex: number[]): Int32Array {
    const flows = record.flows;
    const count = flows.count;
    this.flows.insertDistinct(flows.keys, count);
    this.flowFirstUs.set(flows.firstUs);
    this.flowLastUs.set(flows.lastUs);
    this.flowPackets.set(flows.packets);
    this.flowBytes.set(flows.bytes);
    this.flowTcpFlags.set(flows.tcpFlags);
    this.flowSyn.set(flows.syn);
    this.flowRst.set(flows.rst);
    this.flowFin.set(flows.fin);
    const entries = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      entries[i] = i;
      this.flowApp[i] = flows.app[i] >= 0 ? appIndex[flows.app[i]] : -1;
    }
    return entries;
  }

  #appendBuckets(rows: Float64Array, entries: Int32Array): void {
    const pending = this.#pendingBuckets;
    for (let at = 0; at < rows.length; at += BUCKET_STRIDE) {
      pending.append(
        entries[rows[at + BucketColumn.FLOW]],
        rows[at + BucketColumn.MINUTE],
        rows[at + BucketColumn.PACKETS],
        rows[at + BucketColumn.BYTES],
        rows[at + BucketColumn.MIN_SIZE],
        rows[at + BucketColumn.MAX_SIZE],
        rows[at + BucketColumn.SYN],
        rows[at + BucketColumn.RST],
        rows[at + BucketColumn.FIN],
      );
    }
    if (pending.size > PENDING_BUCKETS_LIMIT) this.settleBuckets();
  }

  /** Folds the pending bucket rows into {@linkcode buckets}. */
  settleBuckets(): void {
    const pending = this.#pendingBuckets;
    const rows = pending.rows;
    const table = this.buckets;
    table.reserve(table.size + pending.size);
    for (let at = 0; at < pending.size * BUCKET_STRIDE; at += BUCKET_STRIDE) {
      table.key[0] = rows[at + BucketColumn.FLOW];
      table.key[1] = rows[at + BucketColumn.MINUTE];
      const entry = table.findOrInsert();
      const v = entry * BUCKET_VALUES;
      const values = this.bucketValues;
      if (table.inserted) {
        values.fill(0, v, v + BUCKET_VALUES);
        values[v + BucketValue.MIN_SIZE] = rows[at + BucketColumn.MIN_SIZE];
        values[v + BucketValue.MAX_SIZE] = rows[at + BucketColumn.MAX_SIZE];
      } else {
        values[v + BucketValue.MIN_SIZE] = Math.min(
          values[v + BucketValue.MIN_SIZE],
          rows[at + BucketColumn.MIN_SIZE],
        );
        values[v + BucketValue.MAX_SIZE] = Math.max(
          values[v + BucketValue.MAX_SIZE],
          rows[at + BucketColumn.MAX_SIZE],
        );
      }
      values[v + BucketValue.PACKETS] += rows[at + BucketColumn.PACKETS];
      values[v + BucketValue.BYTES] += rows[at + BucketColumn.BYTES];
      values[v + BucketValue.SYN] += rows[at + BucketColumn.SYN];
      values[v + BucketValue.RST] += rows[at + BucketColumn.RST];
      values[v + BucketValue.FIN] += rows[at + BucketColumn.FIN];
    }
    pending.clear();
  }

  #mergeSightings(record: FlushRecord): void {
    const sightings = record.sightings;
    const table = this.sightings;
    for (let i = 0; i < sightings.count; i++) {
      const entry = table.findOrInsertFrom(sightings.keys, i * SIGHTING_KEY_WORDS);
      if (table.inserted) {
        this.sightingFirstUs[entry] = sightings.firstUs[i];
        this.sightingLastUs[entry] = sightings.lastUs[i];
        this.sightingSeen[entry] = 0;
      } else {
        this.sightingFirstUs[entry] = Math.min(this.sightingFirstUs[entry], sightings.firstUs[i]);
        this.sightingLastUs[entry] = Math.max(this.sightingLastUs[entry], sightings.lastUs[i]);
      }
      this.sightingSeen[entry] += sightings.seen[i];
    }
  }

  #mergeIdentity(identity: IdentityRecord): void {
    const id =
      `${identity.mac}|${identity.ip}|${identity.vlan_id}|${identity.source}|${identity.key}|${identity.value}`;
    const known = this.identities.get(id);
    if (!known) {
      this.identities.set(id, { ...identity });
      return;
    }
    known.first_seen_us = Math.min(known.first_seen_us, identity.first_seen_us);
    known.last_seen_us = Math.max(known.last_seen_us, identity.last_seen_us);
    known.confidence = Math.max(known.confidence, identity.confidence);
    known.count += identity.count;
  }

  #mergeEvent(event: EventRecord): void {
    const id =
      `${event.type}|${event.kind}|${event.src_mac}|${event.dst_mac}|${event.src_ip}|${event.dst_ip}|${event.mac}|${event.ip}|${event.vlan_id}|${
        JSON.stringify(event.fields)
      }`;
    const known = this.events.get(id);
    if (!known) {
      this.events.set(id, { ...event, fields: { ...event.fields } });
      return;
    }
    known.first_seen_us = Math.min(known.first_seen_us, event.first_seen_us);
    known.last_seen_us = Math.max(known.last_seen_us, event.last_seen_us);
    known.count += event.count;
  }

  #applicationIndex(name: string): number {
    let index = this.applicationNames.indexOf(name);
    if (index < 0) index = this.applicationNames.push(name) - 1;
    return index;
  }

  #growFlows(entries: number): void {
    this.flowFirstUs = grow(this.flowFirstUs, new Float64Array(entries));
    this.flowLastUs = grow(this.flowLastUs, new Float64Array(entries));
    this.flowPackets = grow(this.flowPackets, new Float64Array(entries));
    this.flowBytes = grow(this.flowBytes, new Float64Array(entries));
    this.flowTcpFlags = grow(this.flowTcpFlags, new Uint8Array(entries));
    this.flowSyn = grow(this.flowSyn, new Float64Array(entries));
    this.flowRst = grow(this.flowRst, new Float64Array(entries));
    this.flowFin = grow(this.flowFin, new Float64Array(entries));
    this.flowApp = grow(this.flowApp, new Int16Array(entries));
  }
}
