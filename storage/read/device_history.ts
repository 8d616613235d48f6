/**
 * Two views of a device derived from what its detail already reads: its IP history (every address
 * it held, from its learnt addresses and its DHCP leases, oldest first, with where each was heard)
 * and its L2 neighbour (what it announces on its link through LLDP or CDP: system, port, native
 * VLAN — for a switch, the switch and port at the other end of the cable).
 *
 * @module
 */

import type { DeviceAddress, DeviceAttribute } from "./device_detail.ts";

/** One address the device held. */
export interface IpHistoryEntry {
  ip_address: string;
  /** First and last time heard (ISO 8601), or null when only a destination of its frames. */
  from: string | null;
  to: string | null;
  /** How it was heard: `arp`, `traffic`, `ndp`, `dhcp` (learnt), `dhcp lease (bound)`… */
  sources: string[];
}

/** What a device announces about its link (LLDP or CDP). */
export interface L2Neighbour {
  protocol: "lldp" | "cdp";
  system_name: string | null;
  port_id: string | null;
  port_description: string | null;
  native_vlan: string | null;
  management_address: string | null;
  last_seen: string;
}

/** A lease of the device, as its detail reads it. */
interface LeaseSeen {
  ip_address: string;
  state: string;
  first_seen: string;
  last_seen: string;
}

function earliest(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : a < b ? a : b;
}

function latest(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : a > b ? a : b;
}

/** Every address of `addresses` and `leases`, one entry per IP, oldest first. */
export function ipHistory(
  addresses: readonly DeviceAddress[],
  leases: readonly LeaseSeen[],
): IpHistoryEntry[] {
  const byIp = new Map<string, IpHistoryEntry>();
  const entry = (ip: string) => {
    let found = byIp.get(ip);
    if (found === undefined) byIp.set(ip, found = { ip_address: ip, from: null, to: null, sources: [] });
    return found;
  };
  for (const address of addresses) {
    const e = entry(address.ip_address);
    e.from = earliest(e.from, address.first_seen);
    e.to = latest(e.to, address.last_seen);
    for (const source of address.learnt_from) if (!e.sources.includes(source)) e.sources.push(source);
  }
  for (const lease of leases) {
    const e = entry(lease.ip_address);
    e.from = earliest(e.from, lease.first_seen);
    e.to = latest(e.to, lease.last_seen);
    const source = `dhcp lease (${lease.state})`;
    if (!e.sources.includes(source)) e.sources.push(source);
  }
  return [...byIp.values()].sort((a, b) =>
    (a.from ?? "9").localeCompare(b.from ?? "9") || a.ip_address.localeCompare(b.ip_address)
  );
}

const KEYS = {
  lldp: {
    system_name: "lldp.system_name",
    port_id: "lldp.port_id",
    port_description: "lldp.port_description",
    native_vlan: "lldp.pvid",
    management_address: "lldp.management_address",
  },
  cdp: {
    system_name: "cdp.device_id",
    port_id: "cdp.port_id",
    port_description: null,
    native_vlan: "cdp.native_vlan",
    management_address: "cdp.addresses",
  },
} as const;

/** The newest LLDP (else CDP) announcement among `attributes`, or null. */
export function l2Neighbour(attributes: readonly DeviceAttribute[]): L2Neighbour | null {
  for (const protocol of ["lldp", "cdp"] as const) {
    const keys = KEYS[protocol];
    const heard = attributes.filter((a) => a.key.startsWith(`${protocol}.`));
    if (heard.length === 0) continue;
    const value = (key: string | null) => {
      if (key === null) return null;
      const newest = heard.filter((a) =>
        a.key === key
      ).sort((a, b) => b.last_seen.localeCompare(a.last_seen))[0];
      return newest?.value ?? null;
    };
    const neighbour: L2Neighbour = {
      protocol,
      system_name: value(keys.system_name),
      port_id: value(keys.port_id),
      port_description: value(keys.port_description),
      native_vlan: value(keys.native_vlan),
      management_address: value(keys.management_address),
      last_seen: heard.map((a) => a.last_seen).sort().at(-1)!,
    };
    if (neighbour.system_name !== null || neighbour.port_id !== null) return neighbour;
  }
  return null;
}
