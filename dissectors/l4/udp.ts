/**
 * UDP header (RFC 768).
 *
 * ```
 *  0               16              31
 * | source port    | dest. port    |
 * | length         | checksum      |
 * ```
 * The payload ends at the UDP length or the end of the IP datagram, whichever comes first.
 *
 * @module
 */

import { type Dissector, Table } from "../api.ts";

/** IP protocol number of UDP. */
export const IPPROTO_UDP = 17;

/** UDP dissector. */
export const udp: Dissector = {
  name: "udp",
  title: "User Datagram Protocol",
  registration: { tables: { "ip.proto": [IPPROTO_UDP] } },
  decode(packet) {
    const at = packet.offset;
    packet.l4Offset = at;
    const available = packet.l3End - at;
    const view = packet.view;
    if (available >= 4) {
      packet.srcPort = view.getUint16(at);
      packet.dstPort = view.getUint16(at + 2);
    }
    if (available < 8) return packet.truncated("UDP header", at);
    const length = view.getUint16(at + 4);
    if (length < 8) return packet.fail("UDP header", "length must be at least 8", at + 4, length);
    packet.payloadOffset = at + 8;
    const datagram = length - 8;
    const captured = available - 8;
    packet.payloadLength = datagram < captured ? datagram : captured;
    return packet.next(Table.UDP_PORT, 0, at + 8);
  },
};
