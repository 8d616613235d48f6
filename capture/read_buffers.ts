/**
 * The read buffers of a capture file source: the window the record parsers read from, refilled
 * chunk by chunk with read-ahead.
 *
 * While the engine works on one buffer, the next chunk is read into another (the read runs on
 * Deno's I/O thread, in parallel). Switching buffers copies only the unparsed tail of the current
 * one, at most one partial record, into the headroom in front of the new data. With a
 * {@linkcode ChunkPool} the buffers are shared with the dissector workers, which read frames from
 * them in place: a buffer is then refilled only once no batch refers to it any more.
 *
 * @module
 */

import type { ChunkWindow } from "./file_source.ts";
import { ChunkPool } from "./chunk_pool.ts";

/**
 * Room kept in front of read-ahead data for the unparsed tail of the previous buffer: one partial
 * record, which fits unless it is longer than the usual 262 144-byte snapshot length (larger
 * records take the slower path that copies).
 */
export const READ_AHEAD_HEADROOM = 262144 + 64;

/** A chunk pool whose buffers fit a source reading `chunkSize` bytes at a time. */
export function chunkPoolFor(chunkSize: number, buffers: number): ChunkPool {
  return ChunkPool.create(buffers, READ_AHEAD_HEADROOM + chunkSize);
}

/** Buffers, window and read-ahead of one open file. */
export class ReadBuffers {
  /** What the parsers read: bytes `[pos, end)` of `win.bytes` are read but not parsed yet. */
  readonly win: ChunkWindow;
  /** True once the file returned end-of-file. */
  eof = false;
  readonly #file: Deno.FsFile;
  readonly #chunkSize: number;
  readonly #buffers: Uint8Array[];
  readonly #pool: ChunkPool | undefined;
  #current = 0;
  #spare = 1;
  /** The read under way into the spare buffer at the headroom, if any. */
  #ahead: Promise<number | null> | null = null;

  constructor(file: Deno.FsFile, chunkSize: number, pool?: ChunkPool) {
    this.#file = file;
    this.#chunkSize = chunkSize;
    this.#pool = pool;
    if (pool && pool.views[0].length < READ_AHEAD_HEADROOM + chunkSize) {
      throw new RangeError(
        `Cannot read ${chunkSize}-byte chunks into a chunk pool of ${pool.views[0].length}-byte buffers`,
      );
    }
    this.#buffers = pool
      ? [...pool.views]
      : [new Uint8Array(READ_AHEAD_HEADROOM + chunkSize), new Uint8Array(READ_AHEAD_HEADROOM + chunkSize)];
    const bytes = this.#buffers[0];
    this.win = { bytes, view: new DataView(bytes.buffer), pos: 0, end: 0, base: 0 };
  }

  /** Makes at least `need` unparsed bytes available if the file has them. */
  async refill(need: number): Promise<void> {
    const win = this.win;
    const tail = win.end - win.pos;
    const headroom = READ_AHEAD_HEADROOM;
    if (this.#ahead !== null && tail <= headroom && need <= headroom) {
      const n = await this.#ahead;
      this.#ahead = null;
      const next = this.#buffers[this.#spare];
      next.set(win.bytes.subarray(win.pos, win.end), headroom - tail);
      const fileOffsetOfHeadroomEnd = win.base + win.end;
      win.bytes = next;
      win.view = new DataView(next.buffer);
      win.pos = headroom - tail;
      win.end = headroom + (n ?? 0);
      win.base = fileOffsetOfHeadroomEnd - headroom;
      this.#current = this.#spare;
      this.#spare = (this.#current + 1) % this.#buffers.length;
      if (n === null) this.eof = true;
      else this.#startReadAhead();
      return;
    }
    await this.#drainReadAhead();
    await this.#waitFree(this.#current);
    this.#compact();
    if (need > win.bytes.length) this.#ensureCapacity(need);
    while (win.end < win.bytes.length && !this.eof) {
      const n = await this.#file.read(win.bytes.subarray(win.end));
      if (n === null) this.eof = true;
      else win.end += n;
    }
    if (!this.eof) this.#startReadAhead();
  }

  /** Forgets a read-ahead still under way (the file is being closed). */
  abandon(): void {
    this.#ahead?.catch(() => {});
    this.#ahead = null;
  }

  #startReadAhead(): void {
    const slot = this.#spare;
    this.#ahead = this.#waitFree(slot).then(() =>
      this.#file.read(
        this.#buffers[slot].subarray(READ_AHEAD_HEADROOM, READ_AHEAD_HEADROOM + this.#chunkSize),
      )
    );
  }

  /** Resolves once no dissector worker still reads frames from buffer `slot` (pool mode). */
  async #waitFree(slot: number): Promise<void> {
    if (!this.#pool) return;
    const index = this.#pool.indexOf(this.#buffers[slot].buffer);
    if (index >= 0) await this.#pool.waitFree(index);
  }

  /** Waits for a read-ahead under way and appends its bytes to the current window. */
  async #drainReadAhead(): Promise<void> {
    if (this.#ahead === null) return;
    const n = await this.#ahead;
    this.#ahead = null;
    if (n === null) {
      this.eof = true;
      return;
    }
    await this.#waitFree(this.#current);
    this.#compact();
    const win = this.win;
    this.#ensureCapacity(win.end + n);
    const spare = this.#buffers[this.#spare];
    win.bytes.set(spare.subarray(READ_AHEAD_HEADROOM, READ_AHEAD_HEADROOM + n), win.end);
    win.end += n;
  }

  /** Moves the unparsed bytes to the start of the buffer. */
  #compact(): void {
    const win = this.win;
    if (win.pos === 0) return;
    win.bytes.copyWithin(0, win.pos, win.end);
    win.base += win.pos;
    win.end -= win.pos;
    win.pos = 0;
  }

  /** Grows the current buffer (a record larger than the buffer); a grown buffer is not shared. */
  #ensureCapacity(length: number): void {
    const win = this.win;
    if (length <= win.bytes.length) return;
    const grown = new Uint8Array(Math.max(length, win.bytes.length * 2));
    grown.set(win.bytes.subarray(0, win.end));
    win.bytes = grown;
    win.view = new DataView(grown.buffer);
    this.#buffers[this.#current] = grown;
  }
}
