/**
 * Linux "cooked" capture headers, SLL (LINKTYPE_LINUX_SLL) and SLL2 (LINKTYPE_LINUX_SLL2), as
 * written by `tcpdump -i any` (tcpdump.org link-layer header types registry).
 *
 * ```
 * SLL  (16 B): packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2)
 * SLL2 (20 B): protocol(2) reserved(2) interface index(4) ARPHRD type(2) packet type(1)
 *              address length(1) address(8)
 * ```
 * The address is the sender's link-layer address; there is no destination address. Protocol
 * values below 0x0600 are Linux pseudo types: 0x0004 is an 802.2 LLC frame.
 *
 * @module
 */

import { type Dissector, type Packet, Table } from "../api.ts";
import { LinkType } from "../../capture/batch.ts";
import { EtherType } from "../ethertypes.ts";

const ARPHRD_ETHER = 1;
const LINUX_PROTO_8022 = 0x0004;

function cooked(packet: Packet, protocol: number, arphrd: number, addressLength: number, addressAt: number) {
  if (arphrd === ARPHRD_ETHER && addressLength === 6) packet.srcMacOffset = addressAt;
  const payloadAt = packet.offset;
  if (protocol >= 0x0600) {
    packet.ethertype = protocol;
    return packet.next(Table.ETHERTYPE, protocol, payloadAt);
  }
  if (protocol === LINUX_PROTO_8022) {
    packet.ethertype = -1;
    return packet.next(Table.ETHERTYPE, EtherType.LENGTH_8023, payloadAt);
  }
  return packet.next(Table.NONE, 0, payloadAt);
}

/** SLL v1 dissector. */
export const linuxSll: Dissector = {
  name: "sll",
  title: "Linux cooked capture v1",
  registration: { tables: { link: [LinkType.LINUX_SLL] } },
  decode(packet) {
    const at = packet.offset;
    if (packet.end - at < 16) return packet.truncated("Linux cooked header", at);
    const view = packet.view;
    packet.offset = at + 16;
    return cooked(packet, view.getUint16(at + 14), view.getUint16(at + 2), view.getUint16(at + 4), at + 6);
  },
};

/** SLL v2 dissector. */
export const linuxSll2: Dissector = {
  name: "sll2",
  title: "Linux cooked capture v2",
  registration: { tables: { link: [LinkType.LINUX_SLL2] } },
  decode(packet) {
    const at = packet.offset;
    if (packet.end - at < 20) return packet.truncated("Linux cooked v2 header", at);
    const view = packet.view;
    packet.offset = at + 20;
    return cooked(packet, view.getUint16(at), view.getUint16(at + 8), packet.bytes[at + 11], at + 12);
  },
};
