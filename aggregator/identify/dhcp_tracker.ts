/**
 * DHCP tracker: leases, per-device IP history, pool usage, IP conflicts and rogue DHCP servers,
 * learnt passively from the `dhcp.*` events of an {@linkcode InventoryDocument} (RFC 2131 message
 * types) and from the ARP/DHCP MAC↔IP sightings of its devices.
 *
 * | Message  | Address of the lease                         | Effect on the lease                  |
 * | -------- | -------------------------------------------- | ------------------------------------ |
 * | OFFER    | `your_ip`                                    | `offered` (unless already bound)     |
 * | ACK      | `your_ip`, else `client_ip` when it has a lease time (an ACK with neither answers an INFORM: no lease) | `bound`; an ACK to a client that already holds the address (`client_ip` set, or a second ACK) counts as a renewal |
 * | NAK      | `requested_ip` of the REQUEST with that xid  | `nak`                                |
 * | RELEASE  | `client_ip`                                  | `released`                           |
 * | DECLINE  | `requested_ip`                               | `declined` (the client found it in use) |
 * | DISCOVER, REQUEST, INFORM | —                           | the client's host name only          |
 *
 * @module
 */

import type { InventoryDocument } from "../inventory_types.ts";
import { type EventFact, eventFacts } from "./evidence.ts";
import { pools, rogueServers } from "./dhcp_servers.ts";
import type {
  DhcpLease,
  DhcpReport,
  DhcpTrackerOptions,
  IpConflict,
  IpHistoryEntry,
  LeaseState,
} from "./dhcp_types.ts";

export type * from "./dhcp_types.ts";

function str(event: EventFact, key: string): string | undefined {
  const value = event.fields[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function num(event: EventFact, key: string): number | null {
  const value = event.fields[key];
  return typeof value === "number" ? value : null;
}

function leaseAddress(event: EventFact, kind: string, requests: Map<string, string>): string | undefined {
  const mac = str(event, "client_mac") ?? "";
  switch (kind) {
    case "offer":
      return str(event, "your_ip");
    case "ack":
      // An ACK without yiaddr and lease time answers an INFORM (RFC 2131 4.3.5): no lease.
      return str(event, "your_ip") ??
        (num(event, "lease_seconds") !== null ? str(event, "client_ip") : undefined);
    case "nak":
      return requests.get(`${mac}|${str(event, "xid")}`);
    case "release":
      return str(event, "client_ip");
    case "decline":
      return str(event, "requested_ip");
  }
  return undefined;
}

const STATES: Record<string, LeaseState> = {
  offer: "offered",
  ack: "bound",
  nak: "nak",
  release: "released",
  decline: "declined",
};

/** Builds the leases from the DHCP events (sorted by time). */
function buildLeases(events: readonly EventFact[]): DhcpLease[] {
  const leases = new Map<string, DhcpLease>();
  const requests = new Map<string, string>();
  const clientNames = new Map<string, string>();
  for (const event of events) {
    const kind = event.type.slice("dhcp.".length);
    const mac = str(event, "client_mac");
    if (mac === undefined) continue;
    const hostname = str(event, "hostname");
    if (["discover", "request", "inform", "decline", "release"].includes(kind) && hostname) {
      clientNames.set(mac, hostname);
    }
    const requested = str(event, "requested_ip") ?? str(event, "client_ip");
    if (kind === "request" && requested) requests.set(`${mac}|${str(event, "xid")}`, requested);
    const ip = leaseAddress(event, kind, requests);
    if (ip === undefined || !(kind in STATES)) continue;
    const key = `${mac}|${ip}`;
    let lease = leases.get(key);
    const previous = lease?.state;
    if (lease === undefined) {
      lease = {
        mac,
        ip,
        hostname: null,
        lease_seconds: null,
        server: null,
        relay: null,
        first_seen: event.first_seen,
        last_seen: event.last_seen,
        state: STATES[kind],
        renewals: 0,
      };
      leases.set(key, lease);
    }
    if (kind === "ack") {
      const renewing = previous === "bound" || str(event, "client_ip") !== undefined;
      lease.renewals += renewing ? event.count : event.count - 1;
    }
    if (!(kind === "offer" && lease.state === "bound")) lease.state = STATES[kind];
    if (event.last_seen > lease.last_seen) lease.last_seen = event.last_seen;
    if (kind === "offer" || kind === "ack") {
      lease.lease_seconds = num(event, "lease_seconds") ?? lease.lease_seconds;
      lease.server = str(event, "server") ?? event.src_ip ?? lease.server;
      lease.relay = str(event, "relay") ?? null;
      if (hostname && lease.hostname === null) lease.hostname = hostname;
    }
  }
  for (const lease of leases.values()) lease.hostname = clientNames.get(lease.mac) ?? lease.hostname;
  return [...leases.values()].sort((a, b) => a.first_seen.localeCompare(b.first_seen));
}

/** One MAC↔IP claim with its span and where it was learnt. */
interface Claim {
  mac: string;
  ip: string;
  from: string;
  to: string;
  source: string;
  vlan: number | null;
}

function claimsOf(doc: Pick<InventoryDocument, "devices">, leases: DhcpLease[]): Claim[] {
  const claims: Claim[] = leases
    .filter((lease) => lease.state === "bound" || lease.state === "released")
    .map((lease) => ({ ...lease, from: lease.first_seen, to: lease.last_seen, source: "dhcp", vlan: null }));
  for (const device of doc.devices) {
    for (const ip of device.ips) {
      for (const source of ip.learnt_from.filter((learnt) => learnt === "arp" || learnt === "dhcp")) {
        claims.push({
          mac: device.mac_address,
          ip: ip.ip_address,
          from: ip.first_seen,
          to: ip.last_seen,
          source,
          vlan: ip.vlan_id,
        });
      }
    }
  }
  return claims;
}

function history(claims: Claim[]): Record<string, IpHistoryEntry[]> {
  const byMac = new Map<string, Map<string, IpHistoryEntry>>();
  for (const claim of claims) {
    let ips = byMac.get(claim.mac);
    if (ips === undefined) byMac.set(claim.mac, ips = new Map());
    const entry = ips.get(claim.ip);
    if (entry === undefined) {
      ips.set(claim.ip, { ip: claim.ip, from: claim.from, to: claim.to, sources: [claim.source] });
      continue;
    }
    if (claim.from < entry.from) entry.from = claim.from;
    if (claim.to > entry.to) entry.to = claim.to;
    if (!entry.sources.includes(claim.source)) entry.sources.push(claim.source);
  }
  const result: Record<string, IpHistoryEntry[]> = {};
  for (const [mac, ips] of [...byMac].sort(([a], [b]) => a.localeCompare(b))) {
    result[mac] = [...ips.values()].sort((a, b) => a.from.localeCompare(b.from));
  }
  return result;
}

function conflicts(claims: Claim[], events: EventFact[], windowSeconds: number): IpConflict[] {
  const byIp = new Map<string, Claim[]>();
  for (const claim of claims) {
    let list = byIp.get(claim.ip);
    if (list === undefined) byIp.set(claim.ip, list = []);
    list.push(claim);
  }
  const found: IpConflict[] = [];
  const describe = (claim: Claim) => `${claim.mac}: ${claim.source} ${claim.from} → ${claim.to}`;
  for (const [ip, list] of byIp) {
    list.sort((a, b) => a.from.localeCompare(b.from));
    const reported = new Set<string>();
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i], list[j]];
        if (a.mac === b.mac || (a.vlan !== null && b.vlan !== null && a.vlan !== b.vlan)) continue;
        if (reported.has(`${a.mac}|${b.mac}`)) continue;
        const gap = (Date.parse(b.from) - Date.parse(a.to)) / 1000;
        const released = events.some((event) =>
          event.type === "dhcp.release" && event.fields.client_mac === a.mac &&
          event.fields.client_ip === ip && event.first_seen <= b.from
        );
        if (gap > windowSeconds || released) continue;
        reported.add(`${a.mac}|${b.mac}`);
        const declines = events.filter((event) =>
          event.type === "dhcp.decline" && event.fields.requested_ip === ip
        );
        found.push({
          ip,
          macs: [a.mac, b.mac],
          evidence: [
            ...list.filter((claim) => claim.mac === a.mac || claim.mac === b.mac).map(describe),
            ...declines.map((event) => `${event.fields.client_mac}: DHCP DECLINE at ${event.first_seen}`),
          ],
          detected_at: b.from,
        });
      }
    }
  }
  return found.sort((a, b) => a.detected_at.localeCompare(b.detected_at));
}

/** The leases the `dhcp.*` events tell of (what {@linkcode trackDhcp} reports as `leases`). */
export function dhcpLeases(doc: Pick<InventoryDocument, "events">): DhcpLease[] {
  return buildLeases(eventFacts(doc).filter((event) => event.type.startsWith("dhcp.")));
}

/**
 * The DHCP state of the network, from the document's `dhcp.*` events and ARP/DHCP sightings.
 *
 * @example
 * ```ts ignore
 * const report = trackDhcp(doc, { allowedServers: ["10.10.10.2"] });
 * for (const rogue of report.rogue_servers) console.log(rogue.server, rogue.reason);
 * ```
 */
export function trackDhcp(
  doc: Pick<InventoryDocument, "devices" | "events">,
  options: DhcpTrackerOptions = {},
): DhcpReport {
  const events = eventFacts(doc).filter((event) => event.type.startsWith("dhcp."));
  const leases = buildLeases(events);
  const claims = claimsOf(doc, leases);
  return {
    leases,
    ip_history: history(claims),
    pools: pools(leases, events),
    conflicts: conflicts(claims, events, options.conflictWindowSeconds ?? 300),
    rogue_servers: rogueServers(events, options.allowedServers),
  };
}
