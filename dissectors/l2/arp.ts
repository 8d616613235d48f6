/**
 * ARP over Ethernet for IPv4 (RFC 826), and gratuitous ARP (RFC 5227 section 3 announcements).
 *
 * ```
 *  0      2      4    5    6      8         14        18        24        28
 * +------+------+----+----+------+---------+---------+---------+---------+
 * | htype| ptype|hlen|plen| oper | sender  | sender  | target  | target  |
 * |  1   |0x0800| 6  | 4  | 1/2  | MAC     | IPv4    | MAC     | IPv4    |
 * +------+------+----+----+------+---------+---------+---------+---------+
 * ```
 * The sender's MAC↔IP is a sighting unless the sender IP is 0.0.0.0 (an RFC 5227 probe); a
 * reply's target MAC↔IP is one too (the requester). Other hardware/protocol types are counted
 * by the flow but not interpreted.
 *
 * @module
 */

import { Decoded, type Dissector, PacketFlag, SightingSource } from "../api.ts";
import { EtherType } from "../ethertypes.ts";

const OP_REQUEST = 1;
const OP_REPLY = 2;

function isZero4(bytes: Uint8Array, at: number): boolean {
  return (bytes[at] | bytes[at + 1] | bytes[at + 2] | bytes[at + 3]) === 0;
}

function isZero6(bytes: Uint8Array, at: number): boolean {
  return (bytes[at] | bytes[at + 1] | bytes[at + 2] | bytes[at + 3] | bytes[at + 4] | bytes[at + 5]) === 0;
}

function sameIp4(bytes: Uint8Array, a: number, b: number): boolean {
  return bytes[a] === bytes[b] && bytes[a + 1] === bytes[b + 1] && bytes[a + 2] === bytes[b + 2] &&
    bytes[a + 3] === bytes[b + 3];
}

/** ARP dissector. */
export const arp: Dissector = {
  name: "arp",
  title: "Address Resolution Protocol",
  registration: { tables: { ethertype: [EtherType.ARP] } },
  decode(packet, out) {
    const at = packet.offset;
    if (packet.end - at < 8) return packet.truncated("ARP header", at);
    const view = packet.view;
    const bytes = packet.bytes;
    const htype = view.getUint16(at);
    const ptype = view.getUint16(at + 2);
    const hlen = bytes[at + 4];
    const plen = bytes[at + 5];
    const op = view.getUint16(at + 6);
    if (htype !== 1 || ptype !== EtherType.IPV4) return Decoded.DONE;
    if (hlen !== 6 || plen !== 4) {
      return packet.fail(
        "ARP",
        "Ethernet/IPv4 ARP must have 6-byte MAC and 4-byte IP addresses",
        at + 4,
        hlen,
      );
    }
    if (packet.end - at < 28) return packet.truncated("ARP addresses", at);
    const sha = at + 8;
    const spa = at + 14;
    const tha = at + 18;
    const tpa = at + 24;
    if (op !== OP_REQUEST && op !== OP_REPLY) return Decoded.DONE;
    if (!isZero4(bytes, spa)) out.sighting(packet, sha, spa, 4, SightingSource.ARP);
    if (op === OP_REPLY && !isZero6(bytes, tha) && !isZero4(bytes, tpa)) {
      out.sighting(packet, tha, tpa, 4, SightingSource.ARP);
    }
    // Announcement: sender IP = target IP (RFC 5227 3); some stacks send it as a reply.
    if (!isZero4(bytes, spa) && sameIp4(bytes, spa, tpa)) {
      packet.flags |= PacketFlag.GRATUITOUS_ARP;
      out.event(packet, { type: "arp.gratuitous", severity: "info", fields: { op } });
    }
    return Decoded.DONE;
  },
};
