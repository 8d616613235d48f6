/**
 * DHCP leases heard on the wire (`dhcp_leases`), newest first, one page.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { Conditions, iso, num, type Page, pageOf, type PageRequest } from "./sql.ts";

/** A lease: which client got which address from which server. */
export interface Lease {
  client_mac: string;
  device_id: number | null;
  ip_address: string;
  vlan_id: number | null;
  server_mac: string | null;
  server_ip: string | null;
  relay_ip: string | null;
  hostname: string | null;
  lease_seconds: number | null;
  state: string;
  renewals: number;
  first_seen: string;
  last_seen: string;
  count: number;
}

/** Filters of {@linkcode listLeases}. */
export interface LeaseQuery extends PageRequest {
  /** Leases of this client MAC. */
  mac?: string;
  /** Leases given by this server. */
  server?: string;
}

/** One page of leases. */
export async function listLeases(db: Queryable, query: LeaseQuery): Promise<Page<Lease>> {
  const where = new Conditions();
  if (query.mac) where.add(query.mac, (p) => `l.client_mac = ${p}::macaddr`);
  if (query.server) where.add(query.server, (p) => `l.server_ip = ${p}::inet`);
  const total = (await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM dhcp_leases l ${where.where()}`,
    where.params,
  ))[0].n;
  const limit = where.param(query.page_size);
  const offset = where.param((query.page - 1) * query.page_size);
  const items = await db.query<Lease>(
    `SELECT l.client_mac::text AS client_mac, ${
      num("(SELECT d.id FROM devices d WHERE d.mac_address = l.client_mac)", "device_id")
    },
       host(l.ip_address) AS ip_address, l.vlan_id, l.server_mac::text AS server_mac, host(l.server_ip) AS server_ip,
       host(l.relay_ip) AS relay_ip, l.hostname, l.lease_seconds, l.state, l.renewals,
       ${iso("l.first_seen", "first_seen")}, ${iso("l.last_seen", "last_seen")}, ${num("l.count", "count")}
     FROM dhcp_leases l ${where.where()} ORDER BY l.last_seen DESC, l.id DESC LIMIT ${limit} OFFSET ${offset}`,
    where.params,
  );
  return pageOf(items, total, query);
}
