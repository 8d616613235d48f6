/**
 * Ethernet II headers with optional IEEE 802.1Q and 802.1ad (QinQ) tags, ARP, and minimum-size padding.
 *
 * Ethernet II (IEEE 802.3 §3.2.6 "Length/Type" ≥ 0x0600):
 * ```
 *  0      6      12           +4 per tag        end of L2 header
 *  | dst  | src  | [TPID TCI]* | EtherType |
 * ```
 * A tag (IEEE 802.1Q §9.6) is the TPID (0x8100 C-tag, 0x88a8 S-tag) then the 16-bit TCI:
 * PCP (3 bits, priority) | DEI (1 bit, drop eligible) | VID (12 bits). QinQ (IEEE 802.1ad) puts an
 * S-tag (TPID 0x88a8) before a C-tag (TPID 0x8100).
 *
 * Frames are written without the 4-byte FCS, so the shortest frame is 60 bytes: shorter ones are
 * padded with zeros, as a capture without FCS shows them.
 *
 * @module
 */

import { MAC_ZERO, put16, putIpv4 } from "./addr.ts";

/** EtherType values used by the builders. */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  IPV6: 0x86dd,
  LLDP: 0x88cc,
} as const;

/** Shortest Ethernet frame without FCS (64 bytes on the wire minus the 4-byte FCS). */
export const MIN_FRAME_LENGTH = 60;

/** One 802.1Q / 802.1ad tag. */
export interface VlanTag {
  /** VLAN identifier, 0–4095. */
  readonly vid: number;
  /** Priority code point, 0–7. Default 0. */
  readonly pcp?: number;
  /** Drop eligible indicator. Default false. */
  readonly dei?: boolean;
  /** Tag protocol identifier. Default 0x8100. */
  readonly tpid?: number;
}

/** Addresses and tags of an Ethernet II header. */
export interface EthernetHeader {
  /** Destination MAC (6 bytes). */
  readonly dst: Uint8Array;
  /** Source MAC (6 bytes). */
  readonly src: Uint8Array;
  /** Tags, outermost first. Default none. */
  readonly tags?: readonly VlanTag[];
}

/**
 * An 802.1Q C-tag.
 *
 * @param vid VLAN id.
 * @param pcp Priority code point. Default 0.
 * @param dei Drop eligible indicator. Default false.
 */
export function dot1q(vid: number, pcp = 0, dei = false): VlanTag[] {
  return [{ vid, pcp, dei, tpid: EtherType.VLAN }];
}

/**
 * A QinQ tag stack: S-tag (TPID 0x88a8) `outer`, then C-tag (TPID 0x8100) `inner`.
 *
 * @param outer Service VLAN id.
 * @param inner Customer VLAN id.
 * @param pcp Priority code point of both tags. Default 0.
 */
export function qinq(outer: number, inner: number, pcp = 0): VlanTag[] {
  return [{ vid: outer, pcp, tpid: EtherType.QINQ }, { vid: inner, pcp, tpid: EtherType.VLAN }];
}

/** Length of the Ethernet header, tags and EtherType included. */
export function ethernetHeaderLength(eth: EthernetHeader): number {
  return 14 + 4 * (eth.tags?.length ?? 0);
}

/**
 * Writes an Ethernet II header.
 *
 * @param buf Destination.
 * @param offset Position of the first byte.
 * @param eth Addresses and tags.
 * @param etherType Type of the payload (after the tags).
 * @returns Bytes written.
 */
export function writeEthernet(
  buf: Uint8Array,
  offset: number,
  eth: EthernetHeader,
  etherType: number,
): number {
  buf.set(eth.dst, offset);
  buf.set(eth.src, offset + 6);
  let at = offset + 12;
  const tags = eth.tags;
  if (tags) {
    for (const tag of tags) {
      put16(buf, at, tag.tpid ?? EtherType.VLAN);
      put16(buf, at + 2, ((tag.pcp ?? 0) << 13) | (tag.dei ? 0x1000 : 0) | (tag.vid & 0xfff));
      at += 4;
    }
  }
  put16(buf, at, etherType);
  return at + 2 - offset;
}

/**
 * Pads a frame with zeros up to {@linkcode MIN_FRAME_LENGTH}.
 *
 * @param buf Frame buffer.
 * @param offset First byte of the frame.
 * @param length Unpadded length.
 * @returns The padded length.
 */
export function padFrame(buf: Uint8Array, offset: number, length: number): number {
  if (length >= MIN_FRAME_LENGTH) return length;
  buf.fill(0, offset + length, offset + MIN_FRAME_LENGTH);
  return MIN_FRAME_LENGTH;
}

/** ARP operation codes (RFC 826). */
export const ArpOp = { REQUEST: 1, REPLY: 2 } as const;

/** An Ethernet/IPv4 ARP packet. */
export interface ArpPacket {
  /** 1 request, 2 reply. */
  readonly op: number;
  /** Sender hardware address. */
  readonly senderMac: Uint8Array;
  /** Sender protocol address. */
  readonly senderIp: number;
  /** Target hardware address (zero in requests). */
  readonly targetMac: Uint8Array;
  /** Target protocol address. */
  readonly targetIp: number;
}

/**
 * Writes an ARP packet for Ethernet/IPv4 (RFC 826), 28 bytes:
 * ```
 *  0 htype=1 | 2 ptype=0x0800 | 4 hlen=6 | 5 plen=4 | 6 op
 *  8 sender MAC | 14 sender IP | 18 target MAC | 24 target IP
 * ```
 *
 * @returns 28.
 */
export function writeArp(buf: Uint8Array, offset: number, arp: ArpPacket): number {
  put16(buf, offset, 1);
  put16(buf, offset + 2, EtherType.IPV4);
  buf[offset + 4] = 6;
  buf[offset + 5] = 4;
  put16(buf, offset + 6, arp.op);
  buf.set(arp.senderMac, offset + 8);
  putIpv4(buf, offset + 14, arp.senderIp);
  buf.set(arp.targetMac, offset + 18);
  putIpv4(buf, offset + 24, arp.targetIp);
  return 28;
}

/**
 * Writes a complete ARP frame (Ethernet header, ARP packet, padding to 60 bytes).
 *
 * @param buf Destination.
 * @param offset First byte of the frame.
 * @param eth Addresses and tags of the frame.
 * @param arp ARP packet.
 * @returns Frame length.
 */
export function writeArpFrame(buf: Uint8Array, offset: number, eth: EthernetHeader, arp: ArpPacket): number {
  const hl = writeEthernet(buf, offset, eth, EtherType.ARP);
  return padFrame(buf, offset, hl + writeArp(buf, offset + hl, arp));
}

/** ARP request "who has `targetIp`? tell `senderIp`", target MAC zero (sent to broadcast). */
export function arpRequest(senderMac: Uint8Array, senderIp: number, targetIp: number): ArpPacket {
  return { op: ArpOp.REQUEST, senderMac, senderIp, targetMac: MAC_ZERO, targetIp };
}

/** Gratuitous ARP (RFC 5227 §3 "ARP announcement"): a request for one's own address, sent to broadcast. */
export function gratuitousArp(mac: Uint8Array, ip: number): ArpPacket {
  return { op: ArpOp.REQUEST, senderMac: mac, senderIp: ip, targetMac: MAC_ZERO, targetIp: ip };
}
