/**
 * EtherType values used by the built-in dissectors (IEEE Registration Authority public listing).
 *
 * @module
 */

/** EtherTypes NetSentinel knows by name. */
export const EtherType = {
  /**
   * Key of the EtherType table for IEEE 802.3 frames, whose type/length field is a length
   * (IEEE assigns 0x0000–0x05DC to lengths): their payload starts with an 802.2 LLC header.
   */
  LENGTH_8023: 0x0000,
  IPV4: 0x0800,
  ARP: 0x0806,
  /** IEEE 802.1Q customer VLAN tag (C-tag). */
  VLAN: 0x8100,
  IPV6: 0x86dd,
  /** IEEE 802.1ad service VLAN tag (S-tag, QinQ outer). */
  QINQ: 0x88a8,
  /** Pre-standard QinQ outer tag used by some vendors. */
  QINQ_LEGACY: 0x9100,
  LLDP: 0x88cc,
  PROFINET: 0x8892,
  GOOSE: 0x88b8,
} as const;

/** Names for the protocol distribution report. */
const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: "IPv4",
  0x0806: "ARP",
  0x0842: "Wake-on-LAN",
  0x8035: "RARP",
  0x8100: "802.1Q",
  0x86dd: "IPv6",
  0x8808: "Ethernet flow control",
  0x8809: "Slow protocols (LACP)",
  0x8847: "MPLS",
  0x8848: "MPLS multicast",
  0x8863: "PPPoE discovery",
  0x8864: "PPPoE session",
  0x888e: "802.1X EAPOL",
  0x8892: "PROFINET",
  0x88a4: "EtherCAT",
  0x88a8: "802.1ad",
  0x88b8: "IEC 61850 GOOSE",
  0x88ba: "IEC 61850 SV",
  0x88cc: "LLDP",
  0x88e3: "Media redundancy (MRP)",
  0x88f7: "PTP",
  0x88fb: "PRP",
  0x8902: "CFM",
  0x9000: "Loopback",
  0x9100: "QinQ (legacy)",
};

/** Human name of an EtherType, or its hex value. */
export function etherTypeName(ethertype: number): string {
  if (ethertype < 0) return "802.3 LLC";
  return ETHERTYPE_NAMES[ethertype] ?? `0x${ethertype.toString(16).padStart(4, "0")}`;
}
