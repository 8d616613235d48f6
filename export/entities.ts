/**
 * What one day's export holds, entity by entity: the SQL that reads each table's rows active on a
 * UTC day (`$1` the day's start, `$2` the next day's start). A row is in a day when its
 * `[first_seen, last_seen]` meets the day (events: when their `time` is in it), as known when
 * the export runs.
 *
 * @module
 */

import type { Queryable, Row } from "../storage/database.ts";
import { DEVICE_COLUMNS } from "../storage/read/devices.ts";
import { iso, num } from "../storage/read/sql.ts";

/** An entity of the export: its object name and the query of its rows. */
export interface ExportEntity {
  /** The object name (`devices` → `YYYY-MM-DD/devices.json.gz.enc`). */
  name: string;
  /** What it holds, for the README and the evidence bundle. */
  description: string;
  /** SELECT with `$1` (day start) and `$2` (next day start), ordered so two runs give the same bytes. */
  sql: string;
  /** Columns read as JSON text, parsed before encoding. */
  json?: readonly string[];
}

const DAY = (alias: string) =>
  `${alias}.first_seen < $2::timestamptz AND ${alias}.last_seen >= $1::timestamptz`;

/** Every entity, in export order. */
export const EXPORT_ENTITIES: readonly ExportEntity[] = [
  {
    name: "devices",
    description: "devices seen that day (MAC, vendor, type, names, counters, addresses, VLANs)",
    sql: `SELECT ${DEVICE_COLUMNS} FROM devices d WHERE ${DAY("d")} ORDER BY d.mac_address`,
  },
  {
    name: "ips",
    description: "the IP addresses of those devices, with VLAN and how each was learnt",
    sql:
      `SELECT d.mac_address::text AS mac_address, host(i.ip_address) AS ip_address, i.ip_version, i.vlan_id,
        i.outer_vlan_id, ${iso("i.first_seen", "first_seen")}, ${iso("i.last_seen", "last_seen")},
        ${num("i.packets_sent", "packets_sent")}, ${num("i.packets_received", "packets_received")},
        ${num("i.bytes_sent", "bytes_sent")}, ${num("i.bytes_received", "bytes_received")}, i.learnt_from
      FROM device_ips i JOIN devices d ON d.id = i.device_id
      WHERE cardinality(i.learnt_from) > 0 AND ${DAY("i")}
      ORDER BY d.mac_address, i.ip_address, i.vlan_id NULLS FIRST, i.outer_vlan_id NULLS FIRST`,
  },
  {
    name: "identity",
    description:
      "identity attributes heard that day (hostname, vendor, model, firmware…, with source and confidence)",
    sql:
      `SELECT a.mac_address::text AS mac_address, host(a.ip_address) AS ip_address, a.vlan_id, a.source, a.key,
        a.value, a.confidence, ${iso("a.first_seen", "first_seen")}, ${iso("a.last_seen", "last_seen")},
        ${num("a.count", "count")}
      FROM identity_attributes a WHERE ${DAY("a")}
      ORDER BY a.mac_address NULLS FIRST, a.ip_address NULLS FIRST, a.source, a.key, a.value`,
  },
  {
    name: "classification",
    description:
      "what identification concluded for each device (type, OS, name, OT role, Purdue level, reasons)",
    sql:
      `SELECT d.mac_address::text AS mac_address, COALESCE(d.device_type_override, d.device_type) AS device_type,
        d.device_type AS detected_type, d.type_confidence, d.type_reasons, d.os_family, d.display_name,
        d.display_name_source, d.ot_role, d.ot_role_confidence, d.ot_role_reasons, d.purdue_level,
        ${iso("d.identified_at", "identified_at")}
      FROM devices d WHERE ${DAY("d")} ORDER BY d.mac_address`,
  },
  {
    name: "ot_assets",
    description: "devices with an OT role: protocols, facts (vendor, model, serial, firmware) and modules",
    sql:
      `SELECT d.mac_address::text AS mac_address, d.display_name, d.ot_role, d.purdue_level, d.ot_protocols,
        d.ot_facts::text AS ot_facts, d.ot_children::text AS ot_children
      FROM devices d WHERE d.ot_role IS NOT NULL AND ${DAY("d")} ORDER BY d.mac_address`,
    json: ["ot_facts", "ot_children"],
  },
  {
    name: "flows",
    description: "communication flows active that day (addresses, ports, protocol, application, totals)",
    sql: `SELECT f.src_mac::text AS src_mac, host(f.src_ip) AS src_ip, f.src_port, f.dst_mac::text AS dst_mac,
        host(f.dst_ip) AS dst_ip, f.dst_port, f.vlan_id, f.outer_vlan_id, f.ethertype, f.ip_protocol,
        f.application, f.application_source, ${iso("f.first_seen", "first_seen")},
        ${iso("f.last_seen", "last_seen")}, ${num("f.packet_count", "packet_count")},
        ${num("f.byte_count", "byte_count")}, f.tcp_flags_seen, ${num("f.tcp_syn_count", "tcp_syn_count")},
        ${num("f.tcp_rst_count", "tcp_rst_count")}, ${num("f.tcp_fin_count", "tcp_fin_count")}
      FROM traffic_flows f WHERE ${DAY("f")}
      ORDER BY f.first_seen, f.src_mac NULLS FIRST, f.src_ip NULLS FIRST, f.src_port NULLS FIRST,
        f.dst_mac NULLS FIRST, f.dst_ip NULLS FIRST, f.dst_port NULLS FIRST, f.vlan_id NULLS FIRST,
        f.outer_vlan_id NULLS FIRST, f.ethertype NULLS FIRST, f.ip_protocol NULLS FIRST`,
  },
  {
    name: "events",
    description: "protocol events and anomalies heard that day (OT writes, program and stop commands…)",
    sql: `SELECT ${iso("e.time", "time")}, ${iso("e.last_seen", "last_seen")}, e.type, e.kind, e.severity,
        e.source, e.sensor_id, e.mac_address::text AS mac_address, host(e.ip_address) AS ip_address,
        e.src_mac::text AS src_mac, e.dst_mac::text AS dst_mac, host(e.src_ip) AS src_ip,
        host(e.dst_ip) AS dst_ip, e.vlan_id, e.fields::text AS fields, ${num("e.count", "count")}
      FROM protocol_events e WHERE e.time >= $1::timestamptz AND e.time < $2::timestamptz
      ORDER BY e.time, e.type, e.source, e.src_mac NULLS FIRST, e.dst_mac NULLS FIRST, e.fields::text`,
    json: ["fields"],
  },
  {
    name: "alerts",
    description: "alerts open or raised that day (rule, severity, status, device, details)",
    sql: `SELECT a.rule, a.severity, a.status, a.title, a.dedup_key, d.mac_address::text AS mac_address,
        a.details::text AS details, ${iso("a.first_seen", "first_seen")}, ${iso("a.last_seen", "last_seen")},
        ${num("a.count", "count")}, ${iso("a.acknowledged_at", "acknowledged_at")}, ${
      iso("a.closed_at", "closed_at")
    }
      FROM alerts a LEFT JOIN devices d ON d.id = a.device_id WHERE ${DAY("a")}
      ORDER BY a.first_seen, a.rule, a.dedup_key`,
    json: ["details"],
  },
];

/** The start of `day` (`YYYY-MM-DD`) and of the next day, as ISO 8601 UTC. */
export function dayBounds(day: string): [string, string] {
  const start = new Date(`${day}T00:00:00.000Z`);
  const next = new Date(start.getTime() + 86_400_000);
  return [start.toISOString(), next.toISOString()];
}

/** The rows of one entity on one day, JSON columns parsed. */
export async function readEntity(db: Queryable, entity: ExportEntity, day: string): Promise<Row[]> {
  const rows = await db.query(entity.sql, dayBounds(day));
  if (!entity.json) return rows;
  for (const row of rows) {
    for (const column of entity.json) {
      if (typeof row[column] === "string") row[column] = JSON.parse(row[column] as string);
    }
  }
  return rows;
}

/**
 * The UTC days on which something was recorded (a device, flow or attribute active, an event
 * heard), oldest first, from `after` (exclusive; null: from the first) to `until` (inclusive).
 */
export async function daysWithData(db: Queryable, after: string | null, until: string): Promise<string[]> {
  const rows = await db.query<{ day: string }>(
    `WITH spans AS (
        SELECT first_seen, last_seen FROM devices
        UNION ALL SELECT first_seen, last_seen FROM traffic_flows
        UNION ALL SELECT first_seen, last_seen FROM identity_attributes
        UNION ALL SELECT time, time FROM protocol_events
      ), days AS (
        SELECT generate_series(
          date_trunc('day', GREATEST(first_seen AT TIME ZONE 'UTC', COALESCE($1::date + 1, '-infinity'::date))),
          date_trunc('day', LEAST(last_seen AT TIME ZONE 'UTC', $2::date)),
          interval '1 day') AS day
        FROM spans
      )
      SELECT DISTINCT to_char(day, 'YYYY-MM-DD') AS day FROM days ORDER BY 1`,
    [after, until],
  );
  return rows.map((row) => row.day);
}
