/**
 * The server side of the DHCP tracker: pool usage per subnet and rogue servers.
 *
 * A server is known by its server identifier (option 54), else by the source IP of its answers;
 * its MAC is the source MAC of answers sent straight from that IP (not through a relay). The
 * subnet of an answer is the one of the address it hands out (`your_ip`, with the subnet mask
 * option 1, else /24), else the relay's.
 *
 * Rogue rules:
 * - with an allow-list: every server that sent an OFFER or ACK and is not in the list;
 * - without one: in each subnet where more than one server answered, all of them (the operator
 *   knows which one is legitimate; a passive observer does not).
 *
 * @module
 */

import type { EventFact } from "./evidence.ts";
import { ipv4Subnet } from "./evidence.ts";
import type { DhcpLease, DhcpPool, RogueServer } from "./dhcp_types.ts";

/** One server's answers. */
interface ServerSeen {
  server: string;
  mac: string | null;
  subnets: Set<string>;
  messages: number;
  first_seen: string;
  last_seen: string;
}

function field(event: EventFact, key: string): string | undefined {
  const value = event.fields[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Subnet of an OFFER/ACK, or undefined when it names no address. */
function answerSubnet(event: EventFact): string | undefined {
  const ip = field(event, "your_ip") ?? field(event, "client_ip") ?? field(event, "relay");
  return ip === undefined ? undefined : ipv4Subnet(ip, field(event, "subnet_mask"));
}

function isAnswer(event: EventFact): boolean {
  return event.type === "dhcp.offer" || event.type === "dhcp.ack";
}

/** The servers that sent OFFERs or ACKs. */
function serversSeen(events: EventFact[]): ServerSeen[] {
  const servers = new Map<string, ServerSeen>();
  for (const event of events.filter(isAnswer)) {
    const server = field(event, "server") ?? event.src_ip;
    if (server === null || server === undefined) continue;
    let seen = servers.get(server);
    if (seen === undefined) {
      seen = {
        server,
        mac: null,
        subnets: new Set(),
        messages: 0,
        first_seen: event.first_seen,
        last_seen: event.last_seen,
      };
      servers.set(server, seen);
    }
    if (event.src_ip === server && field(event, "relay") === undefined) seen.mac = event.src_mac;
    const subnet = answerSubnet(event);
    if (subnet !== undefined) seen.subnets.add(subnet);
    seen.messages += event.count;
    if (event.first_seen < seen.first_seen) seen.first_seen = event.first_seen;
    if (event.last_seen > seen.last_seen) seen.last_seen = event.last_seen;
  }
  return [...servers.values()];
}

function rogue(seen: ServerSeen, reason: string): RogueServer {
  return { ...seen, subnets: [...seen.subnets].sort(), reason };
}

/** Servers that should not be answering (see the module documentation). */
export function rogueServers(events: EventFact[], allowedServers?: string[]): RogueServer[] {
  const servers = serversSeen(events);
  if (allowedServers !== undefined && allowedServers.length > 0) {
    const allowed = new Set(allowedServers);
    return servers
      .filter((seen) => !allowed.has(seen.server))
      .map((seen) =>
        rogue(seen, `sent DHCP OFFER/ACK but is not an allowed server (${allowedServers.join(", ")})`)
      );
  }
  const bySubnet = new Map<string, ServerSeen[]>();
  for (const seen of servers) {
    for (const subnet of seen.subnets) {
      let list = bySubnet.get(subnet);
      if (list === undefined) bySubnet.set(subnet, list = []);
      list.push(seen);
    }
  }
  const reasons = new Map<ServerSeen, string[]>();
  for (const [subnet, list] of bySubnet) {
    if (list.length < 2) continue;
    const names = list.map((seen) => seen.server).sort().join(", ");
    for (const seen of list) {
      reasons.set(seen, [
        ...(reasons.get(seen) ?? []),
        `${list.length} DHCP servers answer in ${subnet} (${names}) and no allow-list is configured`,
      ]);
    }
  }
  return [...reasons].map(([seen, why]) => rogue(seen, why.join("; ")))
    .sort((a, b) => a.server.localeCompare(b.server));
}

/** Addresses leased per subnet, with the servers and relays that handed them out. */
export function pools(leases: DhcpLease[], events: EventFact[]): DhcpPool[] {
  const masks = new Map<string, string>();
  for (const event of events.filter(isAnswer)) {
    const ip = field(event, "your_ip");
    const mask = field(event, "subnet_mask");
    if (ip !== undefined && mask !== undefined) masks.set(ip, mask);
  }
  const bySubnet = new Map<string, { servers: Set<string>; relays: Set<string>; addresses: Set<string> }>();
  for (const lease of leases) {
    if (lease.state === "nak" || lease.state === "declined") continue;
    const subnet = ipv4Subnet(lease.ip, masks.get(lease.ip));
    let pool = bySubnet.get(subnet);
    if (pool === undefined) {
      pool = { servers: new Set(), relays: new Set(), addresses: new Set() };
      bySubnet.set(subnet, pool);
    }
    if (lease.server !== null) pool.servers.add(lease.server);
    if (lease.relay !== null) pool.relays.add(lease.relay);
    if (lease.state === "bound") pool.addresses.add(lease.ip);
  }
  return [...bySubnet].sort(([a], [b]) => a.localeCompare(b)).map(([subnet, pool]) => ({
    subnet,
    servers: [...pool.servers].sort(),
    relays: [...pool.relays].sort(),
    addresses: [...pool.addresses].sort(),
    leased: pool.addresses.size,
  }));
}
