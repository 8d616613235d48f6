/**
 * Ethernet II and IEEE 802.3 frame header.
 *
 * ```
 *  0                   6                   12      14
 * +-------------------+-------------------+-------+----------
 * | destination MAC   | source MAC        | type  | payload…
 * +-------------------+-------------------+-------+----------
 * ```
 * A type/length field ≥ 0x0600 is an EtherType (Ethernet II); ≤ 1500 it is the length of an
 * IEEE 802.3 frame whose payload starts with an 802.2 LLC header (IEEE 802.3 clause 3.2.6): the
 * frame's end is then moved to the end of that payload, before the padding. Values in between are
 * undefined.
 *
 * @module
 */

import { type Dissector, type Packet, Table } from "../api.ts";
import { LinkType } from "../../capture/batch.ts";
import { EtherType } from "../ethertypes.ts";

/** Smallest valid EtherType (IEEE 802.3 clause 3.2.6). */
export const MIN_ETHERTYPE = 0x0600;
/** Largest 802.3 length value. */
export const MAX_8023_LENGTH = 1500;

/**
 * Sends the bytes at `offset` to the table a type/length field names. Shared by Ethernet, VLAN
 * tags and anything else that ends in a type/length field.
 */
export function nextFromTypeOrLength(packet: Packet, typeOrLength: number, offset: number): number {
  if (typeOrLength >= MIN_ETHERTYPE) {
    packet.ethertype = typeOrLength;
    return packet.next(Table.ETHERTYPE, typeOrLength, offset);
  }
  if (typeOrLength <= MAX_8023_LENGTH) {
    packet.ethertype = -1;
    // The length counts the LLC data only: what follows is padding up to the 64-byte minimum frame
    // (IEEE 802.3 clause 3.2.7), which the dissectors above must not read as data.
    if (offset + typeOrLength < packet.end) packet.end = offset + typeOrLength;
    return packet.next(Table.ETHERTYPE, EtherType.LENGTH_8023, offset);
  }
  return packet.fail(
    "Ethernet",
    "type/length field is neither a length nor an EtherType",
    offset - 2,
    typeOrLength,
  );
}

/** Ethernet II / 802.3 dissector, the first dissector of LINKTYPE_ETHERNET frames. */
export const ethernet: Dissector = {
  name: "eth",
  title: "Ethernet",
  registration: { tables: { link: [LinkType.ETHERNET] } },
  decode(packet) {
    const at = packet.offset;
    if (packet.end - at < 14) return packet.truncated("Ethernet header", at);
    packet.dstMacOffset = at;
    packet.srcMacOffset = at + 6;
    return nextFromTypeOrLength(packet, packet.view.getUint16(at + 12), at + 14);
  },
};
