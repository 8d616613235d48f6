/**
 * The one rule by which every dissector and plugin turns protocol bytes into text: host names,
 * device and station names, versions, topics, header values. The same bytes give the same string
 * whatever protocol carried them, so a host name heard over LLDP and over DHCP is one value.
 *
 * {@linkcode decodeText} reads `bytes[at, at + length)`:
 *
 * 1. **At most {@linkcode MAX_TEXT_BYTES} bytes** are read; a cut never splits a UTF-8 sequence.
 * 2. **The text ends at the first NUL byte.** NUL ends a C string and starts NUL padding: DHCP
 *    receivers "MUST be prepared to delete trailing nulls" (RFC 2132 section 2); S7 SZL component
 *    names are fixed fields filled with NULs (W#16#001C, seen in the shared S7 captures); some
 *    LLDP and CDP stacks add a terminating NUL to their TLVs, which IEEE 802.1AB and CDP do not define.
 * 3. **ASCII white space (HT, LF, VT, FF, CR, space) is trimmed at both ends**: it is padding, never
 *    identity (NetBIOS names are padded with spaces to 15 characters, [MS-NBTE] 1.8; S7 order
 *    numbers and Omron FINS model strings are space-padded fixed fields).
 * 4. **UTF-8** (RFC 3629; ASCII, which most protocols specify, is its subset): each invalid sequence
 *    becomes U+FFFD, as the WHATWG Encoding Standard decodes (one U+FFFD per maximal invalid subpart).
 * 5. **Control characters and the backslash are escaped as `\xNN`** (two lowercase hex digits of the
 *    code point): C0 U+0001–U+001F, DEL U+007F, C1 U+0080–U+009F, and `\` itself (U+005C). A stored
 *    value is thus one printable line, and every `\` in it starts an escape.
 *
 * Decoding allocates the string: call it when an identity or event is reported, not per packet.
 * Printable ASCII, the common case, takes a fast path with no intermediate buffer.
 *
 * @example Padding, control characters and invalid UTF-8
 * ```ts
 * import { decodeText } from "./text.ts";
 *
 * const bytes = new Uint8Array([0x50, 0x4c, 0x43, 0x01, 0xff, 0x20, 0x00, 0x00]);
 * if (decodeText(bytes, 0, bytes.length) !== "PLC\\x01\ufffd") throw new Error("unexpected text");
 * ```
 *
 * @module
 */

/** Bytes read at most by {@linkcode decodeText}; longer fields are cut (at a UTF-8 character boundary). */
export const MAX_TEXT_BYTES = 1024;

const BACKSLASH = 0x5c;
const utf8 = new TextDecoder("utf-8");
/** Characters the rule escapes (NUL never reaches it: the text ends there). */
// deno-lint-ignore no-control-regex
const ESCAPED = /[\u0000-\u001f\u005c\u007f-\u009f]/g;
/** Below this many bytes, building the string a character at a time beats a TextDecoder call. */
const SHORT = 24;

function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function escape(char: string): string {
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/**
 * Text of `length` bytes at `at` by the project's one text rule (see the module documentation):
 * at most {@linkcode MAX_TEXT_BYTES}, up to the first NUL, ASCII white space trimmed, UTF-8 with
 * U+FFFD for invalid sequences, control characters and `\` escaped as `\xNN`. Never throws; reads
 * only inside `bytes` (a range past its end is cut).
 *
 * @param bytes Buffer holding the field.
 * @param at Offset of the field's first byte.
 * @param length Length of the field in bytes.
 * @returns The text, `""` for an empty or all-padding field.
 *
 * @example A DHCP host name with a trailing NUL
 * ```ts
 * import { decodeText } from "./text.ts";
 *
 * const option = new TextEncoder().encode("plc-7\0");
 * if (decodeText(option, 0, option.length) !== "plc-7") throw new Error("unexpected text");
 * ```
 */
export function decodeText(bytes: Uint8Array, at: number, length: number): string {
  const end = Math.min(at + length, bytes.length);
  let stop = Math.min(end, at + MAX_TEXT_BYTES);
  if (at < 0 || stop <= at) return "";
  if (stop < end) {
    // Cut inside the field: a character whose lead byte is before the cut and whose continuation
    // bytes (top bits 10) are after it is left out whole.
    let lead = stop;
    while (lead > at && stop - lead < 4 && (bytes[lead] & 0xc0) === 0x80) lead--;
    if (lead < stop && (bytes[lead] & 0xc0) === 0xc0) stop = lead;
  }
  let plain = true;
  for (let i = at; i < stop; i++) {
    const b = bytes[i];
    if (b === 0) {
      stop = i;
      break;
    }
    if (b < 0x20 || b > 0x7e || b === BACKSLASH) plain = false;
  }
  while (at < stop && isSpace(bytes[at])) at++;
  while (stop > at && isSpace(bytes[stop - 1])) stop--;
  if (stop === at) return "";
  if (!plain) return utf8.decode(bytes.subarray(at, stop)).replace(ESCAPED, escape);
  if (stop - at >= SHORT) return utf8.decode(bytes.subarray(at, stop));
  let text = "";
  for (let i = at; i < stop; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** Offset of the first line feed in `bytes[from, end)`, or `end` when there is none. */
export function lineEnd(bytes: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (bytes[i] === 0x0a) return i;
  return end;
}
