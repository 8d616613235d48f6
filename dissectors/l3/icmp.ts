/**
 * ICMP for IPv4 (RFC 792): type and code only; the flow carries the rest.
 *
 * @module
 */

import { Decoded, type Dissector } from "../api.ts";

/** IP protocol number of ICMP. */
export const IPPROTO_ICMP = 1;

/** ICMP dissector. */
export const icmp: Dissector = {
  name: "icmp",
  title: "Internet Control Message Protocol",
  registration: { tables: { "ip.proto": [IPPROTO_ICMP] } },
  decode(packet) {
    const at = packet.offset;
    packet.l4Offset = at;
    if (packet.l3End - at < 4) return packet.truncated("ICMP header", at);
    return Decoded.DONE;
  },
};
