/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) frames: echo request/reply, Neighbor Advertisement
 * (RFC 4861 §4.4) and MLDv2 reports (RFC 3810 §5.2, carried with a Hop-by-Hop Router Alert).
 *
 * Every message starts `0 type | 1 code | 2 checksum | 4 body`; the ICMPv6 checksum covers the IPv6
 * pseudo-header, the ICMP (v4) one does not.
 *
 * @module
 */

import { parseIpv6, put16, put32 } from "./addr.ts";
import { finishChecksum, sumWords } from "./checksum.ts";
import { type EthernetHeader, padFrame } from "./ethernet.ts";
import { IpProto, type Ipv6Header, ROUTER_ALERT_MLD } from "./ip.ts";
import { type IpFrame, l4Offset, l4PseudoSum, writeIpHeaders } from "./transport.ts";

/** An ICMP or ICMPv6 echo message. */
export interface IcmpEcho {
  /** True for an echo reply, false for an echo request. */
  readonly reply: boolean;
  /** Identifier. */
  readonly id: number;
  /** Sequence number. */
  readonly seq: number;
}

/** An ICMPv6 Neighbor Advertisement. */
export interface NeighborAdvertisement {
  /** Target address (16 bytes). */
  readonly target: Uint8Array;
  /** Link-layer address for the Target Link-Layer Address option (type 2). */
  readonly targetMac: Uint8Array;
  /** R flag: sender is a router. */
  readonly router?: boolean;
  /** S flag: sent in response to a solicitation. */
  readonly solicited?: boolean;
  /** O flag: override cache entries. Default true. */
  readonly override?: boolean;
}

/** All-MLDv2-capable-routers address ff02::16, destination of MLDv2 reports. */
export const MLDV2_ROUTERS: Uint8Array = parseIpv6("ff02::16");

/** Offset of the ICMP body (after type, code, checksum) from the frame's first byte. */
export function icmpBodyOffset(frame: IpFrame): number {
  return l4Offset(frame) + 4;
}

/** Offset of the echo data from the frame's first byte. */
export function icmpEchoPayloadOffset(frame: IpFrame): number {
  return l4Offset(frame) + 8;
}

/**
 * Writes an ICMP (IPv4) or ICMPv6 (IPv6) frame around a body already placed at {@linkcode icmpBodyOffset}.
 *
 * @param buf Destination.
 * @param offset First byte of the frame.
 * @param frame Link and network headers.
 * @param type ICMP type.
 * @param code ICMP code.
 * @param bodyLength Bytes of the body.
 * @returns Frame length (padded to 60).
 */
export function writeIcmpFrame(
  buf: Uint8Array,
  offset: number,
  frame: IpFrame,
  type: number,
  code: number,
  bodyLength: number,
): number {
  const v4 = frame.ip.version === 4;
  const protocol = v4 ? IpProto.ICMP : IpProto.ICMPV6;
  const l4Length = 4 + bodyLength;
  const at = offset + writeIpHeaders(buf, offset, frame, protocol, l4Length);
  buf[at] = type;
  buf[at + 1] = code;
  put16(buf, at + 2, 0);
  const start = v4 ? 0 : l4PseudoSum(frame.ip, protocol, l4Length);
  put16(buf, at + 2, finishChecksum(sumWords(buf, at, l4Length, start)));
  return padFrame(buf, offset, at + l4Length - offset);
}

/**
 * Writes an echo request/reply around data already placed at {@linkcode icmpEchoPayloadOffset}:
 * ICMP types 8/0 over IPv4, ICMPv6 types 128/129 over IPv6; body `identifier | sequence | data`.
 *
 * @returns Frame length (padded to 60).
 */
export function writeIcmpEchoFrame(
  buf: Uint8Array,
  offset: number,
  frame: IpFrame,
  echo: IcmpEcho,
  dataLength: number,
): number {
  const at = offset + icmpBodyOffset(frame);
  put16(buf, at, echo.id);
  put16(buf, at + 2, echo.seq);
  const type = frame.ip.version === 4 ? (echo.reply ? 0 : 8) : (echo.reply ? 129 : 128);
  return writeIcmpFrame(buf, offset, frame, type, 0, 4 + dataLength);
}

/**
 * Writes an ICMPv6 Neighbor Advertisement frame, hop limit forced to 255:
 * ```
 *  4 R|S|O flags + 29 reserved bits | 8 target address (16)
 *  24 option type=2 (target link-layer address) | 25 length=1 (8 bytes) | 26 MAC
 * ```
 *
 * @returns Frame length (86 untagged).
 */
export function writeNeighborAdvertisementFrame(
  buf: Uint8Array,
  offset: number,
  eth: EthernetHeader,
  ip: Ipv6Header,
  na: NeighborAdvertisement,
): number {
  const frame: IpFrame = { eth, ip: { ...ip, hopLimit: 255 } };
  const at = offset + icmpBodyOffset(frame);
  const flags = (na.router ? 0x80 : 0) | (na.solicited ? 0x40 : 0) | (na.override ?? true ? 0x20 : 0);
  put32(buf, at, flags << 24);
  buf.set(na.target, at + 4);
  buf[at + 20] = 2;
  buf[at + 21] = 1;
  buf.set(na.targetMac, at + 22);
  return writeIcmpFrame(buf, offset, frame, 136, 0, 28);
}

/**
 * Writes an MLDv2 report (type 143) joining `groups` (CHANGE_TO_EXCLUDE_MODE records with no source),
 * sent to ff02::16 with hop limit 1 and a Hop-by-Hop Router Alert, as RFC 3810 §5 requires:
 * ```
 *  4 reserved (2) | 6 number of records (2) | records: type 4 | aux len 0 | sources 0 | group (16)
 * ```
 *
 * @param buf Destination.
 * @param offset First byte of the frame.
 * @param eth Ethernet header (destination 33:33:00:00:00:16).
 * @param src Link-local source address.
 * @param groups Multicast groups joined.
 * @returns Frame length.
 */
export function writeMldv2ReportFrame(
  buf: Uint8Array,
  offset: number,
  eth: EthernetHeader,
  src: Uint8Array,
  groups: readonly Uint8Array[],
): number {
  const ip: Ipv6Header = { version: 6, src, dst: MLDV2_ROUTERS, hopLimit: 1, hopByHop: ROUTER_ALERT_MLD };
  const frame: IpFrame = { eth, ip };
  const at = offset + icmpBodyOffset(frame);
  put16(buf, at, 0);
  put16(buf, at + 2, groups.length);
  groups.forEach((group, i) => {
    const r = at + 4 + 20 * i;
    put32(buf, r, 0x04000000);
    buf.set(group, r + 4);
  });
  return writeIcmpFrame(buf, offset, frame, 143, 0, 4 + 20 * groups.length);
}
