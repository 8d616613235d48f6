/**
 * Grammar of IEC 61850 GOOSE (IEC 61850-8-1 Annex A, ASN.1 BER per ITU-T X.690 §8.1): the
 * EtherType 0x88B8 header and the goosePdu, read into a reused {@linkcode GooseReader} without
 * allocating.
 *
 * ```
 *  0 APPID (2)   2 Length (2, counted from APPID, 8 + PDU)   4 Reserved1 (2, bit 15: simulation)
 *  6 Reserved2 (2)   8 goosePdu [APPLICATION 1] 0x61 { gocbRef [0] VisibleString,
 *    timeAllowedtoLive [1] INTEGER, datSet [2] VisibleString, goID [3] VisibleString OPTIONAL,
 *    t [4] UtcTime (8), stNum [5], sqNum [6], simulation [7] BOOLEAN, confRev [8], ndsCom [9] BOOLEAN,
 *    numDatSetEntries [10], allData [11] SEQUENCE OF Data, security [12] OPTIONAL }
 * ```
 * Lengths are BER definite lengths: short form (< 0x80) or long form with 1–4 length bytes; the
 * indefinite form (0x80) is not allowed (X.690 §10.1, DER as used by GOOSE). A length past the
 * enclosing element is malformed.
 *
 * @module
 */

import { decodeText } from "../../api.ts";

/** Returned by {@linkcode GooseReader.read} when the frame ends before the GOOSE Length says. */
export const TRUNCATED = "truncated";
/** Returned when the PDU was read. */
export const OK = "";

const TAG_GOOSE_PDU = 0x61;
const TAG_GSE_MNGT_PDU = 0x62;
const MAX_STRING = 129;

/** One GOOSE frame's header and PDU fields (offsets into `bytes`; -1 when absent). */
export class GooseReader {
  bytes: Uint8Array = new Uint8Array(0);
  appid = 0;
  length = 0;
  reserved1 = 0;
  /** True for a GSE management PDU (not decoded further). */
  management = false;
  gocbRefAt = -1;
  gocbRefLength = 0;
  datSetAt = -1;
  datSetLength = 0;
  goIdAt = -1;
  goIdLength = 0;
  timeAllowedToLive = -1;
  stNum = -1;
  sqNum = -1;
  /** 1 true, 0 false, -1 absent. */
  simulation = -1;
  confRev = -1;
  ndsCom = -1;
  numDatSetEntries = -1;
  /** Data elements counted in allData, or -1. */
  allDataCount = -1;
  problemAt = 0;
  problemValue = -1;
  /** Current element (see {@linkcode element}). */
  tag = 0;
  valueAt = 0;
  valueLength = 0;

  #problem(text: string, at: number, value: number): string {
    this.problemAt = at;
    this.problemValue = value;
    return text;
  }

  /** Reads the BER element at `at` that must end by `limit` into `tag`, `valueAt`, `valueLength`. */
  element(at: number, limit: number): string {
    const bytes = this.bytes;
    if (limit - at < 2) return this.#problem("BER element past its enclosing length", at, limit - at);
    const tag = bytes[at];
    if ((tag & 0x1f) === 0x1f) return this.#problem("multi-byte BER tag", at, tag);
    let first = bytes[at + 1];
    let valueAt = at + 2;
    if (first === 0x80) return this.#problem("indefinite BER length", at + 1, first);
    if (first > 0x80) {
      const count = first & 0x7f;
      if (count > 4) return this.#problem("BER length of more than 4 bytes", at + 1, count);
      if (limit - valueAt < count) {
        return this.#problem("BER element past its enclosing length", at + 1, count);
      }
      first = 0;
      for (let i = 0; i < count; i++) first = first * 256 + bytes[valueAt + i];
      valueAt += count;
    }
    if (first > limit - valueAt) return this.#problem("BER element past its enclosing length", at + 1, first);
    this.tag = tag;
    this.valueAt = valueAt;
    this.valueLength = first;
    return OK;
  }

  #unsigned(): number {
    let value = 0;
    for (let i = 0; i < this.valueLength; i++) value = value * 256 + this.bytes[this.valueAt + i];
    return value;
  }

  /** Reads the GOOSE header and PDU at `at` (after the EtherType). */
  read(bytes: Uint8Array, view: DataView, at: number, end: number): string {
    this.bytes = bytes;
    this.management = false;
    this.gocbRefAt = this.datSetAt = this.goIdAt = -1;
    this.gocbRefLength = this.datSetLength = this.goIdLength = 0;
    this.timeAllowedToLive =
      this.stNum =
      this.sqNum =
      this.simulation =
        -1;
    this.confRev =
      this.ndsCom =
      this.numDatSetEntries =
      this.allDataCount =
        -1;
    if (end - at < 8) return this.#problem(TRUNCATED, at, -1);
    this.appid = view.getUint16(at);
    const length = view.getUint16(at + 2);
    this.length = length;
    this.reserved1 = view.getUint16(at + 4);
    if (length < 10) return this.#problem("GOOSE length shorter than its header and PDU", at + 2, length);
    const pduEnd = at + length;
    if (pduEnd > end) return this.#problem(TRUNCATED, at + 2, length);
    let status = this.element(at + 8, pduEnd);
    if (status !== OK) return status;
    if (this.tag === TAG_GSE_MNGT_PDU) {
      this.management = true;
      return OK;
    }
    if (this.tag !== TAG_GOOSE_PDU) return this.#problem("not a goosePdu", at + 8, this.tag);
    const limit = this.valueAt + this.valueLength;
    let cursor = this.valueAt;
    while (cursor < limit) {
      const elementAt = cursor;
      status = this.element(cursor, limit);
      if (status !== OK) return status;
      cursor = this.valueAt + this.valueLength;
      const n = this.valueLength;
      const tag: number = this.tag;
      const integer = tag === 0x81 || tag === 0x85 || tag === 0x86 || tag === 0x88 || tag === 0x8a;
      if (integer && (n < 1 || n > 6)) {
        return this.#problem("GOOSE integer of impossible length", elementAt, n);
      }
      switch (tag) {
        case 0x80:
        case 0x82:
        case 0x83:
          if (n > MAX_STRING) return this.#problem("GOOSE object reference longer than 129", elementAt, n);
          if (tag === 0x80) {
            this.gocbRefAt = this.valueAt;
            this.gocbRefLength = n;
          } else if (tag === 0x82) {
            this.datSetAt = this.valueAt;
            this.datSetLength = n;
          } else {
            this.goIdAt = this.valueAt;
            this.goIdLength = n;
          }
          break;
        case 0x81:
          this.timeAllowedToLive = this.#unsigned();
          break;
        case 0x84:
          if (n !== 8) return this.#problem("GOOSE UtcTime is not 8 bytes", elementAt, n);
          break;
        case 0x85:
          this.stNum = this.#unsigned();
          break;
        case 0x86:
          this.sqNum = this.#unsigned();
          break;
        case 0x87:
          if (n !== 1) return this.#problem("GOOSE boolean is not 1 byte", elementAt, n);
          this.simulation = bytes[this.valueAt] !== 0 ? 1 : 0;
          break;
        case 0x88:
          this.confRev = this.#unsigned();
          break;
        case 0x89:
          if (n !== 1) return this.#problem("GOOSE boolean is not 1 byte", elementAt, n);
          this.ndsCom = bytes[this.valueAt] !== 0 ? 1 : 0;
          break;
        case 0x8a:
          this.numDatSetEntries = this.#unsigned();
          break;
        case 0xab: {
          let count = 0;
          const dataEnd = this.valueAt + n;
          for (let item = this.valueAt; item < dataEnd; count++) {
            status = this.element(item, dataEnd);
            if (status !== OK) return status;
            item = this.valueAt + this.valueLength;
          }
          this.allDataCount = count;
          break;
        }
      }
    }
    if (this.gocbRefAt < 0) return this.#problem("goosePdu without gocbRef", at + 8, -1);
    return OK;
  }
}

/** Texts recently read, with their bytes: a publisher repeats the same gocbRef in every frame. */
const MEMO_SIZE = 16;
const memoBytes: Uint8Array[] = Array.from({ length: MEMO_SIZE }, () => new Uint8Array(0));
const memoTexts: string[] = new Array(MEMO_SIZE).fill("");
let memoNext = 0;

/**
 * Text of `bytes[at, at + length)` by the project's text rule ({@linkcode decodeText}; a
 * VisibleString is printable ASCII, ISO/IEC 8824-1 41.4, so the rule's fast path). The last texts read are
 * remembered with their bytes (a pure memo: equal bytes give the same text), so the gocbRef and
 * datSet repeated by every frame of a publisher are compared, not rebuilt.
 */
export function visibleAt(bytes: Uint8Array, at: number, length: number): string {
  for (let m = 0; m < MEMO_SIZE; m++) {
    const known = memoBytes[m];
    if (known.length !== length || length === 0) continue;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (known[i] !== bytes[at + i]) {
        same = false;
        break;
      }
    }
    if (same) return memoTexts[m];
  }
  const text = decodeText(bytes, at, length);
  if (length > 0 && length <= 256) {
    memoBytes[memoNext] = bytes.slice(at, at + length);
    memoTexts[memoNext] = text;
    memoNext = (memoNext + 1) % MEMO_SIZE;
  }
  return text;
}
