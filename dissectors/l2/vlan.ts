/**
 * IEEE 802.1Q VLAN tag, and stacked tags (802.1ad QinQ: outer TPID 0x88a8, or 0x9100 / 0x8100 on
 * older gear).
 *
 * ```
 *  0       2                   4
 * +-------+---+-+--------------+--------
 * | TPID  |PCP|D|   VLAN id    | type…     TPID was read by the previous layer as its EtherType;
 * +-------+---+-+--------------+--------   this dissector starts at the TCI (802.1Q-2018 9.6)
 *           3  1      12 bits
 * ```
 * The first tag of a frame is kept as the outer tag, the second as the inner tag; further tags are
 * counted but not kept.
 *
 * @module
 */

import type { Dissector } from "../api.ts";
import { EtherType } from "../ethertypes.ts";
import { nextFromTypeOrLength } from "./ethernet.ts";

/** 802.1Q / 802.1ad tag dissector. */
export const vlan: Dissector = {
  name: "vlan",
  title: "IEEE 802.1Q / 802.1ad VLAN tag",
  registration: { tables: { ethertype: [EtherType.VLAN, EtherType.QINQ, EtherType.QINQ_LEGACY] } },
  decode(packet) {
    const at = packet.offset;
    if (packet.end - at < 4) return packet.truncated("802.1Q tag", at);
    const tci = packet.view.getUint16(at);
    const tpid = packet.ethertype;
    if (packet.vlanCount === 0) {
      packet.outerTpid = tpid;
      packet.outerPcp = tci >>> 13;
      packet.outerDei = (tci >>> 12) & 1;
      packet.outerVlan = tci & 0x0fff;
    } else if (packet.vlanCount === 1) {
      packet.innerPcp = tci >>> 13;
      packet.innerDei = (tci >>> 12) & 1;
      packet.innerVlan = tci & 0x0fff;
    }
    packet.vlanCount++;
    return nextFromTypeOrLength(packet, packet.view.getUint16(at + 2), at + 4);
  },
};
