/**
 * Shared helpers of the identification passes: the identity records of an
 * {@linkcode IdentificationInput} grouped by the device (MAC) they are about.
 *
 * An identity about an IP only (no MAC) is attributed to the device that owns the IP. A device owns
 * all its IPs unless it is a gateway: a gateway forwards other hosts' traffic, so only the addresses
 * it announces itself (ARP, NDP, DHCP) are its own, never its foreign addresses. An IP owned by two
 * devices is ambiguous and attributed to neither.
 *
 * @module
 */

import type { EventFact, IdentityFact } from "../inventory_types.ts";

export type { EventFact, IdentityFact };

/** What identification reads about one device. */
export interface IdentifiedDevice {
  mac_address: string;
  oui_vendor: string | null;
  is_gateway: boolean;
  gateway_reasons: readonly string[];
  ips: readonly { ip_address: string; learnt_from: readonly string[] }[];
}

/**
 * Everything identification reads: devices, the identities heard about them and the protocol
 * events between them. An inventory document is one; storage builds one from rows.
 */
export interface IdentificationInput {
  devices: readonly IdentifiedDevice[];
  identities: readonly IdentityFact[];
  events: readonly EventFact[];
}

/** Sources that announce an address as the sender's own. */
const ANNOUNCING = ["arp", "ndp", "dhcp"];

/** The addresses a device can be said to own (see the module documentation). */
export function ownIps(device: IdentifiedDevice): string[] {
  if (!device.is_gateway) return device.ips.map((ip) => ip.ip_address);
  return device.ips
    .filter((ip) => ip.learnt_from.some((source) => ANNOUNCING.includes(source)))
    .map((ip) => ip.ip_address);
}

/** IP → owning MAC, over all devices; IPs owned by more than one device are left out. */
export function ipOwners(doc: IdentificationInput): Map<string, string> {
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

/** The events of the input, sorted by first sighting. */
export function eventFacts(doc: Pick<IdentificationInput, "events">): EventFact[] {
  return [...doc.events].sort((a, b) => a.first_seen.localeCompare(b.first_seen));
}

/** Identity records grouped by the MAC they are about (directly, or through an owned IP). */
export function identitiesByMac(doc: IdentificationInput): Map<string, IdentityFact[]> {
  const owners = ipOwners(doc);
  const gateways = new Map<string, Set<string>>();
  for (const device of doc.devices) {
    if (device.is_gateway) gateways.set(device.mac_address, new Set(ownIps(device)));
  }
  const byMac = new Map<string, IdentityFact[]>();
  for (const fact of doc.identities) {
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
