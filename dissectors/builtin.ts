/**
 * The built-in dissectors, in registration order.
 *
 * @module
 */

import type { Dissector } from "./api.ts";
import { ethernet } from "./l2/ethernet.ts";
import { vlan } from "./l2/vlan.ts";
import { llc } from "./l2/llc.ts";
import { linuxSll, linuxSll2 } from "./l2/linux_sll.ts";
import { rawIp } from "./l2/raw_ip.ts";
import { loopback } from "./l2/loopback.ts";
import { arp } from "./l2/arp.ts";
import { ipv4 } from "./l3/ipv4.ts";
import { ipv6 } from "./l3/ipv6.ts";
import { icmp } from "./l3/icmp.ts";
import { icmpv6 } from "./l3/icmpv6.ts";
import { tcp } from "./l4/tcp.ts";
import { udp } from "./l4/udp.ts";
import { DHCP_DISSECTORS } from "./it/dhcp/mod.ts";
import { NAME_DISSECTORS } from "./it/dns/mod.ts";
import { NEIGHBOUR_DISSECTORS } from "./it/l2_neighbours/mod.ts";
import { HINT_DISSECTORS } from "./it/hints/mod.ts";
import { OT_DISSECTORS } from "./ot/mod.ts";

/** Link, network and transport dissectors (L2–L4). */
export const CORE_DISSECTORS: readonly Dissector[] = [
  ethernet,
  linuxSll,
  linuxSll2,
  rawIp,
  loopback,
  vlan,
  llc,
  arp,
  ipv4,
  ipv6,
  icmp,
  icmpv6,
  tcp,
  udp,
];

/** IT identification: who is this device (hostnames, vendors, neighbours, leases). */
export const IT_DISSECTORS: readonly Dissector[] = [
  ...DHCP_DISSECTORS,
  ...NAME_DISSECTORS,
  ...NEIGHBOUR_DISSECTORS,
  ...HINT_DISSECTORS,
];

/** Every built-in dissector: core, IT identification, industrial protocols (`ot/`). */
export const BUILTIN_DISSECTORS: readonly Dissector[] = [
  ...CORE_DISSECTORS,
  ...IT_DISSECTORS,
  ...OT_DISSECTORS,
];

/** The link types (LINKTYPE_* values) a built-in dissector decodes. */
export function builtinLinkTypes(): Set<number> {
  const linkTypes = new Set<number>();
  for (const dissector of CORE_DISSECTORS) {
    for (const linkType of dissector.registration.tables?.link ?? []) linkTypes.add(linkType);
  }
  return linkTypes;
}
