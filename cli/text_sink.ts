/**
 * A text output written as it is produced: strings are gathered into chunks of about 1 MiB, encoded
 * and written, so a report of any size is never one JavaScript string (V8 caps a string at 2^29
 * characters: `JSON.stringify` of an inventory with ≈ 370 000 flows threw `Invalid string length`).
 *
 * @example
 * ```ts ignore
 * const sink = new TextSink(file);
 * for (const row of rows) await sink.write(row);
 * await sink.close();
 * ```
 *
 * @module
 */

/** Where the bytes go: an open file or the standard output. */
export interface ByteTarget {
  write(bytes: Uint8Array): Promise<number>;
}

/** Characters gathered before they are encoded and written. */
const CHUNK_CHARACTERS = 1 << 20;

/** Buffered, encoded writing of text to a {@linkcode ByteTarget}. */
export class TextSink {
  readonly #target: ByteTarget;
  readonly #encoder = new TextEncoder();
  #parts: string[] = [];
  #pending = 0;
  /** Bytes handed to the target so far. */
  bytesWritten = 0;

  constructor(target: ByteTarget) {
    this.#target = target;
  }

  /** Appends `text`; writes out a chunk when enough has gathered (await it). */
  write(text: string): Promise<void> | undefined {
    this.#parts.push(text);
    this.#pending += text.length;
    return this.#pending >= CHUNK_CHARACTERS ? this.flush() : undefined;
  }

  /** Writes out everything gathered. */
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const bytes = this.#encoder.encode(this.#parts.join(""));
    this.#parts = [];
    this.#pending = 0;
    let written = 0;
    while (written < bytes.length) {
      const n = await this.#target.write(bytes.subarray(written));
      written += n;
      this.bytesWritten += n;
    }
  }
}
