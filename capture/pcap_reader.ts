/**
 * Classic pcap ("libpcap savefile") records, as specified by draft-ietf-opsawg-pcap and pcap-savefile(5).
 *
 * ```
 * file header (24 bytes, in the writer's byte order)
 *  0 magic 0xa1b2c3d4 (µs) or 0xa1b23c4d (ns)     4 major (2)  6 minor (2)
 *  8 reserved (was thiszone)   12 reserved (was sigfigs)   16 snaplen
 * 20 |FCS len:4|R:1|P:1|reserved:10|link type:16|
 * record: 0 seconds  4 µs or ns  8 captured length  12 original length  16 data
 * ```
 *
 * Used through {@linkcode openCaptureFile} in `file_source.ts`.
 *
 * @module
 */

import type { CaptureInterface, PacketBatch } from "./batch.ts";
import { CaptureFileError } from "./capture_error.ts";
import type { ChunkWindow, RecordParser } from "./file_source.ts";

/** Length of the pcap file header. */
export const PCAP_HEADER_LENGTH = 24;

/** Length of a pcap record header. */
export const PCAP_RECORD_HEADER_LENGTH = 16;

/**
 * Sanity bound on a record's captured length whatever the snapshot length says: 4 × 262144 bytes
 * (262144 is libpcap's and Wireshark's largest standard snapshot length).
 */
export const MAX_CAPTURED_LENGTH = 262144 * 4;

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const MAGIC_US_SWAPPED = 0xd4c3b2a1;
const MAGIC_NS_SWAPPED = 0x4d3cb2a1;

/**
 * Tells whether the first four bytes of a file, read as a little-endian number, are a pcap magic
 * number in either byte order and either time resolution.
 *
 * @param magicLe the first 32-bit word read little-endian
 * @returns true for a pcap file
 */
export function isPcapMagic(magicLe: number): boolean {
  return magicLe === MAGIC_US || magicLe === MAGIC_NS || magicLe === MAGIC_US_SWAPPED ||
    magicLe === MAGIC_NS_SWAPPED;
}

/** Fields of a pcap file header. */
export interface PcapFileHeader {
  /** Byte order of the file. */
  littleEndian: boolean;
  /** True for nanosecond time stamps (magic 0xa1b23c4d), false for microseconds. */
  nanosecond: boolean;
  /** Format version. */
  versionMajor: number;
  /** Format version. */
  versionMinor: number;
  /** Snapshot length; 0 means unlimited. */
  snaplen: number;
  /** LINKTYPE_* value: the low 16 bits of the link-type field. */
  linkType: number;
  /**
   * Bytes of FCS at the end of every packet when the P bit of the link-type field is set (the FCS len
   * field counts 16-bit words), or -1 when the file does not say.
   */
  fcsLength: number;
}

/**
 * Decodes a pcap file header.
 *
 * @param view a view holding at least {@linkcode PCAP_HEADER_LENGTH} bytes from `offset`
 * @param offset where the header starts
 * @returns the header fields
 * @throws {TypeError} when the magic number is not a pcap one
 */
export function parsePcapHeader(view: DataView, offset = 0): PcapFileHeader {
  const magic = view.getUint32(offset, true);
  if (!isPcapMagic(magic)) throw new TypeError(`Cannot parse pcap header: magic 0x${magic.toString(16)}`);
  const littleEndian = magic === MAGIC_US || magic === MAGIC_NS;
  const field = view.getUint32(offset + 20, littleEndian);
  return {
    littleEndian,
    nanosecond: magic === MAGIC_NS || magic === MAGIC_NS_SWAPPED,
    versionMajor: view.getUint16(offset + 4, littleEndian),
    versionMinor: view.getUint16(offset + 6, littleEndian),
    snaplen: view.getUint32(offset + 16, littleEndian),
    linkType: field & 0xffff,
    fcsLength: (field & 0x04000000) !== 0 ? (field >>> 28) * 2 : -1,
  };
}

/**
 * Parser of pcap records, driven by the source of `file_source.ts`.
 *
 * Time stamps: seconds and fraction as written; a fraction of one second or more (some broken
 * writers) is carried into the seconds. A captured length larger than the original length is
 * tolerated, and the original length is raised to the captured length (frames keep `wirelen ≥ caplen`).
 * A captured length larger than the snapshot length is read, as Wireshark does, and counted
 * ({@linkcode RecordParser.overSnaplen}); only the {@linkcode MAX_CAPTURED_LENGTH} bound refuses it.
 */
export class PcapParser implements RecordParser {
  /** The file header. */
  readonly header: PcapFileHeader;
  /** The single interface of a pcap file. */
  readonly interfaces: CaptureInterface[];
  readonly #path: string;
  readonly #le: boolean;
  readonly #fracUnits: number;
  readonly #nsPerUnit: number;
  readonly #snaplen: number;
  /** See {@linkcode RecordParser.overSnaplen}. */
  overSnaplen = 0;

  /**
   * @param path the file path, for messages
   * @param view a view whose first {@linkcode PCAP_HEADER_LENGTH} bytes are the file header
   */
  constructor(path: string, view: DataView) {
    this.#path = path;
    this.header = parsePcapHeader(view, 0);
    this.#le = this.header.littleEndian;
    this.#fracUnits = this.header.nanosecond ? 1e9 : 1e6;
    this.#nsPerUnit = this.header.nanosecond ? 1 : 1000;
    const snaplen = this.header.snaplen;
    this.#snaplen = snaplen === 0 ? Infinity : snaplen;
    this.interfaces = [{ index: 0, linkType: this.header.linkType, snaplen }];
  }

  /** See {@linkcode RecordParser.fill}. */
  fill(batch: PacketBatch, win: ChunkWindow): number {
    const view = win.view;
    const le = this.#le;
    const end = win.end;
    const cap = batch.capacity;
    const linkType = this.header.linkType;
    let pos = win.pos;
    let n = batch.count;
    let need = 0;
    while (n < cap) {
      if (end - pos < PCAP_RECORD_HEADER_LENGTH) {
        need = PCAP_RECORD_HEADER_LENGTH;
        break;
      }
      const caplen = view.getUint32(pos + 8, le);
      if (caplen > MAX_CAPTURED_LENGTH) {
        if (n > 0) break;
        throw this.#caplenError(win.base + pos, caplen);
      }
      const length = PCAP_RECORD_HEADER_LENGTH + caplen;
      if (end - pos < length) {
        need = length;
        break;
      }
      const wirelen = view.getUint32(pos + 12, le);
      let sec = view.getUint32(pos, le);
      let frac = view.getUint32(pos + 4, le);
      if (frac >= this.#fracUnits) {
        const carry = Math.floor(frac / this.#fracUnits);
        sec += carry;
        frac -= carry * this.#fracUnits;
      }
      if (caplen > this.#snaplen) this.overSnaplen++;
      batch.offset[n] = pos + PCAP_RECORD_HEADER_LENGTH;
      batch.caplen[n] = caplen;
      batch.wirelen[n] = wirelen < caplen ? caplen : wirelen;
      batch.tsSec[n] = sec;
      batch.tsNsec[n] = frac * this.#nsPerUnit;
      batch.linkType[n] = linkType;
      batch.ifIndex[n] = 0;
      n++;
      pos += length;
    }
    batch.count = n;
    win.pos = pos;
    return need;
  }

  /** See {@linkcode RecordParser.truncated}. */
  truncated(win: ChunkWindow): CaptureFileError {
    const have = win.end - win.pos;
    const offset = win.base + win.pos;
    if (have < PCAP_RECORD_HEADER_LENGTH) {
      return new CaptureFileError(this.#path, {
        offset,
        expected: `a ${PCAP_RECORD_HEADER_LENGTH}-byte record header`,
        reason: `record header is truncated: ${have} of ${PCAP_RECORD_HEADER_LENGTH} bytes present`,
      });
    }
    const caplen = win.view.getUint32(win.pos + 8, this.#le);
    return new CaptureFileError(this.#path, {
      offset,
      expected: `${caplen} bytes of packet data`,
      reason: `record data is truncated: ${
        have - PCAP_RECORD_HEADER_LENGTH
      } of ${caplen} captured bytes present`,
    });
  }

  #caplenError(offset: number, caplen: number): CaptureFileError {
    return new CaptureFileError(this.#path, {
      offset,
      expected: `a captured length of at most ${MAX_CAPTURED_LENGTH} bytes`,
      reason:
        `record header announces ${caplen} captured bytes, larger than the ${MAX_CAPTURED_LENGTH}-byte sanity limit`,
    });
  }
}
