/**
 * Per-packet flow accounting: the sensor's pre-aggregation between two flushes.
 *
 * Every frame with a decodable link header lands in exactly one flow (see `flow_key.ts`). The
 * meter keeps, per flow, totals (packets, bytes on the wire, first/last seen, TCP flags seen,
 * SYN/RST/FIN counts) and the current one-minute bucket (packets, bytes, min/max size, SYN/RST/FIN),
 * all in typed arrays indexed by flow entry id. When a flow's packet falls in a later minute, its
 * bucket is appended to a {@linkcode BucketLog}. Devices, VLANs and protocol distributions are
 * derived from flows by the aggregator, so the per-packet work is one hash lookup and a few adds.
 *
 * @module
 */

import type { Packet } from "../dissectors/packet.ts";
import { FLOW_KEY_WORDS, writeFlowKey } from "./flow_key.ts";
import { PackedKeyTable } from "./packed_key_table.ts";
import { BucketLog } from "./bucket_log.ts";

/** Microseconds in a bucket (one minute, as the spec's `traffic_metrics` per-minute buckets). */
export const BUCKET_MICROS = 60_000_000;

/** Value of {@linkcode FlowMeter.app} for a flow no dissector has looked at yet. */
export const APP_UNDECIDED = -1;
/** Value of {@linkcode FlowMeter.app} for a flow no application dissector claimed. */
export const APP_NONE = -2;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;

/** Flow table with counters and the current bucket of each flow. */
export class FlowMeter {
  readonly table: PackedKeyTable;
  firstUs = new Float64Array(0);
  lastUs = new Float64Array(0);
  packets = new Float64Array(0);
  bytes = new Float64Array(0);
  tcpFlags = new Uint8Array(0);
  syn = new Uint32Array(0);
  rst = new Uint32Array(0);
  fin = new Uint32Array(0);
  /** Application dissector index claiming the flow, {@linkcode APP_UNDECIDED} or {@linkcode APP_NONE}. */
  app = new Int16Array(0);
  /** Payload packets offered to heuristic probes so far. */
  heuristicTries = new Uint8Array(0);
  bucketMinute = new Float64Array(0);
  bucketPackets = new Uint32Array(0);
  bucketBytes = new Float64Array(0);
  bucketMin = new Uint32Array(0);
  bucketMax = new Uint32Array(0);
  bucketSyn = new Uint32Array(0);
  bucketRst = new Uint32Array(0);
  bucketFin = new Uint32Array(0);
  /** Buckets closed since the last flush. */
  readonly closed: BucketLog = new BucketLog();

  /** @param capacity initial number of flows */
  constructor(capacity = 1 << 16) {
    this.table = new PackedKeyTable(FLOW_KEY_WORDS, capacity, (entries) => this.#resize(entries));
  }

  /** Number of flows. */
  get size(): number {
    return this.table.size;
  }

  /**
   * Accounts one decoded packet (at `packet.timeUs`) and returns its flow entry id.
   */
  account(packet: Packet): number {
    const table = this.table;
    const timeUs = packet.timeUs;
    writeFlowKey(packet, table.key);
    const flow = table.findOrInsert();
    const size = packet.wirelen;
    const flags = packet.tcpFlags;
    const minute = Math.floor(timeUs / BUCKET_MICROS);
    if (table.inserted) {
      this.firstUs[flow] = timeUs;
      this.lastUs[flow] = timeUs;
      this.packets[flow] = 0;
      this.bytes[flow] = 0;
      this.tcpFlags[flow] = 0;
      this.syn[flow] = 0;
      this.rst[flow] = 0;
      this.fin[flow] = 0;
      this.app[flow] = APP_UNDECIDED;
      this.heuristicTries[flow] = 0;
      this.#openBucket(flow, minute, size);
    } else {
      if (timeUs > this.lastUs[flow]) this.lastUs[flow] = timeUs;
      else if (timeUs < this.firstUs[flow]) this.firstUs[flow] = timeUs;
      if (minute !== this.bucketMinute[flow]) {
        this.#closeBucket(flow);
        this.#openBucket(flow, minute, size);
      }
    }
    this.packets[flow]++;
    this.bytes[flow] += size;
    this.bucketPackets[flow]++;
    this.bucketBytes[flow] += size;
    if (size < this.bucketMin[flow]) this.bucketMin[flow] = size;
    if (size > this.bucketMax[flow]) this.bucketMax[flow] = size;
    if (flags !== 0) {
      this.tcpFlags[flow] |= flags;
      if (flags & TCP_SYN) {
        this.syn[flow]++;
        this.bucketSyn[flow]++;
      }
      if (flags & TCP_RST) {
        this.rst[flow]++;
        this.bucketRst[flow]++;
      }
      if (flags & TCP_FIN) {
        this.fin[flow]++;
        this.bucketFin[flow]++;
      }
    }
    return flow;
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
    this.bucketMinute[flow] = minute;
    this.bucketPackets[flow] = 0;
    this.bucketBytes[flow] = 0;
    this.bucketMin[flow] = size;
    this.bucketMax[flow] = size;
    this.bucketSyn[flow] = 0;
    this.bucketRst[flow] = 0;
    this.bucketFin[flow] = 0;
  }

  #closeBucket(flow: number): void {
    if (this.bucketPackets[flow] === 0) return;
    this.closed.append(
      flow,
      this.bucketMinute[flow],
      this.bucketPackets[flow],
      this.bucketBytes[flow],
      this.bucketMin[flow],
      this.bucketMax[flow],
      this.bucketSyn[flow],
      this.bucketRst[flow],
      this.bucketFin[flow],
    );
    this.bucketPackets[flow] = 0;
  }

  #resize(entries: number): void {
    this.firstUs = grow(this.firstUs, new Float64Array(entries));
    this.lastUs = grow(this.lastUs, new Float64Array(entries));
    this.packets = grow(this.packets, new Float64Array(entries));
    this.bytes = grow(this.bytes, new Float64Array(entries));
    this.tcpFlags = grow(this.tcpFlags, new Uint8Array(entries));
    this.syn = grow(this.syn, new Uint32Array(entries));
    this.rst = grow(this.rst, new Uint32Array(entries));
    this.fin = grow(this.fin, new Uint32Array(entries));
    this.app = grow(this.app, new Int16Array(entries));
    this.heuristicTries = grow(this.heuristicTries, new Uint8Array(entries));
    this.bucketMinute = grow(this.bucketMinute, new Float64Array(entries));
    this.bucketPackets = grow(this.bucketPackets, new Uint32Array(entries));
    this.bucketBytes = grow(this.bucketBytes, new Float64Array(entries));
    this.bucketMin = grow(this.bucketMin, new Uint32Array(entries));
    this.bucketMax = grow(this.bucketMax, new Uint32Array(entries));
    this.bucketSyn = grow(this.bucketSyn, new Uint32Array(entries));
    this.bucketRst = grow(this.bucketRst, new Uint32Array(entries));
    this.bucketFin = grow(this.bucketFin, new Uint32Array(entries));
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
