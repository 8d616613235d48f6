/**
 * Helpers shared by the LLDP, CDP and STP dissectors: text and address formatting of TLV values.
 *
 * Every helper reads only the byte range it is given; callers check that the range lies inside
 * the captured frame (`packet.end`) first.
 *
 * @module
 */

import { ipAt, macAt } from "../../../model/address.ts";

/** Longest text kept from a TLV (CDP TLVs may be 64 KiB; nobody needs that much in an identity). */
export const MAX_TEXT = 1024;

const decoder = new TextDecoder();

/**
 * UTF-8 text of `length` bytes at `at`: trailing NULs and spaces removed, control characters other
 * than tab and newline replaced by U+FFFD, at most {@linkcode MAX_TEXT} characters.
 */
export function textAt(bytes: Uint8Array, at: number, length: number): string {
  let stop = at + length;
  while (stop > at && (bytes[stop - 1] === 0 || bytes[stop - 1] === 0x20)) stop--;
  const text = decoder.decode(bytes.subarray(at, stop)).replace(/\r\n/g, "\n");
  // deno-lint-ignore no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "\ufffd");
  return clean.length > MAX_TEXT ? clean.slice(0, MAX_TEXT) : clean;
}

/** Bytes as lowercase hex pairs joined by colons (e.g. `00:1c:0e`). */
export function hexAt(bytes: Uint8Array, at: number, length: number): string {
  const parts: string[] = [];
  const stop = Math.min(at + length, at + MAX_TEXT / 3);
  for (let i = at; i < stop; i++) parts.push(bytes[i].toString(16).padStart(2, "0"));
  return parts.join(":");
}

/** Printable ASCII as text, anything else as colon-separated hex. */
export function printableOrHex(bytes: Uint8Array, at: number, length: number): string {
  for (let i = at; i < at + length; i++) {
    if (bytes[i] < 0x20 || bytes[i] > 0x7e) return hexAt(bytes, at, length);
  }
  return textAt(bytes, at, length);
}

/**
 * An address preceded by its IANA address family number (RFC 3232 "Address Family Numbers": 1 IPv4,
 * 2 IPv6, 6 IEEE 802 MAC), as used by LLDP network-address ids and management addresses
 * (IEEE 802.1AB-2016 clauses 8.5.2.3 and 8.5.9.4). Other families are `family:hex`.
 */
export function familyAddressAt(bytes: Uint8Array, family: number, at: number, length: number): string {
  if (family === 1 && length === 4) return ipAt(bytes, at, 4);
  if (family === 2 && length === 16) return ipAt(bytes, at, 6);
  if (family === 6 && length === 6) return macAt(bytes, at);
  return `${family}:${hexAt(bytes, at, length)}`;
}

/** Names of the bits set in `bits`, bit 0 first, joined by commas (unnamed bits as `bitN`). */
export function bitNames(bits: number, names: readonly string[]): string {
  const set: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if ((bits >>> bit) & 1) set.push(bit < names.length ? names[bit] : `bit${bit}`);
  }
  return set.join(",");
}

/** First line of a text, trimmed. */
export function firstLine(text: string): string {
  const newline = text.indexOf("\n");
  return (newline < 0 ? text : text.slice(0, newline)).trim();
}
