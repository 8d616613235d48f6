/**
 * Protocol events of the API (`protocol_events`): newest first, filtered by type, severity, device
 * and time.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { Conditions, iso, num, type Page, pageOf, type PageRequest } from "./sql.ts";

/** Severities, weakest first. */
export const SEVERITIES = ["info", "notice", "warning", "critical"] as const;

/** An event heard on the wire. */
export interface EventSummary {
  id: number;
  time: string;
  last_seen: string;
  type: string;
  kind: string;
  severity: string;
  source: string;
  device_id: number | null;
  mac_address: string | null;
  ip_address: string | null;
  src_mac: string | null;
  dst_mac: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  vlan_id: number | null;
  fields: Record<string, unknown>;
  count: number;
}

/** Filters of {@linkcode listEvents}. */
export interface EventQuery extends PageRequest {
  /** Exact type (`modbus.write`) or a prefix ending in `.` (`s7comm.`). */
  type?: string;
  /** This severity or stronger. */
  min_severity?: typeof SEVERITIES[number];
  /** Events about, from or to this device. */
  device?: number;
  from?: string;
  to?: string;
}

function filters(query: EventQuery): Conditions {
  const where = new Conditions();
  if (query.type?.endsWith(".")) where.add(query.type, (p) => `starts_with(e.type, ${p})`);
  else if (query.type) where.add(query.type, (p) => `e.type = ${p}`);
  if (query.min_severity) {
    where.add(
      SEVERITIES.slice(SEVERITIES.indexOf(query.min_severity)),
      (p) => `e.severity = ANY (${p}::text[])`,
    );
  }
  if (query.device !== undefined) {
    where.add(
      query.device,
      (p) =>
        `(e.device_id = ${p} OR e.src_mac = (SELECT mac_address FROM devices WHERE id = ${p})
        OR e.dst_mac = (SELECT mac_address FROM devices WHERE id = ${p}))`,
    );
  }
  if (query.from) where.add(query.from, (p) => `e.time >= ${p}::timestamptz`);
  if (query.to) where.add(query.to, (p) => `e.time <= ${p}::timestamptz`);
  return where;
}

/** One page of events, newest first. */
export async function listEvents(db: Queryable, query: EventQuery): Promise<Page<EventSummary>> {
  const where = filters(query);
  const total = (await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM protocol_events e ${where.where()}`,
    where.params,
  ))[0].n;
  const limit = where.param(query.page_size);
  const offset = where.param((query.page - 1) * query.page_size);
  const rows = await db.query<EventSummary & { fields: string }>(
    `SELECT ${num("e.id", "id")}, ${iso("e.time", "time")}, ${
      iso("e.last_seen", "last_seen")
    }, e.type, e.kind,
       e.severity, e.source, ${num("e.device_id", "device_id")}, e.mac_address::text AS mac_address,
       host(e.ip_address) AS ip_address, e.src_mac::text AS src_mac, e.dst_mac::text AS dst_mac,
       host(e.src_ip) AS src_ip, host(e.dst_ip) AS dst_ip, e.vlan_id, e.fields::text AS fields,
       ${num("e.count", "count")}
     FROM protocol_events e ${where.where()} ORDER BY e.time DESC, e.id DESC LIMIT ${limit} OFFSET ${offset}`,
    where.params,
  );
  return pageOf(rows.map((row) => ({ ...row, fields: JSON.parse(row.fields) })), total, query);
}
