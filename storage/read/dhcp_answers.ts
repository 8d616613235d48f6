/**
 * The DHCP answers (OFFER and ACK events) and leases stored, in the shapes the aggregator's DHCP
 * tracker reads (`aggregator/identify/`), so the API applies the same pool and rogue-server rules
 * as `analyze` and the live report.
 *
 * @module
 */

import type { EventFact } from "../../aggregator/inventory_types.ts";
import type { DhcpLease } from "../../aggregator/identify/dhcp_tracker.ts";
import type { Queryable } from "../database.ts";
import { iso, num } from "./sql.ts";

/** Every OFFER and ACK stored, oldest first (one row per distinct answer and flush). */
export async function dhcpAnswers(db: Queryable): Promise<EventFact[]> {
  const rows = await db.query<Omit<EventFact, "fields"> & { fields: string }>(
    `SELECT e.type, e.source, e.mac_address::text AS mac, host(e.ip_address) AS ip, e.src_mac::text AS src_mac,
       host(e.src_ip) AS src_ip, e.dst_mac::text AS dst_mac, host(e.dst_ip) AS dst_ip, e.severity, e.kind,
       e.vlan_id::int AS vlan_id, e.fields::text AS fields, ${iso("e.time", "first_seen")},
       ${iso("e.last_seen", "last_seen")}, ${num("e.count", "count")}
     FROM protocol_events e WHERE e.type IN ('dhcp.offer', 'dhcp.ack') ORDER BY e.time, e.id`,
  );
  return rows.map((row) => ({ ...row, fields: JSON.parse(row.fields) }));
}

/** Every lease stored, in the tracker's shape, oldest first. */
export async function storedLeases(db: Queryable): Promise<DhcpLease[]> {
  return await db.query<DhcpLease>(
    `SELECT l.client_mac::text AS mac, host(l.ip_address) AS ip, l.hostname, l.lease_seconds,
       host(l.server_ip) AS server, host(l.relay_ip) AS relay, ${iso("l.first_seen", "first_seen")},
       ${iso("l.last_seen", "last_seen")}, l.state, l.renewals
     FROM dhcp_leases l ORDER BY l.first_seen, l.id`,
  );
}
