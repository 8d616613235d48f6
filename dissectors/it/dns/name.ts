/**
 * The shared domain name decoder (RFC 1035 3.1 and 4.1.4), used by DNS, mDNS, LLMNR and NBNS.
 *
 * A name is a sequence of labels, each a length octet (≤ 63) and that many bytes, ended by a zero
 * octet or by a compression pointer (two octets, top bits `11`, 14-bit offset from the message
 * start). The decoder never reads outside `[messageStart, end)`, never throws and always ends:
 * - a pointer must point strictly before the first byte of the run of labels it ends (so every
 *   jump goes further back, which rules out A→B→A loops), and at most {@linkcode MAX_JUMPS} are
 *   followed;
 * - the wire length (length octets included) may not exceed 255 (RFC 1035 2.3.4);
 * - label types `01` and `10` (lengths 64–191) are refused (RFC 6891 5 retired extended labels).
 *
 * @module
 */

import { MAX_JUMPS, MAX_LABEL, MAX_NAME, Problem } from "./_consts.ts";
import { decodeText } from "../../text.ts";

/** Outcome of {@linkcode NameReader.read}. */
export const NameStatus = {
  /** The name was decoded. */
  OK: 0,
  /** The name runs past the available bytes (a truncated capture or a malformed message). */
  PAST_END: 1,
  /** An impossible name (loop, forward pointer, reserved label type, too long). */
  INVALID: 2,
} as const;

/**
 * Text of one label by the project's text rule ({@linkcode decodeText}: UTF-8, as mDNS names are,
 * RFC 6762 16; control characters and `\` as `\xNN`), with a `.` inside a label written `\x2e` so
 * the joined name stays unambiguous (RFC 1035 5.1 escapes it for the same reason).
 */
function labelText(bytes: Uint8Array, at: number, length: number): string {
  const text = decodeText(bytes, at, length);
  return text.includes(".") ? text.replaceAll(".", "\\x2e") : text;
}

/** Reads domain names from one message; reuse it for every name of the message. */
export class NameReader {
  /** The decoded name, labels joined by `.`; empty for the root. */
  name = "";
  /** The decoded labels. */
  labels: string[] = [];
  /** Offset just after the name where it was read (after the first pointer, if any). */
  next = 0;
  /** Offset and length of the first label's bytes (NetBIOS first-level encoding), or -1 / 0. */
  firstLabelOffset = -1;
  firstLabelLength = 0;
  /** Constant problem of the last failure. */
  problem = "";
  /** Where the last failure was found. */
  problemOffset = 0;

  /**
   * Decodes the name at `at`. Compression pointers are offsets from `messageStart`; nothing at or
   * after `end` is read.
   *
   * @returns a {@linkcode NameStatus}
   */
  read(bytes: Uint8Array, messageStart: number, end: number, at: number): number {
    this.name = "";
    this.labels = [];
    this.firstLabelOffset = -1;
    this.firstLabelLength = 0;
    let runStart = at;
    let wire = 0;
    let jumps = 0;
    let next = -1;
    let cursor = at;
    for (;;) {
      if (cursor >= end) return this.#fail(NameStatus.PAST_END, Problem.LABEL_PAST_END, cursor);
      const length = bytes[cursor];
      if (length === 0) {
        wire += 1;
        if (wire > MAX_NAME) return this.#fail(NameStatus.INVALID, Problem.NAME_TOO_LONG, cursor);
        this.next = next >= 0 ? next : cursor + 1;
        this.name = this.labels.join(".");
        return NameStatus.OK;
      }
      if ((length & 0xc0) === 0xc0) {
        // Compression pointer (RFC 1035 4.1.4).
        if (cursor + 1 >= end) return this.#fail(NameStatus.PAST_END, Problem.LABEL_PAST_END, cursor);
        const target = messageStart + (((length & 0x3f) << 8) | bytes[cursor + 1]);
        if (target >= cursor) return this.#fail(NameStatus.INVALID, Problem.POINTER_FORWARD, cursor);
        if (target >= runStart || ++jumps > MAX_JUMPS) {
          return this.#fail(NameStatus.INVALID, Problem.POINTER_LOOP, cursor);
        }
        if (next < 0) next = cursor + 2;
        runStart = target;
        cursor = target;
        continue;
      }
      if (length > MAX_LABEL) return this.#fail(NameStatus.INVALID, Problem.LABEL_TYPE, cursor);
      wire += length + 1;
      if (wire > MAX_NAME) return this.#fail(NameStatus.INVALID, Problem.NAME_TOO_LONG, cursor);
      if (cursor + 1 + length > end) return this.#fail(NameStatus.PAST_END, Problem.LABEL_PAST_END, cursor);
      if (this.firstLabelOffset < 0) {
        this.firstLabelOffset = cursor + 1;
        this.firstLabelLength = length;
      }
      this.labels.push(labelText(bytes, cursor + 1, length));
      cursor += 1 + length;
    }
  }

  #fail(status: number, problem: string, offset: number): number {
    this.problem = problem;
    this.problemOffset = offset;
    return status;
  }
}

/**
 * The address a reverse-mapping name stands for, as 4 or 16 bytes: `d.c.b.a.in-addr.arpa`
 * (RFC 1035 3.5) or 32 nibbles then `ip6.arpa` (RFC 3596 2.5). Null for anything else
 * (partial names, classless delegations, service names).
 */
export function reverseAddress(labels: readonly string[]): Uint8Array | null {
  const count = labels.length;
  if (count < 3 || labels[count - 1].toLowerCase() !== "arpa") return null;
  const zone = labels[count - 2].toLowerCase();
  if (zone === "in-addr" && count === 6) {
    const address = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const label = labels[3 - i];
      if (!/^(0|[1-9][0-9]{0,2})$/.test(label) || Number(label) > 255) return null;
      address[i] = Number(label);
    }
    return address;
  }
  if (zone === "ip6" && count === 34) {
    const address = new Uint8Array(16);
    for (let i = 0; i < 32; i++) {
      const label = labels[31 - i];
      if (!/^[0-9a-fA-F]$/.test(label)) return null;
      address[i >> 1] |= parseInt(label, 16) << (i & 1 ? 0 : 4);
    }
    return address;
  }
  return null;
}
