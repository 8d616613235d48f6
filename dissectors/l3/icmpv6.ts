/**
 * ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861 section 4) as MAC↔IP sightings.
 *
 * ```
 * RS 133 / RA 134 / NS 135 / NA 136:  type(1) code(1) checksum(2) body… options…
 *   RS body 4 B; RA body 12 B; NS body 4 B + target address 16 B; NA body 4 B + target 16 B
 * option: type(1) length(1, in units of 8 octets, 0 is invalid) value…
 *   type 1 source link-layer address, type 2 target link-layer address (RFC 4861 4.6.1)
 * ```
 * NA: target address ↔ target link-layer address. RS/RA/NS: IPv6 source ↔ source link-layer
 * address, unless the source is the unspecified address (duplicate address detection).
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet, SightingSource } from "../api.ts";

/** IP protocol number of ICMPv6. */
export const IPPROTO_ICMPV6 = 58;

const ROUTER_SOLICITATION = 133;
const ROUTER_ADVERTISEMENT = 134;
const NEIGHBOR_SOLICITATION = 135;
const NEIGHBOR_ADVERTISEMENT = 136;
const OPT_SOURCE_LL = 1;
const OPT_TARGET_LL = 2;
/** Bound on the options walk. */
const MAX_OPTIONS = 32;

function isUnspecified(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < 16; i++) if (bytes[at + i] !== 0) return false;
  return true;
}

/** Walks NDP options and reports the link-layer address option of `wanted` type against `ipOffset`. */
function reportLinkLayerOption(
  packet: Packet,
  out: Observer,
  optionsAt: number,
  wanted: number,
  ipOffset: number,
): number {
  const bytes = packet.bytes;
  let at = optionsAt;
  for (let count = 0; count < MAX_OPTIONS && packet.l3End - at >= 2; count++) {
    const type = bytes[at];
    const length = bytes[at + 1] * 8;
    if (length === 0) return packet.fail("ICMPv6 NDP option", "option length must not be zero", at + 1, 0);
    if (packet.l3End - at < length) return packet.truncated("ICMPv6 NDP option", at);
    if (type === wanted && length === 8) out.sighting(packet, at + 2, ipOffset, 6, SightingSource.NDP);
    at += length;
  }
  return Decoded.DONE;
}

/** ICMPv6 dissector. */
export const icmpv6: Dissector = {
  name: "icmpv6",
  title: "Internet Control Message Protocol for IPv6",
  registration: { tables: { "ip.proto": [IPPROTO_ICMPV6] } },
  decode(packet, out) {
    const at = packet.offset;
    packet.l4Offset = at;
    if (packet.l3End - at < 4) return packet.truncated("ICMPv6 header", at);
    const type = packet.bytes[at];
    switch (type) {
      case NEIGHBOR_ADVERTISEMENT:
        if (packet.l3End - at < 24) return packet.truncated("ICMPv6 neighbor advertisement", at);
        return reportLinkLayerOption(packet, out, at + 24, OPT_TARGET_LL, at + 8);
      case NEIGHBOR_SOLICITATION:
        if (packet.l3End - at < 24) return packet.truncated("ICMPv6 neighbor solicitation", at);
        if (isUnspecified(packet.bytes, packet.srcIpOffset)) return Decoded.DONE;
        return reportLinkLayerOption(packet, out, at + 24, OPT_SOURCE_LL, packet.srcIpOffset);
      case ROUTER_SOLICITATION:
        if (isUnspecified(packet.bytes, packet.srcIpOffset)) return Decoded.DONE;
        return reportLinkLayerOption(packet, out, at + 8, OPT_SOURCE_LL, packet.srcIpOffset);
      case ROUTER_ADVERTISEMENT:
        return reportLinkLayerOption(packet, out, at + 16, OPT_SOURCE_LL, packet.srcIpOffset);
      default:
        return Decoded.DONE;
    }
  },
};
