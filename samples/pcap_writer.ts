/**
 * Writer of classic pcap files (the libpcap format, little-endian), fast enough to produce millions of
 * records: records are assembled in one large buffer that is written to the file in big chunks.
 *
 * Layout (tcpdump.org "pcap file format"): a 24-byte file header — magic `0xa1b2c3d4` (microsecond
 * timestamps) or `0xa1b23c4d` (nanosecond), version 2.4, thiszone 0, sigfigs 0, snaplen, link type —
 * then per packet a 16-byte record header — seconds, sub-second units, captured length, original
 * length — followed by the captured bytes.
 *
 * @module
 */

/** Magic number of microsecond-resolution pcap files. */
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
/** Magic number of nanosecond-resolution pcap files. */
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;
/** Snapshot length written in the header unless told otherwise. */
export const DEFAULT_SNAPLEN = 262144;
/** Size of the pcap file header. */
export const PCAP_FILE_HEADER_LENGTH = 24;
/** Size of a pcap record header. */
export const PCAP_RECORD_HEADER_LENGTH = 16;

const MIN_BUFFER = 1 << 20;

/** Options of {@linkcode PcapWriter}. */
export interface PcapWriterOptions {
  /** Link-layer header type of every record. Default {@linkcode LINKTYPE_ETHERNET}. */
  linkType?: number;
  /** Nanosecond timestamps (magic `0xa1b23c4d`) instead of microseconds. Default `false`. */
  nanosecond?: boolean;
  /** Snapshot length in the file header; longer frames are refused. Default 262144. */
  snaplen?: number;
  /** Size of the internal buffer in bytes, at least 1 MiB. Default 4 MiB. */
  bufferSize?: number;
}

/**
 * Streams pcap records into a file.
 *
 * Two ways to add a record: {@linkcode PcapWriter.write} copies a frame, or, with no copy at all,
 * {@linkcode PcapWriter.reserve} returns where in {@linkcode PcapWriter.buffer} the next frame's bytes
 * go, the caller builds the frame there, and {@linkcode PcapWriter.commit} adds its record header.
 * Writes to the file are synchronous and happen only when the buffer is full, and on
 * {@linkcode PcapWriter.flush} / {@linkcode PcapWriter.close}.
 *
 * @example Write one frame
 * ```ts
 * import { PcapWriter } from "./pcap_writer.ts";
 * const path = await Deno.makeTempFile({ suffix: ".pcap" });
 * const writer = await PcapWriter.create(path);
 * writer.write(1_700_000_000, 0, new Uint8Array(60));
 * writer.close();
 * if (Deno.statSync(path).size !== 24 + 16 + 60) throw new Error("unexpected size");
 * await Deno.remove(path);
 * ```
 */
export class PcapWriter {
  /** Internal buffer; bytes from {@linkcode PcapWriter.reserve}'s offset on belong to the caller until commit. */
  readonly buffer: Uint8Array;
  /** Sub-second units per second of the timestamps this writer takes: 1e6 or 1e9. */
  readonly subsecondUnits: number;
  /** Snapshot length of the file. */
  readonly snaplen: number;
  #file: Deno.FsFile;
  #view: DataView;
  #used = 0;
  #frames = 0;
  #bytes = 0;
  #closed = false;

  /**
   * Wraps an open file and writes the file header.
   *
   * @param file Destination, open for writing, positioned at the start.
   * @param options Link type, resolution, snaplen, buffer size.
   */
  constructor(file: Deno.FsFile, options: PcapWriterOptions = {}) {
    const { linkType = LINKTYPE_ETHERNET, nanosecond = false, snaplen = DEFAULT_SNAPLEN } = options;
    const size = Math.max(MIN_BUFFER, options.bufferSize ?? 4 * MIN_BUFFER);
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > size - PCAP_RECORD_HEADER_LENGTH) {
      throw new RangeError(`Cannot create pcap writer: snaplen ${snaplen} is out of range`);
    }
    this.#file = file;
    this.buffer = new Uint8Array(size);
    this.#view = new DataView(this.buffer.buffer);
    this.subsecondUnits = nanosecond ? 1e9 : 1e6;
    this.snaplen = snaplen;
    const v = this.#view;
    v.setUint32(0, nanosecond ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true);
    v.setUint32(12, 0, true);
    v.setUint32(16, snaplen, true);
    v.setUint32(20, linkType, true);
    this.#used = PCAP_FILE_HEADER_LENGTH;
  }

  /**
   * Creates (or truncates) a file and returns a writer on it.
   *
   * @param path File to write.
   * @param options Link type, resolution, snaplen, buffer size.
   */
  static async create(path: string, options: PcapWriterOptions = {}): Promise<PcapWriter> {
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    try {
      return new PcapWriter(file, options);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Records written so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Bytes of the file so far, header and buffered bytes included. */
  get bytes(): number {
    return this.#bytes + this.#used;
  }

  /**
   * Makes room for a frame of up to `maxLength` bytes and returns the offset in
   * {@linkcode PcapWriter.buffer} where its first byte goes. Call {@linkcode PcapWriter.commit} next.
   *
   * @param maxLength Largest number of bytes the caller will write (≤ snaplen).
   */
  reserve(maxLength: number): number {
    if (maxLength > this.snaplen) {
      throw new RangeError(`Cannot reserve pcap record: length ${maxLength} exceeds snaplen ${this.snaplen}`);
    }
    if (this.#used + PCAP_RECORD_HEADER_LENGTH + maxLength > this.buffer.length) this.flush();
    return this.#used + PCAP_RECORD_HEADER_LENGTH;
  }

  /**
   * Adds the record header of the frame the caller built at the last {@linkcode PcapWriter.reserve}.
   *
   * @param seconds Timestamp, whole seconds since the epoch.
   * @param subseconds Fraction of the second in {@linkcode PcapWriter.subsecondUnits}.
   * @param capturedLength Bytes written at the reserved offset.
   * @param originalLength Length of the frame on the wire; defaults to `capturedLength`.
   */
  commit(seconds: number, subseconds: number, capturedLength: number, originalLength = capturedLength): void {
    const v = this.#view;
    const at = this.#used;
    v.setUint32(at, seconds, true);
    v.setUint32(at + 4, subseconds, true);
    v.setUint32(at + 8, capturedLength, true);
    v.setUint32(at + 12, originalLength, true);
    this.#used = at + PCAP_RECORD_HEADER_LENGTH + capturedLength;
    this.#frames++;
  }

  /**
   * Same as {@linkcode PcapWriter.commit} with the timestamp given as microseconds since the epoch
   * (fractions of a microsecond are kept in nanosecond files).
   *
   * @param micros Timestamp in microseconds since the epoch.
   * @param capturedLength Bytes written at the reserved offset.
   * @param originalLength Length of the frame on the wire; defaults to `capturedLength`.
   */
  commitAtMicros(micros: number, capturedLength: number, originalLength = capturedLength): void {
    const seconds = Math.floor(micros / 1e6);
    const fraction = micros - seconds * 1e6;
    const sub = this.subsecondUnits === 1e6
      ? Math.floor(fraction)
      : Math.min(999_999_999, Math.round(fraction * 1000));
    this.commit(seconds, sub, capturedLength, originalLength);
  }

  /**
   * Copies one frame into the file.
   *
   * @param seconds Timestamp, whole seconds since the epoch.
   * @param subseconds Fraction of the second in {@linkcode PcapWriter.subsecondUnits}.
   * @param frame Captured bytes.
   * @param originalLength Length on the wire; defaults to `frame.length`.
   */
  write(seconds: number, subseconds: number, frame: Uint8Array, originalLength = frame.length): void {
    const at = this.reserve(frame.length);
    this.buffer.set(frame, at);
    this.commit(seconds, subseconds, frame.length, originalLength);
  }

  /** Writes every buffered byte to the file. */
  flush(): void {
    let done = 0;
    while (done < this.#used) {
      done += this.#file.writeSync(this.buffer.subarray(done, this.#used));
    }
    this.#bytes += this.#used;
    this.#used = 0;
  }

  /** Flushes and closes the file. Calling it again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.flush();
    } finally {
      this.#file.close();
    }
  }
}
