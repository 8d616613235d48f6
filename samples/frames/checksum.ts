/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * big-endian words. Used by the IPv4 header (RFC 791 §3.1), ICMP (RFC 792), TCP (RFC 793 §3.1),
 * UDP (RFC 768) and ICMPv6 (RFC 4443 §2.3), the last three over a pseudo-header (RFC 768 / RFC 793 for
 * IPv4, RFC 8200 §8.1 for IPv6).
 *
 * Sums are kept unfolded in plain numbers (exact up to 2^53), so partial sums can be added together
 * and folded once.
 *
 * @module
 */

/**
 * Adds the 16-bit words of `buf[offset .. offset+length)` to `sum`; an odd last byte is padded with zero.
 *
 * @param buf Bytes to sum.
 * @param offset First byte, counted as the high byte of a word.
 * @param length Number of bytes.
 * @param sum Running sum to add to.
 */
export function sumWords(buf: Uint8Array, offset: number, length: number, sum = 0): number {
  const end = offset + (length & ~1);
  for (let i = offset; i < end; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (length & 1) sum += buf[end] << 8;
  return sum;
}

/** Folds a running sum to 16 bits and returns its ones' complement: the value to store in the header. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

/**
 * Sum of the IPv4 pseudo-header: source, destination, zero + protocol, upper-layer length.
 *
 * @param src Source address.
 * @param dst Destination address.
 * @param protocol IP protocol number (6 TCP, 17 UDP).
 * @param length Length of the upper-layer header plus data.
 */
export function pseudoSumV4(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/**
 * Sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, destination, 32-bit upper-layer length,
 * three zero bytes and the next header of the upper layer.
 *
 * @param src Source address (16 bytes).
 * @param dst Destination address (16 bytes).
 * @param nextHeader Upper-layer protocol (6 TCP, 17 UDP, 58 ICMPv6).
 * @param length Upper-layer packet length.
 */
export function pseudoSumV6(src: Uint8Array, dst: Uint8Array, nextHeader: number, length: number): number {
  return sumWords(src, 0, 16) + sumWords(dst, 0, 16) + Math.floor(length / 65536) + (length & 0xffff) +
    nextHeader;
}
