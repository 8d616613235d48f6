/**
 * BSD loopback link types: LINKTYPE_NULL (0) and LINKTYPE_LOOP (108) (tcpdump.org link-layer
 * header types registry).
 *
 * ```
 * NULL (4 B): address family, in the byte order of the machine that wrote the capture
 * LOOP (4 B): address family, in network byte order (OpenBSD)
 * ```
 * AF_INET is 2 everywhere; AF_INET6 differs between the BSDs: 24 (NetBSD, OpenBSD, BSD/OS), 28
 * (FreeBSD, DragonFly), 30 (macOS). A NULL header's byte order is found by its value, as Wireshark
 * does: families are small numbers, so a value with bits in the upper half was written by a machine
 * of the other byte order. Frames carry no MAC addresses. Other families (ISO, IPX, AppleTalk) are
 * passed on to no dissector: the frame is counted, not attributed to a flow.
 *
 * @module
 */

import { type Dissector, Table } from "../api.ts";
import { LinkType } from "../../capture/batch.ts";
import { EtherType } from "../ethertypes.ts";

/** Address families of a loopback header. */
export const LoopbackFamily = {
  INET: 2,
  INET6_BSD: 24,
  INET6_FREEBSD: 28,
  INET6_DARWIN: 30,
} as const;

/** The EtherType that carries an address family's network layer, or -1 for a family not decoded. */
export function loopbackEtherType(family: number): number {
  switch (family) {
    case LoopbackFamily.INET:
      return EtherType.IPV4;
    case LoopbackFamily.INET6_BSD:
    case LoopbackFamily.INET6_FREEBSD:
    case LoopbackFamily.INET6_DARWIN:
      return EtherType.IPV6;
    default:
      return -1;
  }
}

/** NULL and LOOP dissector. */
export const loopback: Dissector = {
  name: "null",
  title: "BSD loopback",
  registration: { tables: { link: [LinkType.NULL, LinkType.LOOP] } },
  decode(packet) {
    const at = packet.offset;
    if (packet.end - at < 4) return packet.truncated("BSD loopback header", at);
    const view = packet.view;
    let family = view.getUint32(at, packet.linkType !== LinkType.LOOP);
    // A NULL header of the other byte order than little-endian: the family sits in the upper half.
    if (packet.linkType === LinkType.NULL && family > 0xffff) family = view.getUint32(at, false);
    const payloadAt = at + 4;
    const ethertype = loopbackEtherType(family);
    if (ethertype < 0) return packet.next(Table.NONE, 0, payloadAt);
    packet.ethertype = ethertype;
    return packet.next(Table.ETHERTYPE, ethertype, payloadAt);
  },
};
