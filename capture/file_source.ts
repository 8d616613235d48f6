/**
 * Opens a pcap or pcapng capture file (format detected by its magic number, never by its name) and
 * delivers its packets in {@linkcode PacketBatch}es without copying them.
 *
 * The file is read in large chunks (4 MiB by default) into one reusable buffer. Frames stay where they
 * were read: `batch.bytes` is that buffer and `batch.offset[i]` the start of frame `i`. A record cut by
 * the end of a chunk is moved to the start of the buffer before the next read; a record larger than
 * the buffer grows it. Nothing is allocated per packet.
 *
 * @example Usage
 * ```ts ignore
 * import { openCaptureFile } from "./file_source.ts";
 * import { PacketBatch } from "./batch.ts";
 *
 * const source = await openCaptureFile("capture.pcapng");
 * const batch = new PacketBatch(4096);
 * try {
 *   while (await source.next(batch)) {
 *     for (let i = 0; i < batch.count; i++) console.log(batch.caplen[i], batch.linkType[i]);
 *   }
 * } finally {
 *   source.close();
 * }
 * ```
 *
 * @module
 */

import { type CaptureInterface, PacketBatch } from "./batch.ts";
import { CaptureFileError } from "./capture_error.ts";
import { isPcapMagic, PCAP_HEADER_LENGTH, PcapParser } from "./pcap_reader.ts";
import { PCAPNG_MAGIC, PcapngParser } from "./pcapng_reader.ts";
import { ReadBuffers } from "./read_buffers.ts";
import type { ChunkPool } from "./chunk_pool.ts";

/** Default size of the read buffer: 4 MiB. */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

/** Smallest accepted {@linkcode OpenCaptureFileOptions.chunkSize} (the buffer grows for larger records). */
export const MIN_CHUNK_SIZE = 16;

/** A capture file being read, batch after batch. */
export interface CaptureFileSource {
  /** Format found by the magic number. */
  readonly format: "pcap" | "pcapng";
  /**
   * Capture interfaces met so far, indexed by {@linkcode PacketBatch.ifIndex}. A pcap file has one; a
   * pcapng file gains one per Interface Description Block read, across all its sections (a new section
   * restarts the file's own interface numbering, so its interface 0 gets the next index here).
   */
  readonly interfaces: readonly CaptureInterface[];
  /** Size of the file in bytes when it was opened. */
  readonly fileSize: number;
  /** Bytes of the file consumed so far (headers and delivered records), for a progress bar. */
  readonly bytesRead: number;
  /** Frames read so far whose captured length exceeds the snapshot length (read anyway, as Wireshark). */
  readonly overSnaplen: number;
  /**
   * Fills `batch` in place with as many complete packets as fit (up to `batch.capacity`, or what the
   * current chunk holds). The previous contents of the batch become invalid.
   *
   * @param batch the batch to fill; its `bytes` is replaced by the source's buffer
   * @returns true when the batch holds at least one packet, false at the clean end of the file
   * @throws {CaptureFileError} on damage, only once every packet before it has been delivered
   */
  next(batch: PacketBatch): Promise<boolean>;
  /** Closes the file. Safe to call twice. */
  close(): void;
}

/** Options of {@linkcode openCaptureFile}. */
export interface OpenCaptureFileOptions {
  /** Size of the read buffer in bytes, at least {@linkcode MIN_CHUNK_SIZE}. Default 4 MiB. */
  chunkSize?: number;
  /**
   * Shared buffers to read into (see `read_buffers.ts` `chunkPoolFor`), so that dissector workers
   * can read the frames in place. Default: private buffers.
   */
  pool?: ChunkPool;
}

/**
 * The read buffer shared by a source and its format parser (for the readers in this folder only).
 *
 * Bytes `[pos, end)` of `bytes` are read but not yet parsed; `bytes[0]` is at file offset `base`.
 */
export interface ChunkWindow {
  /** The read buffer. */
  bytes: Uint8Array;
  /** A DataView over the whole of `bytes`. */
  view: DataView;
  /** First unparsed byte. */
  pos: number;
  /** End of the bytes read. */
  end: number;
  /** File offset of `bytes[0]`. */
  base: number;
}

/** A format parser driven by the source (for the readers in this folder only). */
export interface RecordParser {
  /** Interfaces met so far. */
  readonly interfaces: CaptureInterface[];
  /**
   * Parses complete records from `win.pos` into `batch` (from `batch.count` on) and advances `win.pos`.
   *
   * @returns 0 when it stopped because the batch is full or because of damage after at least one
   * packet, otherwise the number of bytes needed from `win.pos` to make progress
   * @throws {CaptureFileError} on damage when the batch is still empty
   */
  fill(batch: PacketBatch, win: ChunkWindow): number;
  /** The error for an incomplete record at `win.pos` when the file ends there. */
  truncated(win: ChunkWindow): CaptureFileError;
  /**
   * Frames read so far whose captured length exceeds their interface's snapshot length: a writer's
   * anomaly that Wireshark reads through, and so do we.
   */
  readonly overSnaplen: number;
}

/**
 * Opens a pcap or pcapng capture file, detecting the format by its magic number.
 *
 * @param path the file to read
 * @param options read buffer size
 * @returns the open source; call `close()` when done
 * @throws {CaptureFileError} when the file is empty, not a capture file, or its header is damaged
 * @throws {Deno.errors.NotFound} when the file does not exist
 */
export async function openCaptureFile(
  path: string,
  options: OpenCaptureFileOptions = {},
): Promise<CaptureFileSource> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE) {
    throw new RangeError(
      `Cannot open capture file "${path}": chunkSize must be an integer of at least ${MIN_CHUNK_SIZE}, got ${chunkSize}`,
    );
  }
  const file = await Deno.open(path, { read: true });
  try {
    const fileSize = (await file.stat()).size;
    const source = new FileCaptureSource(path, file, fileSize, chunkSize, options.pool);
    await source.start();
    return source;
  } catch (error) {
    file.close();
    throw error;
  }
}

function hex32(bytes: Uint8Array): string {
  let text = "0x";
  for (let i = 0; i < 4; i++) text += bytes[i].toString(16).padStart(2, "0");
  return text;
}

class FileCaptureSource implements CaptureFileSource {
  format: "pcap" | "pcapng" = "pcap";
  readonly fileSize: number;
  readonly #path: string;
  readonly #file: Deno.FsFile;
  readonly #win: ChunkWindow;
  readonly #buffers: ReadBuffers;
  #parser: RecordParser | undefined;
  #closed = false;

  constructor(path: string, file: Deno.FsFile, fileSize: number, chunkSize: number, pool?: ChunkPool) {
    this.#path = path;
    this.#file = file;
    this.fileSize = fileSize;
    this.#buffers = new ReadBuffers(file, chunkSize, pool);
    this.#win = this.#buffers.win;
  }

  get #eof(): boolean {
    return this.#buffers.eof;
  }

  #refill(need: number): Promise<void> {
    return this.#buffers.refill(need);
  }

  get interfaces(): readonly CaptureInterface[] {
    return this.#parser?.interfaces ?? [];
  }

  get overSnaplen(): number {
    return this.#parser?.overSnaplen ?? 0;
  }

  get bytesRead(): number {
    return this.#win.base + this.#win.pos;
  }

  /** Reads the first chunk, detects the format and parses the file header. */
  async start(): Promise<void> {
    const win = this.#win;
    await this.#refill(PCAP_HEADER_LENGTH);
    const whole = (reason: string) =>
      new CaptureFileError(this.#path, { offset: -1, expected: "a pcap or pcapng file header", reason });
    if (win.end === 0) throw whole("the file is empty");
    if (win.end < 4) throw whole(`the file is ${win.end} bytes long, too short for a pcap or pcapng header`);
    const magic = win.view.getUint32(0, true);
    if (isPcapMagic(magic)) {
      this.format = "pcap";
      if (win.end < PCAP_HEADER_LENGTH) {
        throw new CaptureFileError(this.#path, {
          offset: 0,
          expected: `a ${PCAP_HEADER_LENGTH}-byte pcap file header`,
          reason: `pcap file header is truncated: ${win.end} of ${PCAP_HEADER_LENGTH} bytes present`,
        });
      }
      this.#parser = new PcapParser(this.#path, win.view);
      win.pos = PCAP_HEADER_LENGTH;
    } else if (magic === PCAPNG_MAGIC) {
      this.format = "pcapng";
      const parser = new PcapngParser(this.#path);
      this.#parser = parser;
      // Parse the section header and the blocks that follow it up to the first packet, so that the
      // interfaces are known right after opening for ordinary files.
      const prime = new PacketBatch(0);
      for (;;) {
        const need = parser.fill(prime, win);
        if (need === 0 || win.pos > 0) break;
        if (this.#eof) throw parser.truncated(win);
        await this.#refill(need);
      }
    } else {
      const gzip = win.bytes[0] === 0x1f && win.bytes[1] === 0x8b ? ", it looks gzip-compressed" : "";
      throw whole(`the file is not a pcap or pcapng file (magic ${hex32(win.bytes)}${gzip})`);
    }
  }

  async next(batch: PacketBatch): Promise<boolean> {
    if (this.#closed) throw new Error(`Cannot read capture file "${this.#path}": the source is closed`);
    if (batch.capacity === 0) throw new RangeError("Cannot fill a packet batch of capacity 0");
    const parser = this.#parser!;
    const win = this.#win;
    batch.count = 0;
    for (;;) {
      const need = parser.fill(batch, win);
      if (batch.count > 0) {
        batch.bytes = win.bytes;
        return true;
      }
      if (this.#eof && win.end - win.pos < need) {
        if (win.pos === win.end) return false;
        throw parser.truncated(win);
      }
      await this.#refill(need);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A read-ahead still under way fails once the file is closed: nobody waits for it any more.
    this.#buffers.abandon();
    this.#file.close();
  }
}
