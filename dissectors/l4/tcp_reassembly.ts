/**
 * Joins a PDU split over TCP segments, for dissectors that ask for it with
 * {@linkcode Packet.desegment} (Wireshark calls it desegmentation). A dissector that finds a PDU
 * longer than what is left of the segment asks for the rest; the engine keeps the bytes from the
 * PDU's start, adds the flow's next segments as they arrive in sequence (up to the PDU's length
 * when the dissector gave it), then runs the dissector once on a packet whose payload is the kept
 * bytes followed by the last segment's payload. The joined packet is
 * built in a scratch buffer that also holds a copy of the frame's headers, so every address offset
 * stays valid; the packet's fields are put back afterwards.
 *
 * Given up (counted in `tcp_reassembly_dropped`, the kept bytes freed): when the next segment of
 * the flow is not the expected one (lost, out of order — a retransmission is skipped before it
 * gets here), when a PDU grows past {@linkcode MAX_REASSEMBLY_BYTES}, and when more than
 * {@linkcode MAX_PENDING_FLOWS} flows wait at once. Only complete frames are kept: a frame cut by
 * the snapshot length has no rest to join.
 *
 * A flush reuses flow numbers, so the PDUs waiting then are carried over by flow key: the flow's
 * first payload segment after the flush claims its PDU (the same result whatever the flush
 * times); one not claimed by the next flush is given up.
 *
 * Memory: at most {@linkcode MAX_PENDING_FLOWS} × {@linkcode MAX_REASSEMBLY_BYTES} (≈ 66 MiB in the
 * worst case; a few KiB in practice), waiting and carried over together. Allocates only when a PDU
 * is split, and reuses the objects and buffers of finished PDUs.
 *
 * @module
 */

import { MAX_REASSEMBLY_BYTES, type Packet } from "../packet.ts";
import type { EngineStats } from "../../model/engine_stats.ts";

/** Most flows with a PDU waiting for its next segment (carried over a flush or not). */
export const MAX_PENDING_FLOWS = 1024;
/** PDU objects kept for reuse. */
const FREE_PDUS = 64;

/** The start of a PDU, kept until the flow's next segments. */
export interface PendingPdu {
  /** Kept bytes in `buffer[0 … length)`; the buffer grows by doubling. */
  buffer: Uint8Array;
  length: number;
  /** Bytes the PDU needs in all (0: unknown, ask the dissector with every segment). */
  needed: number;
  /** Sequence number of `buffer[0]`. */
  startSeq: number;
  /** Sequence number the flow's next segment must start with. */
  nextSeq: number;
}

/** What {@linkcode TcpReassembly.offer} did with a segment. */
export const Offered = {
  /** No PDU waits on this flow: decode the segment as it is. */
  NONE: 0,
  /** The segment was added to the PDU, which still needs more: nothing to decode now. */
  GATHERED: 1,
  /** Decode the joined bytes ({@linkcode TcpReassembly.runJoined}). */
  JOIN: 2,
  /** A PDU waited but this is not its next segment: given up; decode the segment as it is. */
  DROPPED: 3,
} as const;

/** PDUs waiting for the rest of their bytes, per flow. */
export class TcpReassembly {
  readonly #pending = new Map<number, PendingPdu>();
  #scratch = new Uint8Array(4096);
  #scratchView = new DataView(this.#scratch.buffer);
  /** The PDU {@linkcode offer} returned JOIN for. */
  #joining: PendingPdu | null = null;
  /**
   * PDUs done with, buffers included, for the next split PDU: allocating a typed array costs about
   * a microsecond, a cost a capture splitting every other PDU would pay per packet.
   */
  readonly #free: PendingPdu[] = [];
  /** PDUs waiting at the last flush, by flow key (see {@linkcode carryOver}). */
  readonly #carried = new Map<string, PendingPdu>();

  /** Flows waiting, including those carried over a flush (0 on the fast path: one comparison per segment). */
  get size(): number {
    return this.#pending.size + this.#carried.size;
  }

  /** PDUs carried over the last flush and not claimed yet. */
  get carried(): number {
    return this.#carried.size;
  }

  /** Makes the PDU carried over for the flow whose key text is `key` the one `flow` waits with. */
  claim(flow: number, key: string): void {
    const pending = this.#carried.get(key);
    if (pending === undefined) return;
    this.#carried.delete(key);
    this.#pending.set(flow, pending);
  }

  /**
   * At a flush, before the flow table is cleared: the waiting PDUs are kept by flow key
   * (`keyOf(flow)`), and those carried over the previous flush and never claimed are given up.
   * Returns how many were given up.
   */
  carryOver(keyOf: (flow: number) => string): number {
    const dropped = this.#carried.size;
    for (const pending of this.#carried.values()) this.#release(pending);
    this.#carried.clear();
    for (const [flow, pending] of this.#pending) this.#carried.set(keyOf(flow), pending);
    this.#pending.clear();
    return dropped;
  }

  /**
   * The current segment of `flow`, seen by the reassembly first: added to the PDU the flow keeps
   * when it is the next one in sequence, else the PDU is given up.
   */
  offer(flow: number, packet: Packet, stats: EngineStats): number {
    const pending = this.#pending.get(flow);
    if (pending === undefined) return Offered.NONE;
    const length = packet.payloadLength;
    if (
      packet.tcpSeq !== pending.nextSeq || packet.caplen < packet.wirelen ||
      pending.length + length > MAX_REASSEMBLY_BYTES
    ) {
      this.#pending.delete(flow);
      this.#release(pending);
      stats.tcpReassemblyDropped++;
      return Offered.DROPPED;
    }
    stats.tcpReassembled++;
    pending.nextSeq = (pending.nextSeq + length) >>> 0;
    if (pending.needed > 0 && pending.length + length < pending.needed) {
      append(pending, packet.bytes, packet.payloadOffset, length);
      return Offered.GATHERED;
    }
    this.#pending.delete(flow);
    this.#joining = pending;
    return Offered.JOIN;
  }

  /**
   * After a dissector asked for more ({@linkcode Packet.desegmentAt} ≥ 0): keeps the payload from
   * there. `nextSeq` is the sequence number after the segment's own payload.
   */
  keep(flow: number, packet: Packet, nextSeq: number, stats: EngineStats): void {
    const from = packet.desegmentAt;
    const to = packet.payloadOffset + packet.payloadLength;
    if (packet.caplen < packet.wirelen) return;
    const needed = packet.desegmentLength;
    if (
      to - from > MAX_REASSEMBLY_BYTES || needed > MAX_REASSEMBLY_BYTES ||
      this.size >= MAX_PENDING_FLOWS
    ) {
      stats.tcpReassemblyDropped++;
      return;
    }
    const pending = this.#free.pop() ??
      { buffer: new Uint8Array(2048), length: 0, needed: 0, startSeq: 0, nextSeq: 0 };
    pending.length = 0;
    pending.needed = needed > to - from ? needed : 0;
    pending.startSeq = (packet.tcpSeq + (from - packet.payloadOffset)) >>> 0;
    pending.nextSeq = nextSeq >>> 0;
    append(pending, packet.bytes, from, to - from);
    this.#pending.set(flow, pending);
  }

  /**
   * Runs `run` on the current segment joined behind the PDU {@linkcode offer} returned JOIN for,
   * then puts the packet back as it was; keeps the rest again if the dissector asks for more.
   */
  runJoined(flow: number, packet: Packet, run: () => void, stats: EngineStats): void {
    const pending = this.#joining!;
    this.#joining = null;
    const frameStart = packet.start;
    const ownOffset = packet.payloadOffset;
    const ownLength = packet.payloadLength;
    const headerLength = ownOffset - frameStart;
    const keptLength = pending.length;
    const total = headerLength + keptLength + ownLength;
    if (total > this.#scratch.length) {
      this.#scratch = new Uint8Array(Math.max(total, this.#scratch.length * 2));
      this.#scratchView = new DataView(this.#scratch.buffer);
    }
    const scratch = this.#scratch;
    const bytes = packet.bytes;
    scratch.set(bytes.subarray(frameStart, ownOffset), 0);
    scratch.set(pending.buffer.subarray(0, keptLength), headerLength);
    this.#release(pending);
    scratch.set(bytes.subarray(ownOffset, ownOffset + ownLength), headerLength + keptLength);

    const view = packet.view;
    const end = packet.end;
    const caplen = packet.caplen;
    const wirelen = packet.wirelen;
    const offset = packet.offset;
    const srcMac = packet.srcMacOffset;
    const dstMac = packet.dstMacOffset;
    const srcIp = packet.srcIpOffset;
    const dstIp = packet.dstIpOffset;
    const l3 = packet.l3Offset;
    const l3End = packet.l3End;
    const l4 = packet.l4Offset;
    const seq = packet.tcpSeq;

    packet.bytes = scratch;
    packet.view = this.#scratchView;
    packet.start = 0;
    packet.end = total;
    packet.caplen = total;
    packet.wirelen = total;
    packet.offset = headerLength;
    packet.srcMacOffset = srcMac >= 0 ? srcMac - frameStart : -1;
    packet.dstMacOffset = dstMac >= 0 ? dstMac - frameStart : -1;
    packet.srcIpOffset = srcIp >= 0 ? srcIp - frameStart : -1;
    packet.dstIpOffset = dstIp >= 0 ? dstIp - frameStart : -1;
    packet.l3Offset = l3 >= 0 ? l3 - frameStart : -1;
    packet.l3End = total;
    packet.l4Offset = l4 >= 0 ? l4 - frameStart : -1;
    packet.payloadOffset = headerLength;
    packet.payloadLength = keptLength + ownLength;
    packet.tcpSeq = pending.startSeq;
    packet.reassembled = keptLength;
    try {
      run();
      if (packet.desegmentAt >= 0) this.keep(flow, packet, seq + ownLength, stats);
    } finally {
      packet.bytes = bytes;
      packet.view = view;
      packet.start = frameStart;
      packet.end = end;
      packet.caplen = caplen;
      packet.wirelen = wirelen;
      packet.offset = offset;
      packet.srcMacOffset = srcMac;
      packet.dstMacOffset = dstMac;
      packet.srcIpOffset = srcIp;
      packet.dstIpOffset = dstIp;
      packet.l3Offset = l3;
      packet.l3End = l3End;
      packet.l4Offset = l4;
      packet.payloadOffset = ownOffset;
      packet.payloadLength = ownLength;
      packet.tcpSeq = seq;
      packet.reassembled = 0;
      packet.desegmentAt = -1;
    }
  }

  /** Gives every waiting PDU up; returns how many there were. */
  clear(): number {
    const dropped = this.size;
    for (const pending of this.#pending.values()) this.#release(pending);
    for (const pending of this.#carried.values()) this.#release(pending);
    this.#pending.clear();
    this.#carried.clear();
    return dropped;
  }

  /** Keeps a PDU's object and buffer for reuse (a few, and not the largest buffers). */
  #release(pending: PendingPdu): void {
    if (this.#free.length < FREE_PDUS && pending.buffer.length <= 16_384) this.#free.push(pending);
  }
}

/** Adds `length` bytes at `from` to the PDU's buffer, doubling it when full. */
function append(pending: PendingPdu, bytes: Uint8Array, from: number, length: number): void {
  if (pending.length + length > pending.buffer.length) {
    const buffer = new Uint8Array(Math.max(pending.length + length, pending.buffer.length * 2));
    buffer.set(pending.buffer.subarray(0, pending.length));
    pending.buffer = buffer;
  }
  pending.buffer.set(bytes.subarray(from, from + length), pending.length);
  pending.length += length;
}
