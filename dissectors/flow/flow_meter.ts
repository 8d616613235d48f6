/**
 * Per-packet flow accounting: the sensor's pre-aggregation between two flushes.
 *
 * Every frame with a decodable link header lands in exactly one flow (see `flow_key.ts`). The
 * meter keeps, per flow, totals (packets, bytes on the wire, first/last seen, TCP flags seen) and
 * the current one-minute bucket (packets, bytes, min/max size, SYN/RST/FIN). When a flow's packet
 * falls in a later minute, its bucket is appended to a {@linkcode BucketLog}. Devices, VLANs and
 * protocol distributions are derived from flows by the aggregator, so the per-packet work is one
 * hash lookup and a few adds.
 *
 * Layout: each flow is a 128-byte record in the flow table's own key array (two adjacent cache
 * lines): words 0–13 the key, word 14 the TCP flags seen, word 15 the application dissector; then,
 * as float64s, the eight counters every packet touches. What only some packets touch (first seen,
 * SYN/RST/FIN counts, heuristic attempts) sits in a separate cold array. A packet then costs the
 * hash slot and one pair of cache lines (measured: one typed array per counter 2.4 Mpps, key and
 * counters in separate arrays 4.6, one record …).
 *
 * @module
 */

import type { Packet } from "../packet.ts";
import { FLOW_KEY_WORDS } from "../../model/flow_key.ts";
import { writeFlowKey } from "./flow_key_writer.ts";
import { PackedKeyTable } from "./packed_key_table.ts";
import { BucketLog } from "./bucket_log.ts";

/** Microseconds in a bucket (one minute, as the spec's `traffic_metrics` per-minute buckets). */
export const BUCKET_MICROS = 60_000_000;

/** Value of the APP column for a flow no dissector has looked at yet. */
export const APP_UNDECIDED = -1;
/** Value of the APP column for a flow no application dissector claimed. */
export const APP_NONE = -2;

/** Float64 slots of a flow record (after its 64 bytes of key words), touched by every packet. */
export const FlowColumn = {
  PACKETS: 8,
  BYTES: 9,
  LAST_US: 10,
  BUCKET_MINUTE: 11,
  BUCKET_PACKETS: 12,
  BUCKET_BYTES: 13,
  BUCKET_MIN: 14,
  BUCKET_MAX: 15,
} as const;

/** Slots of a flow's cold row: touched on insertion, by flagged TCP segments, by heuristics. */
export const ColdColumn = {
  FIRST_US: 0,
  BUCKET_SYN: 1,
  BUCKET_RST: 2,
  BUCKET_FIN: 3,
  HEURISTIC_TRIES: 4,
} as const;

/** Uint32 words per flow record (128 bytes). */
export const FLOW_RECORD_WORDS = 32;
/** Float64 slots per flow record. */
export const FLOW_STRIDE = 16;
/** Float64 slots per cold row. */
export const COLD_STRIDE = 8;
/** Word of the record holding the TCP flags seen. */
const FLAGS_WORD = 14;
/** Word of the record holding the application dissector + 2 (1 = undecided, 0 = none). */
const APP_WORD = 15;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;

/** Flow table with counters and the current bucket of each flow. */
export class FlowMeter {
  readonly table: PackedKeyTable;
  /** The records as float64s (same memory as `table.keys`). */
  rows: Float64Array = new Float64Array(0);
  /** Cold rows, {@linkcode COLD_STRIDE} values per flow. */
  cold: Float64Array = new Float64Array(0);
  /** Buckets closed since the last flush. */
  readonly closed: BucketLog = new BucketLog();

  /** @param capacity initial number of flows (the table grows as needed) */
  constructor(capacity = 1 << 18) {
    this.table = new PackedKeyTable(FLOW_KEY_WORDS, capacity, (entries, keys) => {
      this.rows = new Float64Array(keys.buffer);
      const cold = new Float64Array(entries * COLD_STRIDE);
      cold.set(this.cold);
      this.cold = cold;
    }, FLOW_RECORD_WORDS);
  }

  /** Number of flows. */
  get size(): number {
    return this.table.size;
  }

  /** The key of `flow` as text: names the flow across a flush, which renumbers flows. Allocates. */
  keyText(flow: number): string {
    const at = flow * FLOW_RECORD_WORDS;
    return this.table.keys.subarray(at, at + FLOW_KEY_WORDS).join(",");
  }

  /** Accounts one decoded packet (at `packet.timeUs`) and returns its flow entry id. */
  account(packet: Packet): number {
    const table = this.table;
    writeFlowKey(packet, table.key);
    const flow = table.findOrInsert();
    const rows = this.rows;
    const words = table.keys;
    const at = flow * FLOW_STRIDE;
    const timeUs = packet.timeUs;
    const size = packet.wirelen;
    const minute = Math.floor(timeUs / BUCKET_MICROS);
    if (table.inserted) {
      rows[at + FlowColumn.PACKETS] = 0;
      rows[at + FlowColumn.BYTES] = 0;
      rows[at + FlowColumn.LAST_US] = timeUs;
      words[flow * FLOW_RECORD_WORDS + FLAGS_WORD] = 0;
      words[flow * FLOW_RECORD_WORDS + APP_WORD] = APP_UNDECIDED + 2;
      const c = flow * COLD_STRIDE;
      this.cold.fill(0, c, c + COLD_STRIDE);
      this.cold[c + ColdColumn.FIRST_US] = timeUs;
      this.#openBucket(flow, minute, size);
    } else {
      if (timeUs > rows[at + FlowColumn.LAST_US]) rows[at + FlowColumn.LAST_US] = timeUs;
      else if (timeUs < this.cold[flow * COLD_STRIDE + ColdColumn.FIRST_US]) {
        this.cold[flow * COLD_STRIDE + ColdColumn.FIRST_US] = timeUs;
      }
      if (minute !== rows[at + FlowColumn.BUCKET_MINUTE]) {
        this.#closeBucket(flow);
        this.#openBucket(flow, minute, size);
      }
    }
    rows[at + FlowColumn.PACKETS]++;
    rows[at + FlowColumn.BYTES] += size;
    rows[at + FlowColumn.BUCKET_PACKETS]++;
    rows[at + FlowColumn.BUCKET_BYTES] += size;
    if (size < rows[at + FlowColumn.BUCKET_MIN]) rows[at + FlowColumn.BUCKET_MIN] = size;
    if (size > rows[at + FlowColumn.BUCKET_MAX]) rows[at + FlowColumn.BUCKET_MAX] = size;
    const flags = packet.tcpFlags;
    if (flags !== 0) {
      words[flow * FLOW_RECORD_WORDS + FLAGS_WORD] |= flags;
      if (flags & (TCP_SYN | TCP_RST | TCP_FIN)) {
        const c = flow * COLD_STRIDE;
        if (flags & TCP_SYN) this.cold[c + ColdColumn.BUCKET_SYN]++;
        if (flags & TCP_RST) this.cold[c + ColdColumn.BUCKET_RST]++;
        if (flags & TCP_FIN) this.cold[c + ColdColumn.BUCKET_FIN]++;
      }
    }
    return flow;
  }

  /** Application dissector of a flow ({@linkcode APP_UNDECIDED}, {@linkcode APP_NONE} or an index). */
  app(flow: number): number {
    return this.table.keys[flow * FLOW_RECORD_WORDS + APP_WORD] - 2;
  }

  /** Sets the application dissector of a flow and returns it. */
  setApp(flow: number, app: number): number {
    this.table.keys[flow * FLOW_RECORD_WORDS + APP_WORD] = app + 2;
    return app;
  }

  /** Counts one more heuristic attempt on a flow and returns how many were made before. */
  heuristicTry(flow: number): number {
    return this.cold[flow * COLD_STRIDE + ColdColumn.HEURISTIC_TRIES]++;
  }

  /** TCP flags seen on a flow. */
  tcpFlags(flow: number): number {
    return this.table.keys[flow * FLOW_RECORD_WORDS + FLAGS_WORD];
  }

  /** First time a flow was seen, µs. */
  firstUs(flow: number): number {
    return this.cold[flow * COLD_STRIDE + ColdColumn.FIRST_US];
  }

  /** The packed keys of flows 0 … count-1, contiguous (FLOW_KEY_WORDS each). */
  packedKeys(count: number): Uint32Array {
    const out = new Uint32Array(count * FLOW_KEY_WORDS);
    const words = this.table.keys;
    for (let flow = 0; flow < count; flow++) {
      const from = flow * FLOW_RECORD_WORDS;
      const to = flow * FLOW_KEY_WORDS;
      for (let w = 0; w < FLOW_KEY_WORDS; w++) out[to + w] = words[from + w];
    }
    return out;
  }

  /** Appends every flow's open bucket to {@linkcode closed} (at a flush). */
  closeAllBuckets(): void {
    for (let flow = 0; flow < this.table.size; flow++) this.#closeBucket(flow);
  }

  /** Forgets all flows and buckets (after a flush was handed over). */
  clear(): void {
    this.table.clear();
    this.closed.clear();
  }

  #openBucket(flow: number, minute: number, size: number): void {
    const rows = this.rows;
    const at = flow * FLOW_STRIDE;
    rows[at + FlowColumn.BUCKET_MINUTE] = minute;
    rows[at + FlowColumn.BUCKET_PACKETS] = 0;
    rows[at + FlowColumn.BUCKET_BYTES] = 0;
    rows[at + FlowColumn.BUCKET_MIN] = size;
    rows[at + FlowColumn.BUCKET_MAX] = size;
    const c = flow * COLD_STRIDE;
    this.cold[c + ColdColumn.BUCKET_SYN] = 0;
    this.cold[c + ColdColumn.BUCKET_RST] = 0;
    this.cold[c + ColdColumn.BUCKET_FIN] = 0;
  }

  #closeBucket(flow: number): void {
    const rows = this.rows;
    const at = flow * FLOW_STRIDE;
    if (rows[at + FlowColumn.BUCKET_PACKETS] === 0) return;
    const c = flow * COLD_STRIDE;
    this.closed.append(
      flow,
      rows[at + FlowColumn.BUCKET_MINUTE],
      rows[at + FlowColumn.BUCKET_PACKETS],
      rows[at + FlowColumn.BUCKET_BYTES],
      rows[at + FlowColumn.BUCKET_MIN],
      rows[at + FlowColumn.BUCKET_MAX],
      this.cold[c + ColdColumn.BUCKET_SYN],
      this.cold[c + ColdColumn.BUCKET_RST],
      this.cold[c + ColdColumn.BUCKET_FIN],
    );
    rows[at + FlowColumn.BUCKET_PACKETS] = 0;
  }
}

/** Copies `from` into the start of `to` and returns `to`. */
export function grow<T extends Float64Array | Uint32Array | Int16Array | Uint8Array | Int32Array>(
  from: T,
  to: T,
): T {
  to.set(from as unknown as ArrayLike<number>);
  return to;
}
