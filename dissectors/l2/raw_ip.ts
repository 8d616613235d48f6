/**
 * Raw IP link types: LINKTYPE_RAW (version from the first nibble), LINKTYPE_IPV4, LINKTYPE_IPV6.
 * Frames carry no MAC addresses.
 *
 * @module
 */

import { type Dissector, Table } from "../api.ts";
import { LinkType } from "../../capture/batch.ts";
import { EtherType } from "../ethertypes.ts";

/** Raw IP dissector. */
export const rawIp: Dissector = {
  name: "raw",
  title: "Raw IP",
  registration: { tables: { link: [LinkType.RAW, LinkType.IPV4, LinkType.IPV6] } },
  decode(packet) {
    const at = packet.offset;
    let ethertype: number;
    if (packet.linkType === LinkType.IPV4) ethertype = EtherType.IPV4;
    else if (packet.linkType === LinkType.IPV6) ethertype = EtherType.IPV6;
    else {
      if (packet.end - at < 1) return packet.truncated("raw IP header", at);
      const version = packet.bytes[at] >>> 4;
      if (version === 4) ethertype = EtherType.IPV4;
      else if (version === 6) ethertype = EtherType.IPV6;
      else return packet.fail("raw IP", "IP version is neither 4 nor 6", at, version);
    }
    packet.ethertype = ethertype;
    return packet.next(Table.ETHERTYPE, ethertype, at);
  },
};
