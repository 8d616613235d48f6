/**
 * Text forms of link and network addresses, read from packet bytes or from packed words.
 *
 * Formatting allocates a string: call these when reporting, not per packet on the hot path.
 *
 * @module
 */

/** Two-digit lowercase hex of every byte value, built once (formatting is on the reporting path). */
const HEX2: readonly string[] = Array.from(
  { length: 256 },
  (_, value) => value.toString(16).padStart(2, "0"),
);

function hex2(value: number): string {
  return HEX2[value];
}

/** Formats 6 MAC bytes given as a 32-bit high word and a 16-bit low part. */
export function formatMac(high: number, low16: number): string {
  return `${hex2(high >>> 24)}:${hex2((high >>> 16) & 0xff)}:${hex2((high >>> 8) & 0xff)}:${
    hex2(high & 0xff)
  }:${hex2(low16 >>> 8)}:${hex2(low16 & 0xff)}`;
}

/** Formats an IPv4 address held in one word. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** Formats an IPv6 address held in four words (RFC 5952 canonical text). */
export function formatIpv6(w0: number, w1: number, w2: number, w3: number): string {
  const groups = [
    w0 >>> 16,
    w0 & 0xffff,
    w1 >>> 16,
    w1 & 0xffff,
    w2 >>> 16,
    w2 & 0xffff,
    w3 >>> 16,
    w3 & 0xffff,
  ];
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestStart < 0) return text.join(":");
  const head = text.slice(0, bestStart).join(":");
  const tail = text.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}

/** MAC address at `bytes[at]` as lowercase colon-separated text. */
export function macAt(bytes: Uint8Array, at: number): string {
  const high = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  return formatMac(high, (bytes[at + 4] << 8) | bytes[at + 5]);
}

/** IPv4 (4 bytes) or IPv6 (16 bytes) address at `bytes[at]` as text. */
export function ipAt(bytes: Uint8Array, at: number, version: number): string {
  if (version === 4) return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (version === 4) return formatIpv4(view.getUint32(at));
  return formatIpv6(
    view.getUint32(at),
    view.getUint32(at + 4),
    view.getUint32(at + 8),
    view.getUint32(at + 12),
  );
}

/** True for group (multicast or broadcast) MAC addresses: the I/G bit of the first octet is set. */
export function isGroupMac(firstOctet: number): boolean {
  return (firstOctet & 0x01) === 1;
}

/** True for a unicast MAC in text form (I/G bit clear); false for null and group addresses. */
export function isUnicastMacText(mac: string | null): mac is string {
  if (mac === null) return false;
  // The I/G bit is the low bit of the first octet, i.e. of the second hex digit.
  const digit = mac.charCodeAt(1);
  const value = digit <= 57 ? digit - 48 : (digit | 0x20) - 87;
  return (value & 1) === 0;
}
