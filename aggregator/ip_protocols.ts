/**
 * Names of IP protocol numbers (IANA Assigned Internet Protocol Numbers) for reports.
 *
 * @module
 */

const NAMES: Record<number, string> = {
  0: "IPv6 Hop-by-Hop",
  1: "ICMP",
  2: "IGMP",
  4: "IP-in-IP",
  6: "TCP",
  17: "UDP",
  41: "IPv6-in-IP",
  47: "GRE",
  50: "ESP",
  51: "AH",
  58: "ICMPv6",
  88: "EIGRP",
  89: "OSPF",
  103: "PIM",
  112: "VRRP",
  115: "L2TP",
  132: "SCTP",
};

/** Name of an IP protocol number, or `proto N`. */
export function ipProtocolName(protocol: number): string {
  return NAMES[protocol] ?? `proto ${protocol}`;
}
