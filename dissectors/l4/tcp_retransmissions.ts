/**
 * Recognises retransmitted TCP segments, so their payload is not handed to an application
 * dissector twice: without it, a PLC stop retransmitted once would be two PLC stops.
 *
 * A segment is a retransmission when a recent segment of the same flow and sender carried the
 * same sequence number and payload length (RFC 9293 §3.10.7.4: a retransmission resends data
 * already sent, from the same sequence number). Remembering (sequence, length) pairs rather than
 * the highest sequence number seen keeps out-of-order segments: data never seen before is always
 * decoded, whatever order it arrives in. A retransmission repacketised with other boundaries is
 * not recognised (it is decoded again, as before); the flow meter counts every segment either way.
 *
 * Memory: a direct-mapped table of 64-bit digests, {@linkcode SEGMENT_SLOTS} of them (2 MiB per
 * engine, allocated at the first TCP payload): a segment is remembered, on average, for the next
 * {@linkcode SEGMENT_SLOTS} payload segments — minutes at the rates of an industrial network,
 * about a quarter of a second at 1 Mpps of TCP data (a retransmission timeout is at least 1 s in
 * RFC 6298 §2.4, 200 ms in Linux; fast retransmit comes within a round trip). The table is cleared
 * at each flush (flow numbers are reused after it): a retransmission across a flush is decoded again.
 *
 * @module
 */

/** Slots of the segment table (a power of two). */
export const SEGMENT_SLOTS = 1 << 18;
const SLOT_BITS = 18;

/** The recent TCP payload segments of one engine. */
export class RecentSegments {
  /** Two 32-bit digests per slot (0 and 0: empty): a false match has odds of 2^-64. */
  #digests: Uint32Array | null = null;

  /**
   * True when the segment (flow, sender's port, sequence number, payload length) was seen
   * recently; otherwise remembers it and returns false.
   */
  seenBefore(flow: number, srcPort: number, seq: number, length: number): boolean {
    let digests = this.#digests;
    if (digests === null) digests = this.#digests = new Uint32Array(SEGMENT_SLOTS * 2);
    let a = Math.imul(flow ^ 0x9e3779b9, 0x85ebca6b);
    let b = Math.imul(flow ^ 0x7f4a7c15, 0xcc9e2d51);
    a = Math.imul(a ^ (a >>> 13) ^ seq, 0xc2b2ae35);
    b = Math.imul(b ^ (b >>> 15) ^ seq, 0x1b873593);
    a = Math.imul(a ^ (a >>> 16) ^ srcPort, 0x27d4eb2d);
    b = Math.imul(b ^ (b >>> 13) ^ srcPort, 0x165667b1);
    a = Math.imul(a ^ (a >>> 15) ^ length, 0x85ebca6b);
    b = Math.imul(b ^ (b >>> 16) ^ length, 0xc2b2ae35);
    a = (a ^ (a >>> 13)) >>> 0;
    b = ((b ^ (b >>> 16)) >>> 0) || 1;
    const at = (a >>> (32 - SLOT_BITS)) * 2;
    if (digests[at] === a && digests[at + 1] === b) return true;
    digests[at] = a;
    digests[at + 1] = b;
    return false;
  }

  /** Forgets every segment (at a flush: flow numbers are reused after it). */
  clear(): void {
    this.#digests?.fill(0);
  }
}
