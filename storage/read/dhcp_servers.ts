/**
 * DHCP servers and pools, inferred from what was heard: every server that sent an OFFER or ACK
 * (known by its server identifier, option 54, else the answer's source address), marked `rogue` by
 * the inventory's own rule (`aggregator/identify/dhcp_servers.ts`: with `[identify]
 * allowed_dhcp_servers` set, every server not in it; without, every server of a subnet where
 * several answer), and per subnet the servers, routers (option 3), the address range seen, the
 * leases and how full the subnet is.
 *
 * @module
 */

import { pools, rogueServers } from "../../aggregator/identify/dhcp_servers.ts";
import { ipv4Subnet } from "../../aggregator/identify/evidence.ts";
import type { EventFact } from "../../aggregator/inventory_types.ts";
import type { Queryable } from "../database.ts";
import { dhcpAnswers, storedLeases } from "./dhcp_answers.ts";

/** A DHCP server heard on the network. */
export interface DhcpServer {
  /** Server identifier (option 54), else the source address of its answers. */
  server: string;
  /** Its MAC when it answered directly (not through a relay), else null. */
  mac: string | null;
  /** The device of that MAC, when the inventory has it. */
  device_id: number | null;
  /** Subnets it handed addresses in. */
  subnets: string[];
  /** OFFER and ACK messages heard from it. */
  offers: number;
  acks: number;
  /** Leases stored with it as server. */
  leases: number;
  first_seen: string;
  last_seen: string;
  /** It should not be answering (see the module documentation). */
  rogue: boolean;
  /** Why it is rogue, or null. */
  reason: string | null;
}

/** A subnet where leases were handed out. */
export interface DhcpPoolSummary {
  /** `a.b.c.d/len` (subnet mask option 1, else /24). */
  subnet: string;
  servers: string[];
  /** Routers the servers announced (option 3). */
  routers: string[];
  relays: string[];
  /** Lowest and highest address leased (any state), or null. */
  range_start: string | null;
  range_end: string | null;
  /** Leases stored in the subnet (any state). */
  lease_count: number;
  /** Distinct addresses currently bound. */
  leased: number;
  /** Host addresses of the subnet (2^(32 - len) - 2, at least 1). */
  capacity: number;
  /** `leased / capacity`, from 0 to 1. */
  utilisation: number;
}

function text(event: EventFact, key: string): string | undefined {
  const value = event.fields[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function ipNumber(ip: string): number {
  return ip.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** Every DHCP server heard, by address. `allowed`: `[identify] allowed_dhcp_servers`. */
export async function listDhcpServers(db: Queryable, allowed: readonly string[] = []): Promise<DhcpServer[]> {
  const answers = await dhcpAnswers(db);
  const rogue = new Map(rogueServers(answers, [...allowed]).map((r) => [r.server, r.reason]));
  const servers = new Map<string, DhcpServer & { subnetSet: Set<string> }>();
  for (const event of answers) {
    const address = text(event, "server") ?? event.src_ip;
    if (address === null || address === undefined) continue;
    let server = servers.get(address);
    if (server === undefined) {
      server = {
        server: address,
        mac: null,
        device_id: null,
        subnets: [],
        subnetSet: new Set(),
        offers: 0,
        acks: 0,
        leases: 0,
        first_seen: event.first_seen,
        last_seen: event.last_seen,
        rogue: rogue.has(address),
        reason: rogue.get(address) ?? null,
      };
      servers.set(address, server);
    }
    if (event.src_ip === address && text(event, "relay") === undefined) server.mac = event.src_mac;
    const leased = text(event, "your_ip") ?? text(event, "client_ip") ?? text(event, "relay");
    if (leased !== undefined) server.subnetSet.add(ipv4Subnet(leased, text(event, "subnet_mask")));
    if (event.type === "dhcp.offer") server.offers += event.count;
    else server.acks += event.count;
    if (event.first_seen < server.first_seen) server.first_seen = event.first_seen;
    if (event.last_seen > server.last_seen) server.last_seen = event.last_seen;
  }
  const counts = await db.query<{ server: string; n: number }>(
    "SELECT host(server_ip) AS server, count(*)::float8 AS n FROM dhcp_leases WHERE server_ip IS NOT NULL GROUP BY 1",
  );
  const macs = [...servers.values()].map((s) => s.mac).filter((mac) => mac !== null);
  const devices = await db.query<{ mac: string; id: number }>(
    "SELECT mac_address::text AS mac, id::float8 AS id FROM devices WHERE mac_address = ANY($1::macaddr[])",
    [macs],
  );
  const leaseCount = new Map(counts.map((row) => [row.server, row.n]));
  const deviceOf = new Map(devices.map((row) => [row.mac, row.id]));
  return [...servers.values()].sort((a, b) => ipNumber(a.server) - ipNumber(b.server)).map((
    { subnetSet, ...server },
  ) => ({
    ...server,
    subnets: [...subnetSet].sort(),
    leases: leaseCount.get(server.server) ?? 0,
    device_id: server.mac === null ? null : deviceOf.get(server.mac) ?? null,
  }));
}

/** The pools (subnets) where leases were handed out, by subnet. */
export async function listDhcpPools(db: Queryable): Promise<DhcpPoolSummary[]> {
  const [answers, leases] = await Promise.all([dhcpAnswers(db), storedLeases(db)]);
  const masks = new Map<string, string>();
  const routers = new Map<string, Set<string>>();
  for (const event of answers) {
    const ip = text(event, "your_ip");
    const mask = text(event, "subnet_mask");
    if (ip !== undefined && mask !== undefined) masks.set(ip, mask);
    const router = text(event, "router");
    const subnet = ip ?? text(event, "client_ip");
    if (router !== undefined && subnet !== undefined) {
      const key = ipv4Subnet(subnet, mask);
      routers.set(key, (routers.get(key) ?? new Set()).add(router));
    }
  }
  const inSubnet = new Map<string, string[]>();
  for (const lease of leases) {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(lease.ip)) continue;
    const subnet = ipv4Subnet(lease.ip, masks.get(lease.ip));
    inSubnet.set(subnet, [...(inSubnet.get(subnet) ?? []), lease.ip]);
  }
  return pools(leases.filter((lease) => /^\d+\.\d+\.\d+\.\d+$/.test(lease.ip)), answers).map((pool) => {
    const length = Number(pool.subnet.split("/")[1]);
    const capacity = Math.max(1, 2 ** (32 - length) - 2);
    const ips = (inSubnet.get(pool.subnet) ?? []).sort((a, b) => ipNumber(a) - ipNumber(b));
    return {
      subnet: pool.subnet,
      servers: pool.servers,
      routers: [...(routers.get(pool.subnet) ?? [])].sort(),
      relays: pool.relays,
      range_start: ips[0] ?? null,
      range_end: ips.at(-1) ?? null,
      lease_count: ips.length,
      leased: pool.leased,
      capacity,
      utilisation: Math.min(1, pool.leased / capacity),
    };
  });
}
