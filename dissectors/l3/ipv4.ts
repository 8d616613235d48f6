/**
 * IPv4 header (RFC 791 section 3.1).
 *
 * ```
 *  0       4       8              16    19                     31
 * +-------+-------+---------------+-----+-----------------------+
 * |version|  IHL  |      TOS      |       total length          |
 * |        identification         |flags|   fragment offset     |
 * |      TTL      |   protocol    |      header checksum        |
 * |                        source address                        |
 * |                      destination address                     |
 * |                   options (IHL > 5) …                        |
 * ```
 * Only the first fragment (offset 0) carries the transport header; later fragments stop here and
 * are flagged. The datagram ends at `total length`: bytes after it are Ethernet padding.
 *
 * @module
 */

import { Decoded, type Dissector, PacketFlag, Table } from "../api.ts";
import { EtherType } from "../ethertypes.ts";

/** IPv4 dissector. */
export const ipv4: Dissector = {
  name: "ip",
  title: "Internet Protocol version 4",
  registration: { tables: { ethertype: [EtherType.IPV4] } },
  decode(packet) {
    const at = packet.offset;
    if (packet.end - at < 20) return packet.truncated("IPv4 header", at);
    const bytes = packet.bytes;
    const view = packet.view;
    const version = bytes[at] >>> 4;
    if (version !== 4) return packet.fail("IPv4 header", "version must be 4", at, version);
    const headerLength = (bytes[at] & 0x0f) * 4;
    if (headerLength < 20) {
      return packet.fail("IPv4 header", "header length must be at least 20 bytes", at, headerLength);
    }
    const totalLength = view.getUint16(at + 2);
    if (totalLength < headerLength) {
      return packet.fail(
        "IPv4 header",
        "total length is smaller than the header length",
        at + 2,
        totalLength,
      );
    }
    packet.ipVersion = 4;
    packet.l3Offset = at;
    packet.srcIpOffset = at + 12;
    packet.dstIpOffset = at + 16;
    packet.ttl = bytes[at + 8];
    packet.ipProto = bytes[at + 9];
    const datagramEnd = at + totalLength;
    packet.l3End = datagramEnd < packet.end ? datagramEnd : packet.end;
    if (packet.end - at < headerLength) return packet.truncated("IPv4 options", at);
    if (datagramEnd > packet.end && packet.caplen >= packet.wirelen) {
      // The whole frame was captured and still holds less than the datagram claims.
      packet.fail("IPv4 header", "total length runs past the end of the frame", at + 2, totalLength);
    }
    const fragment = view.getUint16(at + 6);
    if ((fragment & 0x1fff) !== 0) {
      packet.flags |= PacketFlag.FRAGMENT;
      return Decoded.DONE;
    }
    return packet.next(Table.IP_PROTO, packet.ipProto, at + headerLength);
  },
};
