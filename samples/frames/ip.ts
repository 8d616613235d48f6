/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200) headers, with IPv4 options and fragmentation fields, and the
 * IPv6 Hop-by-Hop Options and Fragment extension headers.
 *
 * @module
 */

import { put16, put32, putIpv4 } from "./addr.ts";
import { finishChecksum, sumWords } from "./checksum.ts";

/** IP protocol / IPv6 next-header numbers used by the builders. */
export const IpProto = {
  HOP_BY_HOP: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  FRAGMENT: 44,
  ICMPV6: 58,
} as const;

/** Fields of an IPv4 header; the protocol and lengths are set by the writer. */
export interface Ipv4Header {
  /** Discriminant. */
  readonly version: 4;
  /** Source address (see `parseIpv4`). */
  readonly src: number;
  /** Destination address. */
  readonly dst: number;
  /** Time to live. Default 64. */
  readonly ttl?: number;
  /** Identification. Default 0. */
  readonly id?: number;
  /** Type of service / DSCP+ECN byte. Default 0. */
  readonly tos?: number;
  /** Don't Fragment. Default false. */
  readonly df?: boolean;
  /** More Fragments. Default false. */
  readonly mf?: boolean;
  /** Fragment offset in bytes (a multiple of 8). Default 0. */
  readonly fragmentOffset?: number;
  /** Option bytes (RFC 791 §3.1), padded with End-of-Options to a multiple of 4. Default none. */
  readonly options?: Uint8Array;
}

/** IPv6 Fragment extension header fields (RFC 8200 §4.5). */
export interface Ipv6Fragment {
  /** Offset of this fragment's data in bytes (a multiple of 8). */
  readonly offset: number;
  /** M flag: more fragments follow. */
  readonly more: boolean;
  /** Identification. */
  readonly id: number;
}

/** Fields of an IPv6 header and its optional extension headers; next header and lengths are set by the writer. */
export interface Ipv6Header {
  /** Discriminant. */
  readonly version: 6;
  /** Source address (16 bytes, see `parseIpv6`). */
  readonly src: Uint8Array;
  /** Destination address (16 bytes). */
  readonly dst: Uint8Array;
  /** Hop limit. Default 64. */
  readonly hopLimit?: number;
  /** Traffic class. Default 0. */
  readonly trafficClass?: number;
  /** Flow label (20 bits). Default 0. */
  readonly flowLabel?: number;
  /** Hop-by-Hop option TLVs (RFC 8200 §4.3), padded with PadN to a multiple of 8. Default none. */
  readonly hopByHop?: Uint8Array;
  /** Fragment header. Default none. */
  readonly fragment?: Ipv6Fragment;
}

/** Either IP version. */
export type IpHeader = Ipv4Header | Ipv6Header;

/** Router Alert option (RFC 2711) with value 0 (MLD), for {@linkcode Ipv6Header.hopByHop}. */
export const ROUTER_ALERT_MLD: Uint8Array = Uint8Array.of(5, 2, 0, 0);

function hopByHopLength(options: Uint8Array): number {
  return Math.ceil((options.length + 2) / 8) * 8;
}

/** Length of the IP header, IPv4 options and IPv6 extension headers included. */
export function ipHeaderLength(ip: IpHeader): number {
  if (ip.version === 4) return 20 + (ip.options ? Math.ceil(ip.options.length / 4) * 4 : 0);
  return 40 + (ip.hopByHop ? hopByHopLength(ip.hopByHop) : 0) + (ip.fragment ? 8 : 0);
}

/**
 * Writes an IPv4 header with its checksum (RFC 791 §3.1):
 * ```
 *  0 ver=4|IHL | 1 TOS | 2 total length | 4 identification | 6 flags(0,DF,MF)|fragment offset/8
 *  8 TTL | 9 protocol | 10 header checksum | 12 source | 16 destination | 20 options…
 * ```
 *
 * @param buf Destination.
 * @param offset First byte of the header.
 * @param ip Header fields.
 * @param protocol Protocol of the payload.
 * @param payloadLength Bytes after the header (sets the total length).
 * @returns Header length.
 */
export function writeIpv4(
  buf: Uint8Array,
  offset: number,
  ip: Ipv4Header,
  protocol: number,
  payloadLength: number,
): number {
  const hl = ipHeaderLength(ip);
  buf[offset] = 0x40 | (hl >>> 2);
  buf[offset + 1] = ip.tos ?? 0;
  put16(buf, offset + 2, hl + payloadLength);
  put16(buf, offset + 4, ip.id ?? 0);
  put16(buf, offset + 6, (ip.df ? 0x4000 : 0) | (ip.mf ? 0x2000 : 0) | ((ip.fragmentOffset ?? 0) >>> 3));
  buf[offset + 8] = ip.ttl ?? 64;
  buf[offset + 9] = protocol;
  put16(buf, offset + 10, 0);
  putIpv4(buf, offset + 12, ip.src);
  putIpv4(buf, offset + 16, ip.dst);
  if (ip.options) {
    buf.set(ip.options, offset + 20);
    buf.fill(0, offset + 20 + ip.options.length, offset + hl);
  }
  put16(buf, offset + 10, finishChecksum(sumWords(buf, offset, hl)));
  return hl;
}

/**
 * Writes an IPv6 header (RFC 8200 §3) and its extension headers:
 * ```
 *  0 ver=6|traffic class|flow label | 4 payload length | 6 next header | 7 hop limit
 *  8 source (16) | 24 destination (16)
 *  [Hop-by-Hop §4.3: next header | hdr ext len (8-byte units − 1) | options + PadN]
 *  [Fragment §4.5: next header | 0 | offset/8 << 3 | M | identification (32)]
 * ```
 *
 * @param buf Destination.
 * @param offset First byte of the header.
 * @param ip Header fields.
 * @param nextHeader Protocol of the payload after all extension headers.
 * @param payloadLength Bytes after the last extension header.
 * @returns Length of the header and its extension headers.
 */
export function writeIpv6(
  buf: Uint8Array,
  offset: number,
  ip: Ipv6Header,
  nextHeader: number,
  payloadLength: number,
): number {
  const hl = ipHeaderLength(ip);
  const tc = ip.trafficClass ?? 0;
  const flow = ip.flowLabel ?? 0;
  put32(buf, offset, (0x60000000 | (tc << 20) | (flow & 0xfffff)) >>> 0);
  put16(buf, offset + 4, hl - 40 + payloadLength);
  buf[offset + 7] = ip.hopLimit ?? 64;
  buf.set(ip.src, offset + 8);
  buf.set(ip.dst, offset + 24);
  let nhAt = offset + 6;
  let at = offset + 40;
  if (ip.hopByHop) {
    const len = hopByHopLength(ip.hopByHop);
    buf[nhAt] = IpProto.HOP_BY_HOP;
    buf[at + 1] = len / 8 - 1;
    buf.set(ip.hopByHop, at + 2);
    const pad = len - 2 - ip.hopByHop.length;
    if (pad === 1) buf[at + len - 1] = 0;
    if (pad >= 2) {
      buf[at + len - pad] = 1;
      buf[at + len - pad + 1] = pad - 2;
      buf.fill(0, at + len - pad + 2, at + len);
    }
    nhAt = at;
    at += len;
  }
  if (ip.fragment) {
    buf[nhAt] = IpProto.FRAGMENT;
    buf[at + 1] = 0;
    put16(buf, at + 2, (ip.fragment.offset & 0xfff8) | (ip.fragment.more ? 1 : 0));
    put32(buf, at + 4, ip.fragment.id);
    nhAt = at;
    at += 8;
  }
  buf[nhAt] = nextHeader;
  return hl;
}

/**
 * Writes an IPv4 or IPv6 header.
 *
 * @param buf Destination.
 * @param offset First byte of the header.
 * @param ip Header fields.
 * @param protocol Protocol of the payload.
 * @param payloadLength Bytes after the header(s).
 * @returns Header length.
 */
export function writeIp(
  buf: Uint8Array,
  offset: number,
  ip: IpHeader,
  protocol: number,
  payloadLength: number,
): number {
  return ip.version === 4
    ? writeIpv4(buf, offset, ip, protocol, payloadLength)
    : writeIpv6(buf, offset, ip, protocol, payloadLength);
}
