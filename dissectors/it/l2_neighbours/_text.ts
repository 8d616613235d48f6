/**
 * Helpers shared by the LLDP, CDP and STP dissectors: text and address formatting of TLV values.
 *
 * Every helper reads only the byte range it is given; callers check that the range lies inside
 * the captured frame (`packet.end`) first.
 *
 * @module
 */

import { ipAt, macAt } from "../../../model/address.ts";
import { decodeText, lineEnd, MAX_TEXT_BYTES } from "../../text.ts";

/** Bytes shown at most as hex (three characters each, as many characters as the longest text). */
const MAX_HEX_BYTES = Math.floor(MAX_TEXT_BYTES / 3);

/** Text of the first line of a TLV value (multi-line system descriptions and software versions). */
export function firstLineAt(bytes: Uint8Array, at: number, length: number): string {
  return decodeText(bytes, at, lineEnd(bytes, at, at + length) - at);
}

/** Bytes as lowercase hex pairs joined by colons (e.g. `00:1c:0e`). */
export function hexAt(bytes: Uint8Array, at: number, length: number): string {
  const parts: string[] = [];
  const stop = Math.min(at + length, at + MAX_HEX_BYTES);
  for (let i = at; i < stop; i++) parts.push(bytes[i].toString(16).padStart(2, "0"));
  return parts.join(":");
}

/**
 * An LLDP chassis or port id of a textual subtype: an octet string that is text on most devices
 * but binary on some (IEEE 802.1AB-2016 8.5.2.3, 8.5.3.3), so printable ASCII goes through the
 * text rule and anything else is shown as colon-separated hex, as tshark shows binary ids.
 */
export function printableOrHex(bytes: Uint8Array, at: number, length: number): string {
  for (let i = at; i < at + length; i++) {
    if (bytes[i] < 0x20 || bytes[i] > 0x7e) return hexAt(bytes, at, length);
  }
  return decodeText(bytes, at, length);
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
