/**
 * Recognises retransmitted TCP segments, so their payload is not handed to an application
 * dissector twice: without it, a PLC stop retransmitted once would be two PLC stops.
 *
 * A flow is one direction of a connection, so one sender's sequence space. Per flow the tracker
 * keeps the end of the furthest data seen (`next`) and one gap: a segment that starts beyond
 * `next` leaves a gap before it, which data arriving out of order fills later. A segment whose data
 * all lies before `next` and outside that gap was seen already: a retransmission (RFC 9293 §3.10.7.4
 * resends data from its original sequence numbers), a keep-alive probe or a zero-window probe.
 * Sequence numbers compare modulo 2^32 (RFC 9293 §3.4).
 *
 * When in doubt the segment is decoded, as it would be without the tracker: a segment extending
 * beyond `next` (new data, even if it starts with old bytes: a retransmission repacketised with
 * other boundaries), and, once a flow has shown a second gap (the capture lost packets, or heavy
 * reordering), every segment before `next` of that flow. Nothing new is ever skipped.
 *
 * State: four 32-bit words per flow, indexed like the flow table. A flush renumbers flows: the
 * state is then carried over by flow key and given back to the flow's next segment.
 *
 * @module
 */

/** Words per flow: next, gap start, gap end, state bits. */
const WORDS = 4;
const NEXT = 0;
const GAP_START = 1;
const GAP_END = 2;
const STATE = 3;

/** State bits (0: the flow's first payload segment is still to come). */
const SEEN = 1;
const GAP = 2;
/** A second gap appeared: the tracker no longer knows what was seen. */
const UNSURE = 4;

/** True when sequence number `a` comes after `b` (modulo 2^32). */
function after(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** What each TCP flow has carried since the last flush. */
export class TcpSequenceTracker {
  #words = new Uint32Array(1024 * WORDS);
  /** Highest flow index touched since the last clear, + 1. */
  #used = 0;
  /** What tracked flows had carried at the last flush, by flow key (see {@linkcode carryOver}). */
  readonly #carried = new Map<string, Uint32Array>();

  /**
   * True when the payload `seq` … `seq + length` of `flow` was seen already (do not decode it
   * again); otherwise records it and returns false.
   */
  isRetransmission(flow: number, seq: number, length: number): boolean {
    if (length <= 0) return false;
    if ((flow + 1) * WORDS > this.#words.length) this.#grow(flow + 1);
    if (flow >= this.#used) this.#used = flow + 1;
    const words = this.#words;
    const at = flow * WORDS;
    const end = (seq + length) >>> 0;
    const state = words[at + STATE];
    if (state === 0) {
      words[at + NEXT] = end;
      words[at + STATE] = SEEN;
      return false;
    }
    const next = words[at + NEXT];
    if (after(end, next)) {
      // New data. Starting beyond `next`, it leaves a gap for data still to come.
      if (after(seq, next)) {
        if (state & GAP) {
          words[at + STATE] = state | UNSURE;
        } else {
          words[at + GAP_START] = next;
          words[at + GAP_END] = seq;
          words[at + STATE] = state | GAP;
        }
      }
      words[at + NEXT] = end;
      return false;
    }
    if (state & GAP) {
      const start = words[at + GAP_START];
      const gapEnd = words[at + GAP_END];
      if (!after(start, seq) && !after(end, gapEnd)) {
        // Out of order: it fills (part of) the gap. The gap shrinks from the side it touches.
        if (seq === start) words[at + GAP_START] = end;
        else if (end === gapEnd) words[at + GAP_END] = seq;
        if (!after(words[at + GAP_END], words[at + GAP_START])) words[at + STATE] = state & ~GAP;
        return false;
      }
    }
    return (state & UNSURE) === 0;
  }

  /** Flows carried over the last flush and not claimed yet. */
  get carried(): number {
    return this.#carried.size;
  }

  /** True when `flow` carried no payload since the last flush (nothing known of it yet). */
  isFresh(flow: number): boolean {
    return flow >= this.#used || this.#words[flow * WORDS + STATE] === 0;
  }

  /** Gives a fresh `flow` what the flow with key text `key` had carried before the last flush. */
  restore(flow: number, key: string): void {
    const kept = this.#carried.get(key);
    if (kept === undefined) return;
    this.#carried.delete(key);
    if ((flow + 1) * WORDS > this.#words.length) this.#grow(flow + 1);
    if (flow >= this.#used) this.#used = flow + 1;
    this.#words.set(kept, flow * WORDS);
  }

  /**
   * At a flush, before the flow table is cleared: what each tracked flow carried is kept by flow
   * key (`keyOf(flow)`) for its next segment, so a retransmission across the flush is still
   * recognised; what the previous flush kept and no segment claimed is forgotten. Then clears.
   */
  carryOver(keyOf: (flow: number) => string): void {
    this.#carried.clear();
    const words = this.#words;
    for (let flow = 0; flow < this.#used; flow++) {
      const at = flow * WORDS;
      if (words[at + STATE] !== 0) this.#carried.set(keyOf(flow), words.slice(at, at + WORDS));
    }
    this.clear();
  }

  /** Forgets every flow. */
  clear(): void {
    this.#words.fill(0, 0, this.#used * WORDS);
    this.#used = 0;
  }

  #grow(flows: number): void {
    let length = this.#words.length;
    while (length < flows * WORDS) length *= 2;
    const words = new Uint32Array(length);
    words.set(this.#words);
    this.#words = words;
  }
}
