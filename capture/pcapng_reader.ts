/**
 * pcapng blocks, as specified by draft-ietf-opsawg-pcapng.
 *
 * ```
 * every block: 0 type  4 total length (multiple of 4, ≥ 12)  8 body …  total length again at the end
 * SHB 0x0a0d0d0a: 8 byte-order magic 0x1a2b3c4d  12 major (1)  14 minor  16 section length (64)  24 options
 * IDB 1: 8 link type (16)  10 reserved  12 snaplen  16 options (if_name 2, if_tsresol 9, if_tsoffset 14)
 * EPB 6: 8 interface id  12 time stamp high  16 low  20 captured length  24 original length  28 data
 * PB 2 (obsolete): 8 interface id (16)  10 drops (16)  12 high  16 low  20 captured  24 original  28 data
 * SPB 3: 8 original length  12 data (interface 0, no time stamp)
 * ```
 *
 * Used through {@linkcode openCaptureFile} in `file_source.ts`. Other blocks (NRB, ISB, DSB, custom…)
 * are skipped after their lengths are checked.
 *
 * @module
 */

import type { CaptureInterface, PacketBatch } from "./batch.ts";
import { CaptureFileError } from "./capture_error.ts";
import type { ChunkWindow, RecordParser } from "./file_source.ts";
import { MAX_CAPTURED_LENGTH } from "./pcap_reader.ts";
import { TimestampScale } from "./pcapng_timestamp.ts";

/** First word of a pcapng file: the Section Header Block type (a byte-order palindrome). */
export const PCAPNG_MAGIC = 0x0a0d0d0a;

/** Largest block accepted, a sanity bound against corrupt lengths (64 MiB). */
export const MAX_BLOCK_LENGTH = 64 * 1024 * 1024;

const SHB = PCAPNG_MAGIC;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

interface Problem {
  reason: string;
  expected: string;
}

function problem(reason: string, expected: string): Problem {
  return { reason, expected };
}

interface SectionInterface {
  global: number;
  linkType: number;
  snaplen: number;
  /** The snapshot length, or Infinity when it is 0 (unlimited). */
  snapBound: number;
  scale: TimestampScale;
}

/**
 * Latest time stamp accepted: 9999-12-31T23:59:59Z. Beyond it a JavaScript date, an ISO 8601 time
 * with four year digits and a microsecond count below 2^53 no longer hold (a 64-bit pcapng stamp in
 * microseconds reaches year 586 000).
 */
export const MAX_TIMESTAMP_S = 253402300799;

const NAMES: Record<number, string> = {
  [SHB]: "section header block",
  [IDB]: "interface description block",
  [PB]: "packet block",
  [SPB]: "simple packet block",
  [EPB]: "enhanced packet block",
};

function blockName(type: number): string {
  return NAMES[type] ?? `block of type 0x${hex(type)}`;
}

function minimumLength(type: number): number {
  return type === EPB || type === PB ? 32 : type === SHB ? 28 : type === IDB ? 20 : type === SPB ? 16 : 12;
}

/**
 * Parser of pcapng blocks, driven by the source of `file_source.ts`.
 *
 * - Byte order is per section; a new Section Header Block restarts the interface numbering of the
 *   file, and its interfaces are appended to {@linkcode PcapngParser.interfaces} (global indexes).
 * - Time stamps honour `if_tsresol` (10^-n and 2^-n) and `if_tsoffset`, computed exactly (see
 *   {@linkcode TimestampScale}).
 * - A Simple Packet Block has no time stamp: it gets the time stamp of the previous packet of the
 *   file (0 when it is the first), so that time never goes backwards. Its captured length is the
 *   smallest of its original length, its body and the snapshot length of interface 0.
 * - A captured length larger than the original length is tolerated; the original length is raised
 *   to the captured length (frames keep `wirelen ≥ caplen`).
 * - A captured length larger than the snapshot length is read, as Wireshark does, and counted
 *   ({@linkcode RecordParser.overSnaplen}); only the {@linkcode MAX_CAPTURED_LENGTH} bound refuses it.
 * - A time stamp before 1970 (a negative `if_tsoffset`) or after {@linkcode MAX_TIMESTAMP_S} is a
 *   damaged file: the error gives the block's offset and the value.
 */
export class PcapngParser implements RecordParser {
  /** Interfaces of every section read so far, in order. */
  readonly interfaces: CaptureInterface[] = [];
  readonly #path: string;
  #le = true;
  #section: SectionInterface[] = [];
  #lastSec = 0;
  #lastNsec = 0;
  /** See {@linkcode RecordParser.overSnaplen}. */
  overSnaplen = 0;

  /** @param path the file path, for messages */
  constructor(path: string) {
    this.#path = path;
  }

  /** See {@linkcode RecordParser.fill}. */
  fill(batch: PacketBatch, win: ChunkWindow): number {
    const view = win.view;
    const end = win.end;
    const cap = batch.capacity;
    let pos = win.pos;
    let n = batch.count;
    let need = 0;
    for (;;) {
      if (end - pos < 12) {
        need = 12;
        break;
      }
      let le = this.#le;
      const type = view.getUint32(pos, le);
      let bad: Problem | null = null;
      if (type === SHB) {
        const bom = view.getUint32(pos + 8, true);
        if (bom === BYTE_ORDER_MAGIC || bom === BYTE_ORDER_MAGIC_SWAPPED) le = bom === BYTE_ORDER_MAGIC;
        else bad = problem(`section header block has byte-order magic 0x${hex(bom)}`, "0x1a2b3c4d");
      }
      const length = view.getUint32(pos + 4, le);
      bad ??= this.#checkLength(type, length);
      if (bad === null) {
        if (end - pos < length) {
          need = length;
          break;
        }
        const trailer = view.getUint32(pos + length - 4, le);
        if (trailer !== length) {
          const reason = `${blockName(type)} length ${length} differs from its trailing length ${trailer}`;
          bad = problem(reason, `a trailing block length of ${length}`);
        } else if (type === EPB || type === PB || type === SPB) {
          if (n === cap) break;
          bad = this.#packet(type, batch, n, view, pos, length);
          if (bad === null) n++;
        } else if (type === IDB) {
          bad = this.#interface(view, pos, length);
        } else if (type === SHB) {
          const major = view.getUint16(pos + 12, le);
          if (major !== 1) {
            const version = `${major}.${view.getUint16(pos + 14, le)}`;
            bad = problem(`section header block has version ${version}`, "pcapng version 1.x");
          } else {
            this.#le = le;
            this.#section = [];
          }
        }
      }
      if (bad !== null) {
        if (n > 0) break;
        throw new CaptureFileError(this.#path, { offset: win.base + pos, ...bad });
      }
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
    const type = have >= 4 ? win.view.getUint32(win.pos, this.#le) : -1;
    const name = type === -1 ? "block" : blockName(type);
    if (have < 12) {
      const reason = `${name} header is truncated: ${have} of 12 bytes present`;
      return new CaptureFileError(this.#path, { offset, expected: "a 12-byte block header", reason });
    }
    const le = type === SHB ? win.view.getUint32(win.pos + 8, true) === BYTE_ORDER_MAGIC : this.#le;
    const length = win.view.getUint32(win.pos + 4, le);
    const reason = `${name} is truncated: ${have} of ${length} bytes present`;
    return new CaptureFileError(this.#path, { offset, expected: `a block of ${length} bytes`, reason });
  }

  #checkLength(type: number, length: number): Problem | null {
    const min = minimumLength(type);
    if ((length & 3) === 0 && length >= min && length <= MAX_BLOCK_LENGTH) return null;
    const name = `${blockName(type)} length ${length}`;
    if (length % 4 !== 0) return problem(`${name} is not a multiple of 4`, "a block length multiple of 4");
    if (length < min) {
      return problem(`${name} is smaller than the ${min}-byte minimum`, `at least ${min} bytes`);
    }
    const limit = `${MAX_BLOCK_LENGTH}-byte`;
    return problem(`${name} is larger than the ${limit} sanity limit`, `at most ${MAX_BLOCK_LENGTH} bytes`);
  }

  /** Decodes an EPB, PB or SPB into entry `n` of the batch. */
  #packet(
    type: number,
    batch: PacketBatch,
    n: number,
    view: DataView,
    pos: number,
    length: number,
  ): Problem | null {
    const le = this.#le;
    const ifId = type === EPB ? view.getUint32(pos + 8, le) : type === PB ? view.getUint16(pos + 8, le) : 0;
    const iface = this.#section[ifId];
    if (iface === undefined) {
      const declared = this.#section.length;
      const reason = `${blockName(type)} refers to interface ${ifId}, but the section declares ${declared}`;
      return problem(reason, `an interface id below ${declared}`);
    }
    let caplen: number;
    let wirelen: number;
    let data: number;
    if (type === SPB) {
      wirelen = view.getUint32(pos + 8, le);
      // §4.4: the captured length of an SPB is the smaller of the original length and the snaplen.
      caplen = Math.min(wirelen, length - 16, iface.snapBound, MAX_CAPTURED_LENGTH);
      data = pos + 12;
      batch.tsSec[n] = this.#lastSec;
      batch.tsNsec[n] = this.#lastNsec;
    } else {
      caplen = view.getUint32(pos + 20, le);
      wirelen = view.getUint32(pos + 24, le);
      data = pos + 28;
      if (caplen > MAX_CAPTURED_LENGTH || caplen > length - 32) {
        return this.#caplenProblem(type, caplen, length);
      }
      iface.scale.write(batch, n, view, pos + 12, le);
      const sec = batch.tsSec[n];
      if (!(sec >= 0 && sec <= MAX_TIMESTAMP_S)) return this.#timeProblem(type, view, pos, le, sec);
      if (caplen > iface.snapBound) this.overSnaplen++;
      this.#lastSec = sec;
      this.#lastNsec = batch.tsNsec[n];
    }
    batch.offset[n] = data;
    batch.caplen[n] = caplen;
    batch.wirelen[n] = wirelen < caplen ? caplen : wirelen;
    batch.linkType[n] = iface.linkType;
    batch.ifIndex[n] = iface.global;
    return null;
  }

  #caplenProblem(type: number, caplen: number, length: number): Problem {
    const announces = `${blockName(type)} announces ${caplen} captured bytes`;
    if (caplen <= MAX_CAPTURED_LENGTH) {
      return problem(
        `${announces}, more than its length ${length} holds`,
        `at most ${length - 32} captured bytes`,
      );
    }
    const expected = `a captured length of at most ${MAX_CAPTURED_LENGTH} bytes`;
    return problem(`${announces}, larger than the ${MAX_CAPTURED_LENGTH}-byte sanity limit`, expected);
  }

  #timeProblem(type: number, view: DataView, pos: number, le: boolean, sec: number): Problem {
    const hi = view.getUint32(pos + 12, le);
    const lo = view.getUint32(pos + 16, le);
    const stamp = `0x${hex(hi)}:${hex(lo)}`;
    return problem(
      `${blockName(type)} has time stamp ${stamp}, ${sec} s after 1970 with its interface's ` +
        "if_tsresol/if_tsoffset, outside the representable range",
      `a time from 1970-01-01 to 9999-12-31 (0 to ${MAX_TIMESTAMP_S} s)`,
    );
  }

  /** Decodes an IDB and declares its interface. */
  #interface(view: DataView, pos: number, length: number): Problem | null {
    const le = this.#le;
    const linkType = view.getUint16(pos + 8, le);
    const snaplen = view.getUint32(pos + 12, le);
    let name: string | undefined;
    let tsresol = 6;
    let tsoffset = 0;
    const optionsEnd = pos + length - 4;
    for (let o = pos + 16; o + 4 <= optionsEnd;) {
      const code = view.getUint16(o, le);
      const size = view.getUint16(o + 2, le);
      if (code === 0) break;
      if (o + 4 + size > optionsEnd) {
        const reason = `interface description block option ${code} of ${size} bytes runs past the block end`;
        return problem(reason, `options within the block's ${length} bytes`);
      }
      if (code === 2) {
        name = new TextDecoder().decode(new Uint8Array(view.buffer, o + 4, size)).replace(/\0+$/, "");
      } else if (code === 9 && size >= 1) {
        tsresol = view.getUint8(o + 4);
      } else if (code === 14 && size >= 8) {
        tsoffset = view.getInt32(o + (le ? 8 : 4), le) * 4294967296 + view.getUint32(o + (le ? 4 : 8), le);
      }
      o += 4 + ((size + 3) & ~3);
    }
    const unsupported = TimestampScale.check(tsresol);
    if (unsupported !== "") {
      return problem(`interface description block has ${unsupported}`, "if_tsresol at most 10^-19 or 2^-63");
    }
    const global = this.interfaces.length;
    const snapBound = snaplen === 0 ? Infinity : snaplen;
    const scale = new TimestampScale(tsresol, tsoffset);
    this.#section.push({ global, linkType, snaplen, snapBound, scale });
    const iface: CaptureInterface = { index: global, linkType, snaplen };
    if (name !== undefined) iface.name = name;
    this.interfaces.push(iface);
    return null;
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(8, "0");
}
