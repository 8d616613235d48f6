/**
 * Shared helpers of the identification passes: the identity records of an
 * {@linkcode InventoryDocument} grouped by the device (MAC) they are about.
 *
 * An identity about an IP only (no MAC) is attributed to the device that owns the IP. A device owns
 * all its IPs unless it is a gateway: a gateway forwards other hosts' traffic, so only the addresses
 * it announces itself (ARP, NDP, DHCP) are its own, never its foreign addresses. An IP owned by two
 * devices is ambiguous and attributed to neither.
 *
 * @module
 */

import type { Device, InventoryDocument } from "../inventory_types.ts";

/** One identity record of the document, typed. */
export interface IdentityFact {
  /** Dotted identity key (`hostname`, `lldp.system_name`…). */
  key: string;
  /** The value as heard. */
  value: string;
  /** 0–100, as the dissector rated it. */
  confidence: number;
  /** The MAC it is about, or null. */
  mac: string | null;
  /** The IP it is about, or null. */
  ip: string | null;
  /** Dissector that reported it (`dhcp`, `lldp`, `mdns`…). */
  source: string;
  /** First time heard (ISO 8601). */
  first_seen: string;
  /** Last time heard (ISO 8601). */
  last_seen: string;
  /** Times heard. */
  count: number;
}

/** One event record of the document, typed. */
export interface EventFact {
  /** Event type, e.g. `dhcp.ack`. */
  type: string;
  /** Dissector that reported it. */
  source: string;
  /** The MAC it is about (for DHCP: the client), or null. */
  mac: string | null;
  /** The IP it is about, or null. */
  ip: string | null;
  /** Source MAC of the frame. */
  src_mac: string | null;
  /** Source IP of the packet. */
  src_ip: string | null;
  /** Destination MAC of the frame. */
  dst_mac: string | null;
  /** Destination IP of the packet. */
  dst_ip: string | null;
  /** info, notice, warning or critical. */
  severity: string;
  /** `event` or `anomaly`. */
  kind: string;
  /** VLAN of the frame, or null. */
  vlan_id: number | null;
  /** The event's fields (for DHCP: xid, client_mac, your_ip, server…). */
  fields: Record<string, string | number | boolean>;
  /** First occurrence (ISO 8601). */
  first_seen: string;
  /** Last occurrence (ISO 8601). */
  last_seen: string;
  /** Occurrences. */
  count: number;
}

/** Sources that announce an address as the sender's own. */
const ANNOUNCING = ["arp", "ndp", "dhcp"];

/** The addresses a device can be said to own (see the module documentation). */
export function ownIps(device: Device): string[] {
  if (!device.is_gateway) return device.ips.map((ip) => ip.ip_address);
  return device.ips
    .filter((ip) => ip.learnt_from.some((source) => ANNOUNCING.includes(source)))
    .map((ip) => ip.ip_address);
}

/** IP → owning MAC, over all devices; IPs owned by more than one device are left out. */
export function ipOwners(doc: InventoryDocument): Map<string, string> {
  const owners = new Map<string, string | null>();
  for (const device of doc.devices) {
    for (const ip of ownIps(device)) {
      const owner = owners.get(ip);
      owners.set(ip, owner === undefined || owner === device.mac_address ? device.mac_address : null);
    }
  }
  const result = new Map<string, string>();
  for (const [ip, mac] of owners) if (mac !== null) result.set(ip, mac);
  return result;
}

/** The identity records of the document, typed. */
export function identityFacts(doc: InventoryDocument): IdentityFact[] {
  return doc.identities as unknown as IdentityFact[];
}

/** The event records of the document, typed, sorted by first sighting. */
export function eventFacts(doc: InventoryDocument): EventFact[] {
  const events = doc.events as unknown as EventFact[];
  return [...events].sort((a, b) => a.first_seen.localeCompare(b.first_seen));
}

/** Identity records grouped by the MAC they are about (directly, or through an owned IP). */
export function identitiesByMac(doc: InventoryDocument): Map<string, IdentityFact[]> {
  const owners = ipOwners(doc);
  const gateways = new Map<string, Set<string>>();
  for (const device of doc.devices) {
    if (device.is_gateway) gateways.set(device.mac_address, new Set(ownIps(device)));
  }
  const byMac = new Map<string, IdentityFact[]>();
  for (const fact of identityFacts(doc)) {
    // A gateway's frames carry other hosts' addresses: a fact about one of those is not the gateway's.
    const foreign = fact.mac !== null && fact.ip !== null && gateways.get(fact.mac)?.has(fact.ip) === false;
    const viaIp = fact.ip !== null ? owners.get(fact.ip) : undefined;
    const mac = foreign ? viaIp : fact.mac ?? viaIp;
    if (mac === undefined || mac === null) continue;
    let list = byMac.get(mac);
    if (list === undefined) byMac.set(mac, list = []);
    list.push(fact);
  }
  return byMac;
}

/** The IPv4 network of `ip` under `mask` (dotted), as `a.b.c.d/len`; /24 when the mask is unknown. */
export function ipv4Subnet(ip: string, mask?: string): string {
  const toNumber = (text: string) => text.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const maskValue = mask !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(mask) ? toNumber(mask) : 0xffffff00;
  let length = 0;
  for (let bit = 31; bit >= 0 && Math.floor(maskValue / 2 ** bit) % 2 === 1; bit--) length++;
  const network = toNumber(ip) - (toNumber(ip) % 2 ** (32 - length));
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join(".")}/${length}`;
}
