/**
 * A single-producer, single-consumer ring of packet batches in SharedArrayBuffers: how packets
 * travel from the capture side (a file reader or the libpcap loop) to a sandboxed dissector worker.
 *
 * The unit is a *slab*: one whole {@linkcode PacketBatch} — its per-packet metadata and, in one
 * copy, the byte range holding its frames. The producer writes a slab and publishes it with one
 * atomic store; the consumer fills its own PacketBatch from the slab (frames stay in the ring; the
 * batch points into it), dissects, then releases the slab. Nothing is allocated per packet, and
 * the only synchronisation is two indexes and `Atomics.wait`/`notify`.
 *
 * When the producer's frames already sit in a shared {@linkcode ChunkPool} buffer (a capture file
 * read into shared memory), the slab carries only the metadata and the number of that buffer: a
 * *reference slab*, no frame copied at all; the buffer is retained until the consumer releases it.
 *
 * Slab layout (8-byte aligned, at `position` in the data buffer):
 * ```
 * 0  u32 slab length in bytes (WRAP = go back to 0)   4  u32 packet count n
 * 8  u32 offset of the frame bytes from the slab start 12 u32 REFERENCE | pool buffer, or 0
 * 16 f64 tsSec[n] | u32 offset[n] | u32 caplen[n] | u32 wirelen[n] | u32 tsNsec[n] | u16 linkType[n] | u16 ifIndex[n]
 * …  frame bytes (the producer's byte range, copied as is)
 * ```
 *
 * @module
 */

import type { PacketBatch } from "./batch.ts";
import { ChunkPool, type ChunkPoolShared } from "./chunk_pool.ts";

/** Index of each control word in {@linkcode RingBuffers.control}. */
export const RingControl = {
  /** Byte position where the producer writes next (published after the slab is complete). */
  WRITE: 0,
  /** Byte position where the consumer reads next (published after the slab is released). */
  READ: 1,
  /** Set to 1 by the producer when no more slabs will come. */
  CLOSED: 2,
  /** Batches the producer could not write because the ring was full. */
  DROPPED_BATCHES: 3,
  /** Packets in those batches. */
  DROPPED_PACKETS: 4,
  /** Free for the owner of the ring (e.g. stop requests); the ring never touches words ≥ 8. */
  USER: 8,
} as const;

const CONTROL_WORDS = 16;
const HEADER_BYTES = 16;
const WRAP = 0xffffffff;
/** Flag of header word 12: the frames are in a chunk pool buffer, not in the slab. */
const REFERENCE = 0x80000000;
const METADATA_BYTES_PER_PACKET = 8 + 4 * 4 + 2 * 2;

/** The shared memory of a ring, as passed to another worker. */
export interface RingBuffers {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** The producer's shared read buffers, when it sends reference slabs. */
  chunks?: ChunkPoolShared;
}

function align8(value: number): number {
  return (value + 7) & ~7;
}

/** Bytes a slab of `count` packets and `frameBytes` bytes of frames takes. */
export function slabBytes(count: number, frameBytes: number): number {
  return align8(HEADER_BYTES + count * METADATA_BYTES_PER_PACKET) + align8(frameBytes);
}

/** One side of a packet ring. Create it on one side, `attach` to its `buffers` on the other. */
export class PacketRing {
  readonly buffers: RingBuffers;
  readonly #control: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #size: number;
  readonly #pool: ChunkPool | undefined;
  /** Position of the slab the consumer holds (between readBatch and release), or -1. */
  #held = -1;
  #heldEnd = 0;
  /** Pool buffer the held slab refers to, or -1. */
  #heldChunk = -1;

  /**
   * A new ring with `bytes` bytes of slab space; with `pool`, batches whose frames sit in one of
   * the pool's buffers travel as reference slabs.
   */
  static create(bytes: number, pool?: ChunkPool): PacketRing {
    if (!Number.isSafeInteger(bytes) || bytes < 4096) {
      throw new RangeError(`Cannot create a packet ring of ${bytes} bytes: the minimum is 4096`);
    }
    return new PacketRing({
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
      data: new SharedArrayBuffer(align8(bytes)),
      chunks: pool?.shared,
    });
  }

  /** The other side of an existing ring. */
  static attach(buffers: RingBuffers): PacketRing {
    return new PacketRing(buffers);
  }

  private constructor(buffers: RingBuffers) {
    this.buffers = buffers;
    this.#control = new Int32Array(buffers.control);
    this.#bytes = new Uint8Array(buffers.data);
    this.#view = new DataView(buffers.data);
    this.#size = buffers.data.byteLength;
    this.#pool = buffers.chunks ? ChunkPool.attach(buffers.chunks) : undefined;
  }

  /** The control words (for the owner's own flags at {@linkcode RingControl.USER} and above). */
  get control(): Int32Array {
    return this.#control;
  }

  /** The largest slab the ring can ever take. */
  get maxSlabBytes(): number {
    return this.#size / 2 - 8;
  }

  // ---- producer ----

  /**
   * Copies `batch` into the ring as one slab. When the ring is full the batch is not written, the
   * drop counters are increased, and false is returned (the caller may retry after
   * {@linkcode waitForSpace}, or accept the drop).
   *
   * @throws {RangeError} when the batch could never fit in this ring
   */
  writeBatch(batch: PacketBatch): boolean {
    if (this.tryWriteBatch(batch)) return true;
    Atomics.add(this.#control, RingControl.DROPPED_BATCHES, 1);
    Atomics.add(this.#control, RingControl.DROPPED_PACKETS, batch.count);
    return false;
  }

  /**
   * Like {@linkcode writeBatch}, but a full ring counts no drop: for producers that wait and
   * retry (a capture file is never dropped).
   */
  tryWriteBatch(batch: PacketBatch): boolean {
    const count = batch.count;
    if (count === 0) return true;
    const chunk = this.#pool ? this.#pool.indexOf(batch.bytes.buffer) : -1;
    if (chunk >= 0) return this.#writeReference(batch, chunk);
    let first = batch.offset[0];
    let last = first + batch.caplen[0];
    for (let i = 1; i < count; i++) {
      const start = batch.offset[i];
      const end = start + batch.caplen[i];
      if (start < first) first = start;
      if (end > last) last = end;
    }
    const frameBytes = last - first;
    const need = slabBytes(count, frameBytes);
    if (need > this.maxSlabBytes) {
      throw new RangeError(
        `Cannot write a batch of ${count} packets and ${frameBytes} bytes: larger than half the ring (${this.#size} bytes)`,
      );
    }
    const at = this.#reserve(need);
    if (at < 0) return false;
    const view = this.#view;
    const metadata = at + HEADER_BYTES;
    const dataAt = at + align8(HEADER_BYTES + count * METADATA_BYTES_PER_PACKET);
    view.setUint32(at, need, true);
    view.setUint32(at + 4, count, true);
    view.setUint32(at + 8, dataAt - at, true);
    view.setUint32(at + 12, first, true);
    const tsSec = new Float64Array(this.buffers.data, metadata, count);
    const offsets = new Uint32Array(this.buffers.data, metadata + count * 8, count * 4);
    const small = new Uint16Array(this.buffers.data, metadata + count * 24, count * 2);
    for (let i = 0; i < count; i++) {
      tsSec[i] = batch.tsSec[i];
      offsets[i] = batch.offset[i] - first;
      offsets[count + i] = batch.caplen[i];
      offsets[2 * count + i] = batch.wirelen[i];
      offsets[3 * count + i] = batch.tsNsec[i];
      small[i] = batch.linkType[i];
      small[count + i] = batch.ifIndex[i];
    }
    this.#bytes.set(batch.bytes.subarray(first, last), dataAt);
    Atomics.store(this.#control, RingControl.WRITE, at + need);
    Atomics.notify(this.#control, RingControl.WRITE);
    return true;
  }

  /** Writes the metadata of a batch whose frames are in pool buffer `chunk`. */
  #writeReference(batch: PacketBatch, chunk: number): boolean {
    const count = batch.count;
    const need = slabBytes(count, 0);
    const at = this.#reserve(need);
    if (at < 0) return false;
    const view = this.#view;
    const metadata = at + HEADER_BYTES;
    view.setUint32(at, need, true);
    view.setUint32(at + 4, count, true);
    view.setUint32(at + 8, need, true);
    view.setUint32(at + 12, (REFERENCE | chunk) >>> 0, true);
    const tsSec = new Float64Array(this.buffers.data, metadata, count);
    const words = new Uint32Array(this.buffers.data, metadata + count * 8, count * 4);
    const small = new Uint16Array(this.buffers.data, metadata + count * 24, count * 2);
    for (let i = 0; i < count; i++) {
      tsSec[i] = batch.tsSec[i];
      words[i] = batch.offset[i];
      words[count + i] = batch.caplen[i];
      words[2 * count + i] = batch.wirelen[i];
      words[3 * count + i] = batch.tsNsec[i];
      small[i] = batch.linkType[i];
      small[count + i] = batch.ifIndex[i];
    }
    this.#pool!.retain(chunk);
    Atomics.store(this.#control, RingControl.WRITE, at + need);
    Atomics.notify(this.#control, RingControl.WRITE);
    return true;
  }

  /** Tells the consumer that no more slabs will come. */
  close(): void {
    Atomics.store(this.#control, RingControl.CLOSED, 1);
    Atomics.notify(this.#control, RingControl.WRITE);
  }

  /**
   * Blocks the calling worker until the consumer releases space or `timeoutMs` passes (not
   * allowed on the main thread; there, poll with a timer instead).
   */
  waitForSpace(timeoutMs: number): void {
    Atomics.wait(this.#control, RingControl.READ, Atomics.load(this.#control, RingControl.READ), timeoutMs);
  }

  /**
   * Resolves when the consumer releases space or after `timeoutMs`: the main thread's way to wait
   * for a full ring (it may not block in `Atomics.wait`).
   */
  async waitForSpaceAsync(timeoutMs: number): Promise<void> {
    const read = Atomics.load(this.#control, RingControl.READ);
    const waiting = Atomics.waitAsync(this.#control, RingControl.READ, read, timeoutMs);
    if (waiting.async) await waiting.value;
  }

  /** Start of a free region of `need` bytes, after writing a wrap marker if needed; -1 if full. */
  #reserve(need: number): number {
    const write = Atomics.load(this.#control, RingControl.WRITE);
    const read = Atomics.load(this.#control, RingControl.READ);
    if (write >= read) {
      // Free: [write, size) and [0, read - 1); a slab never straddles the end.
      if (this.#size - write >= need) return write;
      if (read - 1 >= need) {
        if (this.#size - write >= 4) this.#view.setUint32(write, WRAP, true);
        Atomics.store(this.#control, RingControl.WRITE, 0);
        return 0;
      }
      return -1;
    }
    return read - write - 1 >= need ? write : -1;
  }

  // ---- consumer ----

  /**
   * Fills `batch` with the next slab (the batch's `bytes` becomes the ring's memory and its
   * offsets point into it). Returns false when the ring is empty. Call {@linkcode release} when
   * done with the batch, before the next readBatch.
   *
   * @throws {RangeError} when the slab holds more packets than `batch.capacity`
   */
  readBatch(batch: PacketBatch): boolean {
    if (this.#held >= 0) throw new Error("Cannot read a packet batch: the previous one was not released");
    let read = Atomics.load(this.#control, RingControl.READ);
    const write = Atomics.load(this.#control, RingControl.WRITE);
    if (read === write) return false;
    if (this.#size - read < 4 || this.#view.getUint32(read, true) === WRAP) {
      read = 0;
      Atomics.store(this.#control, RingControl.READ, 0);
      if (write === 0) return false;
    }
    const view = this.#view;
    const length = view.getUint32(read, true);
    const count = view.getUint32(read + 4, true);
    const reference = view.getUint32(read + 12, true);
    const chunk = reference & REFERENCE ? reference & ~REFERENCE : -1;
    const dataAt = chunk >= 0 ? 0 : read + view.getUint32(read + 8, true);
    if (count > batch.capacity) {
      throw new RangeError(
        `Cannot read a slab of ${count} packets into a batch of capacity ${batch.capacity}`,
      );
    }
    const metadata = read + HEADER_BYTES;
    const tsSec = new Float64Array(this.buffers.data, metadata, count);
    const words = new Uint32Array(this.buffers.data, metadata + count * 8, count * 4);
    const small = new Uint16Array(this.buffers.data, metadata + count * 24, count * 2);
    for (let i = 0; i < count; i++) {
      batch.tsSec[i] = tsSec[i];
      batch.offset[i] = dataAt + words[i];
      batch.caplen[i] = words[count + i];
      batch.wirelen[i] = words[2 * count + i];
      batch.tsNsec[i] = words[3 * count + i];
      batch.linkType[i] = small[i];
      batch.ifIndex[i] = small[count + i];
    }
    batch.count = count;
    batch.bytes = chunk >= 0 ? this.#pool!.views[chunk] : this.#bytes;
    this.#held = read;
    this.#heldEnd = read + length;
    this.#heldChunk = chunk;
    return true;
  }

  /** Frees the slab of the last {@linkcode readBatch}. */
  release(): void {
    if (this.#held < 0) return;
    if (this.#heldChunk >= 0) this.#pool!.release(this.#heldChunk);
    Atomics.store(this.#control, RingControl.READ, this.#heldEnd);
    Atomics.notify(this.#control, RingControl.READ);
    this.#held = -1;
    this.#heldChunk = -1;
  }

  /** True once the producer closed the ring and every slab was read. */
  get drained(): boolean {
    return Atomics.load(this.#control, RingControl.CLOSED) === 1 &&
      Atomics.load(this.#control, RingControl.READ) === Atomics.load(this.#control, RingControl.WRITE);
  }

  /** Blocks the calling worker until a slab arrives, the ring closes, or `timeoutMs` passes. */
  waitForData(timeoutMs: number): void {
    const write = Atomics.load(this.#control, RingControl.WRITE);
    if (write !== Atomics.load(this.#control, RingControl.READ)) return;
    if (Atomics.load(this.#control, RingControl.CLOSED) === 1) return;
    Atomics.wait(this.#control, RingControl.WRITE, write, timeoutMs);
  }

  /** Batches and packets dropped because the ring was full. */
  get dropped(): { batches: number; packets: number } {
    return {
      batches: Atomics.load(this.#control, RingControl.DROPPED_BATCHES),
      packets: Atomics.load(this.#control, RingControl.DROPPED_PACKETS),
    };
  }
}
