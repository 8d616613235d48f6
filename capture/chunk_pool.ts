/**
 * Shared read buffers for capture files, so frames reach the dissector workers without a copy.
 *
 * The file reader fills these SharedArrayBuffers and hands the workers batches that point into
 * them (a "reference slab" in the ring carries only the per-packet metadata). Each buffer has a
 * reference count: the producer retains a buffer for every batch it sends from it, the worker
 * releases it when the batch is dissected, and the reader waits for zero before it reads new data
 * into that buffer.
 *
 * @module
 */

/** The shared memory of a chunk pool, as passed to another worker. */
export interface ChunkPoolShared {
  buffers: SharedArrayBuffer[];
  /** One Int32 reference count per buffer. */
  refs: SharedArrayBuffer;
}

/** A set of shared buffers with reference counts. */
export class ChunkPool {
  readonly shared: ChunkPoolShared;
  /** A byte view of each buffer. */
  readonly views: Uint8Array[];
  readonly #refs: Int32Array;

  /** `count` buffers of `bytes` bytes each. */
  static create(count: number, bytes: number): ChunkPool {
    if (!Number.isSafeInteger(count) || count < 2) {
      throw new RangeError(`Cannot create a chunk pool of ${count} buffers: at least 2 are needed`);
    }
    return new ChunkPool({
      buffers: Array.from({ length: count }, () => new SharedArrayBuffer(bytes)),
      refs: new SharedArrayBuffer(count * 4),
    });
  }

  /** The other side of an existing pool. */
  static attach(shared: ChunkPoolShared): ChunkPool {
    return new ChunkPool(shared);
  }

  private constructor(shared: ChunkPoolShared) {
    this.shared = shared;
    this.views = shared.buffers.map((buffer) => new Uint8Array(buffer));
    this.#refs = new Int32Array(shared.refs);
  }

  /** Index of the pool buffer `buffer` is, or -1 when it is not one of them. */
  indexOf(buffer: ArrayBufferLike): number {
    return this.shared.buffers.indexOf(buffer as SharedArrayBuffer);
  }

  /** One more batch refers to buffer `index`. */
  retain(index: number): void {
    Atomics.add(this.#refs, index, 1);
  }

  /** A batch referring to buffer `index` is done. */
  release(index: number): void {
    if (Atomics.sub(this.#refs, index, 1) === 1) Atomics.notify(this.#refs, index);
  }

  /** Batches still referring to buffer `index`. */
  references(index: number): number {
    return Atomics.load(this.#refs, index);
  }

  /** Resolves once no batch refers to buffer `index` (the main thread may not block). */
  async waitFree(index: number): Promise<void> {
    for (;;) {
      const count = Atomics.load(this.#refs, index);
      if (count === 0) return;
      const waiting = Atomics.waitAsync(this.#refs, index, count, 1000);
      if (waiting.async) await waiting.value;
    }
  }
}
