/**
 * The DHCP options area (RFC 2132 section 2): a walk that records where each option's value is,
 * and the text forms of the values the dissector reports.
 *
 * Every read is bounded by the `end` it is given; nothing here throws on any input.
 *
 * @module
 */

import { formatIpv4 } from "../../../model/address.ts";
import { decodeText } from "../../text.ts";
import { Field, FILE_LENGTH, FQDN_FLAG_E, Opt, Overload, SNAME_LENGTH } from "./_consts.ts";

/** Where each option of a message is: value offset and length by option code, -1 when absent. */
export class DhcpOptions {
  /** Offset in the packet bytes of each option's value (index: option code), or -1. */
  readonly offset: Int32Array = new Int32Array(256).fill(-1);
  /** Length of each option's value, or -1. */
  readonly length: Int32Array = new Int32Array(256).fill(-1);
  /** Offset of the option that ran past its area, after a failed {@linkcode walkAll}. */
  failedAt = -1;
  /** Code of that option. */
  failedCode = -1;
  /** True when the options field (not `file` or `sname`) closes with the end option (255). */
  sawEnd = false;

  /** Forgets the previous message. */
  reset(): void {
    this.offset.fill(-1);
    this.length.fill(-1);
    this.failedAt = -1;
    this.failedCode = -1;
    this.sawEnd = false;
  }

  /** True when option `code` was present (even with a zero length). */
  has(code: number): boolean {
    return this.offset[code] >= 0;
  }
}

/**
 * Walks one options area `[from, to)` (RFC 2132 section 2): pad (0) is one byte, end (255) stops
 * the walk, every other option is code, length, value. The first occurrence of a code is kept
 * (RFC 3396 concatenation of split options is not applied). The walk advances by at least one
 * byte per step, so it ends.
 *
 * @returns true when the area is well formed; false when an option's length runs past `to`
 * (then `options.failedAt` / `failedCode` say where)
 */
export function walkOptions(bytes: Uint8Array, from: number, to: number, options: DhcpOptions): boolean {
  let at = from;
  while (at < to) {
    const code = bytes[at];
    if (code === Opt.END) {
      options.sawEnd = true;
      return true;
    }
    if (code === Opt.PAD) {
      at++;
      continue;
    }
    if (at + 2 > to || at + 2 + bytes[at + 1] > to) {
      options.failedAt = at;
      options.failedCode = code;
      return false;
    }
    const length = bytes[at + 1];
    if (options.offset[code] < 0) {
      options.offset[code] = at + 2;
      options.length[code] = length;
    }
    at += 2 + length;
  }
  return true;
}

/**
 * Walks the options field, then — when option 52 says so — the `file` and `sname` fields, in the
 * order of RFC 2131 section 4.1 (options, file, sname). `message` is the offset of the DHCP
 * message and `end` one past its last captured byte (at least `message + 240`).
 */
export function walkAll(bytes: Uint8Array, message: number, end: number, options: DhcpOptions): boolean {
  options.reset();
  if (!walkOptions(bytes, message + Field.OPTIONS, end, options)) return false;
  const ended = options.sawEnd;
  const at = options.offset[Opt.OVERLOAD];
  if (at < 0 || options.length[Opt.OVERLOAD] !== 1) return true;
  const overload = bytes[at];
  if (overload === Overload.FILE || overload === Overload.BOTH) {
    const file = message + Field.FILE;
    if (!walkOptions(bytes, file, file + FILE_LENGTH, options)) return false;
  }
  if (overload === Overload.SNAME || overload === Overload.BOTH) {
    const sname = message + Field.SNAME;
    if (!walkOptions(bytes, sname, sname + SNAME_LENGTH, options)) return false;
  }
  options.sawEnd = ended;
  return true;
}

/** IPv4 address at `at` as dotted text (4 bytes must be readable). */
export function ipv4Text(bytes: Uint8Array, at: number): string {
  return formatIpv4(((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0);
}

/** True when the 4 bytes at `at` are 0.0.0.0. */
export function isZeroIpv4(bytes: Uint8Array, at: number): boolean {
  return (bytes[at] | bytes[at + 1] | bytes[at + 2] | bytes[at + 3]) === 0;
}

/** Unsigned 32-bit big-endian integer at `at`. */
export function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** Bytes as lowercase hex with no separator (option 61 client identifier). */
export function hexText(bytes: Uint8Array, at: number, length: number): string {
  let text = "";
  for (let i = at; i < at + length; i++) text += bytes[i].toString(16).padStart(2, "0");
  return text;
}

/** Bytes as a decimal comma list: the option 55 fingerprint, e.g. `1,3,6,15`. */
export function byteList(bytes: Uint8Array, at: number, length: number): string {
  const codes: number[] = [];
  for (let i = at; i < at + length; i++) codes.push(bytes[i]);
  return codes.join(",");
}

/** A list of IPv4 addresses (options 3, 6) as `a,b,c`; a trailing partial address is ignored. */
export function ipv4List(bytes: Uint8Array, at: number, length: number): string {
  const addresses: string[] = [];
  for (let i = at; i + 4 <= at + length; i += 4) addresses.push(ipv4Text(bytes, i));
  return addresses.join(",");
}

/**
 * Domain name of option 81 (RFC 4702 section 2: flags, RCODE1, RCODE2, then the name). With flag
 * E the name is in canonical wire format (RFC 1035 section 3.1, no compression; a partial name
 * has no terminating zero label, section 2.1); without it, deprecated ASCII. Labels and names go
 * through the project's text rule ({@linkcode decodeText}).
 *
 * @returns the name without a trailing dot, "" when the option carries none, or null when the
 * wire encoding is broken (label past the end, label longer than 63 bytes, compression pointer)
 */
export function fqdnText(bytes: Uint8Array, at: number, length: number): string | null {
  if (length < 3) return null;
  const flags = bytes[at];
  const from = at + 3;
  const to = at + length;
  if ((flags & FQDN_FLAG_E) === 0) return decodeText(bytes, from, to - from).replace(/\.$/, "");
  const labels: string[] = [];
  let i = from;
  while (i < to) {
    const size = bytes[i];
    if (size === 0) break;
    if (size > 63 || i + 1 + size > to) return null;
    labels.push(decodeText(bytes, i + 1, size));
    i += 1 + size;
  }
  return labels.join(".");
}
