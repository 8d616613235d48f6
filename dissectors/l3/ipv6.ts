/**
 * IPv6 header and extension-header chain (RFC 8200 sections 3 and 4).
 *
 * ```
 *  0      4          12                    31
 * +------+-----------+---------------------+
 * |ver(6)| traffic cl|     flow label      |
 * |   payload length  | next hdr | hop lim |
 * |          source address (16 B)         |
 * |        destination address (16 B)      |
 * ```
 * Extension headers walked: Hop-by-Hop (0), Routing (43), Fragment (44), Destination Options
 * (60), Mobility (135), HIP (139), Shim6 (140) — all "next header, length in 8-octet units not
 * counting the first 8" — and Authentication Header (51, length in 4-octet units minus 2,
 * RFC 4302 2.2). A non-first fragment stops the walk: it has no upper-layer header.
 *
 * @module
 */

import { Decoded, type Dissector, type Packet, PacketFlag, Table } from "../api.ts";
import { EtherType } from "../ethertypes.ts";

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH = 51;
const DEST_OPTIONS = 60;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;
/** Bound on the chain walk: more headers than this is hostile. */
const MAX_EXTENSION_HEADERS = 16;

function isGenericExtension(next: number): boolean {
  return next === HOP_BY_HOP || next === ROUTING || next === DEST_OPTIONS || next === MOBILITY ||
    next === HIP || next === SHIM6;
}

function walkExtensions(packet: Packet, first: number, start: number): number {
  const bytes = packet.bytes;
  let next = first;
  let at = start;
  for (let count = 0; count < MAX_EXTENSION_HEADERS; count++) {
    if (isGenericExtension(next) || next === AUTH) {
      if (packet.l3End - at < 8) return packet.truncated("IPv6 extension header", at);
      const length = next === AUTH ? (bytes[at + 1] + 2) * 4 : (bytes[at + 1] + 1) * 8;
      next = bytes[at];
      at += length;
    } else if (next === FRAGMENT) {
      if (packet.l3End - at < 8) return packet.truncated("IPv6 fragment header", at);
      const offset = packet.view.getUint16(at + 2) >>> 3;
      next = bytes[at];
      at += 8;
      if (offset !== 0) {
        packet.ipProto = next;
        packet.flags |= PacketFlag.FRAGMENT;
        return Decoded.DONE;
      }
    } else {
      packet.ipProto = next;
      if (at > packet.l3End) return packet.truncated("IPv6 extension header", packet.l3End);
      return packet.next(Table.IP_PROTO, next, at);
    }
  }
  return packet.fail("IPv6", "too many extension headers", at, MAX_EXTENSION_HEADERS);
}

/** IPv6 dissector. */
export const ipv6: Dissector = {
  name: "ipv6",
  title: "Internet Protocol version 6",
  registration: { tables: { ethertype: [EtherType.IPV6] } },
  decode(packet) {
    const at = packet.offset;
    if (packet.end - at < 40) return packet.truncated("IPv6 header", at);
    const bytes = packet.bytes;
    const version = bytes[at] >>> 4;
    if (version !== 6) return packet.fail("IPv6 header", "version must be 6", at, version);
    const payloadLength = packet.view.getUint16(at + 4);
    packet.ipVersion = 6;
    packet.l3Offset = at;
    packet.srcIpOffset = at + 8;
    packet.dstIpOffset = at + 24;
    packet.ttl = bytes[at + 7];
    const first = bytes[at + 6];
    packet.ipProto = first;
    // Payload length 0 with a Hop-by-Hop header is a jumbogram (RFC 2675): runs to the frame end.
    const datagramEnd = payloadLength === 0 && first === HOP_BY_HOP ? packet.end : at + 40 + payloadLength;
    packet.l3End = datagramEnd < packet.end ? datagramEnd : packet.end;
    if (datagramEnd > packet.end && packet.caplen >= packet.wirelen) {
      packet.fail("IPv6 header", "payload length runs past the end of the frame", at + 4, payloadLength);
    }
    return walkExtensions(packet, first, at + 40);
  },
};
