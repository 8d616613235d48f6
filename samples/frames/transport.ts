/**
 * TCP (RFC 793 §3.1) and UDP (RFC 768) frames, complete from Ethernet header to padding, with every
 * checksum; the shared L2/L3 part of every IP frame builder (ICMP is in `icmp.ts`).
 *
 * Payload first, then headers: the caller writes the payload at `offset + tcpPayloadOffset(...)` (or udp…), then
 * calls the frame writer with its length; the writer fills the headers in front of it, computes the
 * IP and L4 checksums over the payload in place, and pads to 60 bytes. Nothing is allocated.
 * The writers build unfragmented packets (fragments are made with `writeIpv4` / `writeIpv6` directly).
 *
 * @module
 */

import { put16, put32 } from "./addr.ts";
import { finishChecksum, pseudoSumV4, pseudoSumV6, sumWords } from "./checksum.ts";
import { type EthernetHeader, ethernetHeaderLength, EtherType, padFrame, writeEthernet } from "./ethernet.ts";
import { type IpHeader, ipHeaderLength, IpProto, writeIp } from "./ip.ts";

/** Link and network headers of an IP frame. */
export interface IpFrame {
  /** Ethernet addresses and tags. */
  readonly eth: EthernetHeader;
  /** IPv4 or IPv6 header fields. */
  readonly ip: IpHeader;
}

/** TCP flag bits (RFC 793 §3.1, RFC 3168 §23.2). */
export const TcpFlags = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 } as const;

/** Fields of a TCP header. */
export interface TcpHeader {
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
  /** Sequence number (unsigned 32-bit). */
  readonly seq: number;
  /** Acknowledgment number (unsigned 32-bit). */
  readonly ack: number;
  /** Flag bits, see {@linkcode TcpFlags}. */
  readonly flags: number;
  /** Receive window. Default 64240. */
  readonly window?: number;
  /** Maximum Segment Size option (kind 2, length 4), normally only on SYN segments. Default none. */
  readonly mss?: number;
}

/** Fields of a UDP header. */
export interface UdpHeader {
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
}

/** Offset of the L4 header from the frame's first byte. */
export function l4Offset(frame: IpFrame): number {
  return ethernetHeaderLength(frame.eth) + ipHeaderLength(frame.ip);
}

/** Length of a TCP header: 20, or 24 with the MSS option. */
export function tcpHeaderLength(tcp: TcpHeader): number {
  return tcp.mss === undefined ? 20 : 24;
}

/** Offset of the TCP payload from the frame's first byte. */
export function tcpPayloadOffset(frame: IpFrame, tcp: TcpHeader): number {
  return l4Offset(frame) + tcpHeaderLength(tcp);
}

/** Offset of the UDP payload from the frame's first byte. */
export function udpPayloadOffset(frame: IpFrame): number {
  return l4Offset(frame) + 8;
}

/**
 * Writes the Ethernet and IP headers of a frame whose L4 part is `l4Length` bytes long.
 *
 * @param buf Destination.
 * @param offset First byte of the frame.
 * @param frame Link and network headers.
 * @param protocol IP protocol of the L4 part.
 * @param l4Length Bytes of the L4 header and payload.
 * @returns Offset of the L4 header from `offset`.
 */
export function writeIpHeaders(
  buf: Uint8Array,
  offset: number,
  frame: IpFrame,
  protocol: number,
  l4Length: number,
): number {
  const eth = writeEthernet(buf, offset, frame.eth, frame.ip.version === 4 ? EtherType.IPV4 : EtherType.IPV6);
  return eth + writeIp(buf, offset + eth, frame.ip, protocol, l4Length);
}

/** Checksum sum of the IPv4 or IPv6 pseudo-header of an upper-layer packet. */
export function l4PseudoSum(ip: IpHeader, protocol: number, length: number): number {
  return ip.version === 4
    ? pseudoSumV4(ip.src, ip.dst, protocol, length)
    : pseudoSumV6(ip.src, ip.dst, protocol, length);
}

/**
 * Writes a TCP frame around a payload already placed at {@linkcode tcpPayloadOffset}. TCP header:
 * ```
 *  0 src port | 2 dst port | 4 sequence | 8 acknowledgment | 12 data offset<<4 | 13 flags
 *  14 window | 16 checksum (pseudo-header + segment) | 18 urgent pointer | 20 [MSS: 2, 4, mss]
 * ```
 *
 * @returns Frame length (padded to 60).
 */
export function writeTcpFrame(
  buf: Uint8Array,
  offset: number,
  frame: IpFrame,
  tcp: TcpHeader,
  payloadLength: number,
): number {
  const thl = tcpHeaderLength(tcp);
  const l4Length = thl + payloadLength;
  const at = offset + writeIpHeaders(buf, offset, frame, IpProto.TCP, l4Length);
  put16(buf, at, tcp.srcPort);
  put16(buf, at + 2, tcp.dstPort);
  put32(buf, at + 4, tcp.seq >>> 0);
  put32(buf, at + 8, tcp.ack >>> 0);
  buf[at + 12] = (thl / 4) << 4;
  buf[at + 13] = tcp.flags;
  put16(buf, at + 14, tcp.window ?? 64240);
  put16(buf, at + 16, 0);
  put16(buf, at + 18, 0);
  if (tcp.mss !== undefined) {
    buf[at + 20] = 2;
    buf[at + 21] = 4;
    put16(buf, at + 22, tcp.mss);
  }
  put16(
    buf,
    at + 16,
    finishChecksum(sumWords(buf, at, l4Length, l4PseudoSum(frame.ip, IpProto.TCP, l4Length))),
  );
  return padFrame(buf, offset, at + l4Length - offset);
}

/**
 * Writes a UDP frame around a payload already placed at {@linkcode udpPayloadOffset}. UDP header:
 * `0 src port | 2 dst port | 4 length | 6 checksum` (a computed 0 is sent as 0xffff, RFC 768).
 *
 * @returns Frame length (padded to 60).
 */
export function writeUdpFrame(
  buf: Uint8Array,
  offset: number,
  frame: IpFrame,
  udp: UdpHeader,
  payloadLength: number,
): number {
  const l4Length = 8 + payloadLength;
  const at = offset + writeIpHeaders(buf, offset, frame, IpProto.UDP, l4Length);
  put16(buf, at, udp.srcPort);
  put16(buf, at + 2, udp.dstPort);
  put16(buf, at + 4, l4Length);
  put16(buf, at + 6, 0);
  const sum = finishChecksum(sumWords(buf, at, l4Length, l4PseudoSum(frame.ip, IpProto.UDP, l4Length)));
  put16(buf, at + 6, sum === 0 ? 0xffff : sum);
  return padFrame(buf, offset, at + l4Length - offset);
}
