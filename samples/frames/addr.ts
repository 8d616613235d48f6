/**
 * Parsing and formatting of MAC, IPv4 and IPv6 addresses for the frame builders.
 *
 * IPv4 addresses are carried as unsigned 32-bit numbers (cheap to vary in generators), MAC and IPv6
 * addresses as byte arrays.
 *
 * @module
 */

/** Ethernet broadcast address ff:ff:ff:ff:ff:ff. */
export const MAC_BROADCAST: Uint8Array = new Uint8Array(6).fill(0xff);
/** All-zero MAC address (unknown target of an ARP request). */
export const MAC_ZERO: Uint8Array = new Uint8Array(6);

/**
 * Parses `aa:bb:cc:dd:ee:ff` (or with `-`) into 6 bytes.
 *
 * @param text MAC address.
 * @throws {TypeError} When the text is not a MAC address.
 */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TypeError(`Cannot parse MAC address: "${text}" is not six hex octets`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** Formats 6 bytes (at `offset`) as lowercase `aa:bb:cc:dd:ee:ff`. */
export function formatMac(bytes: Uint8Array, offset = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(bytes[offset + i].toString(16).padStart(2, "0"));
  return out.join(":");
}

/**
 * Parses dotted-quad IPv4 text into an unsigned 32-bit number.
 *
 * @param text IPv4 address.
 * @throws {TypeError} When the text is not an IPv4 address.
 */
export function parseIpv4(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new TypeError(`Cannot parse IPv4 address: "${text}" is not a dotted quad`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Formats an unsigned 32-bit number as dotted-quad IPv4 text. */
export function formatIpv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/**
 * Parses IPv6 text (with at most one `::`, no embedded IPv4) into 16 bytes.
 *
 * @param text IPv6 address.
 * @throws {TypeError} When the text is not an IPv6 address.
 */
export function parseIpv6(text: string): Uint8Array {
  const halves = text.split("::");
  const group = /^[0-9a-fA-F]{1,4}$/;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  const valid = halves.length <= 2 && [...head, ...tail].every((g) => group.test(g)) &&
    (halves.length === 2 ? missing >= 1 : missing === 0);
  if (!valid) throw new TypeError(`Cannot parse IPv6 address: "${text}" is not an IPv6 address`);
  const groups = [...head, ...new Array<string>(missing).fill("0"), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/**
 * Writes an IPv4 address (unsigned 32-bit number) big-endian at `offset`.
 *
 * @param buf Destination.
 * @param offset Position of the first byte.
 * @param address IPv4 address.
 */
export function putIpv4(buf: Uint8Array, offset: number, address: number): void {
  buf[offset] = address >>> 24;
  buf[offset + 1] = (address >>> 16) & 0xff;
  buf[offset + 2] = (address >>> 8) & 0xff;
  buf[offset + 3] = address & 0xff;
}

/** Writes a 16-bit value big-endian at `offset`. */
export function put16(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = (value >>> 8) & 0xff;
  buf[offset + 1] = value & 0xff;
}

/** Writes a 32-bit value big-endian at `offset`. */
export function put32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = (value >>> 24) & 0xff;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

/**
 * Writes ASCII text at `offset` (characters above 0x7f are not expected) and returns its length.
 *
 * @param buf Destination.
 * @param offset Position of the first byte.
 * @param text ASCII text.
 */
export function putAscii(buf: Uint8Array, offset: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[offset + i] = text.charCodeAt(i) & 0xff;
  return text.length;
}

/**
 * Writes a text field at `offset`: a string as ASCII ({@linkcode putAscii}), or raw bytes as they are
 * (for fields that carry UTF-8, invalid bytes, control characters or NUL padding).
 *
 * @param buf Destination.
 * @param offset Position of the first byte.
 * @param text ASCII text or the field's bytes.
 * @returns The number of bytes written.
 */
export function putText(buf: Uint8Array, offset: number, text: string | Uint8Array): number {
  if (typeof text === "string") return putAscii(buf, offset, text);
  buf.set(text, offset);
  return text.length;
}
