/**
 * What the live WebSocket polls each second: the devices and events stored since the last poll
 * (by id, which only grows), and the number of flows. Polling the database rather than the
 * in-process bus means a web server in another process over PostgreSQL sends the same messages.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import { iso, num } from "./read/sql.ts";

/** A new device, as the live feed announces it. */
export interface LiveDevice {
  id: number;
  mac_address: string;
  display_name: string | null;
  oui_vendor: string | null;
  device_type: string;
  ip_addresses: string[];
  first_seen: string;
}

/** A new event, as the live feed announces it. */
export interface LiveEvent {
  id: number;
  type: string;
  severity: string;
  message: string;
  device_id: number | null;
  at: string;
}

/** Most rows one poll returns of each kind (the rest come at the next poll). */
export const LIVE_FEED_LIMIT = 500;

/** The largest device and event ids stored now: where a new feed starts. */
export async function liveFeedCursor(db: Queryable): Promise<{ device: number; event: number }> {
  const [row] = await db.query<{ device: number; event: number }>(
    `SELECT COALESCE((SELECT max(id) FROM devices), 0)::float8 AS device,
            COALESCE((SELECT max(id) FROM protocol_events), 0)::float8 AS event`,
  );
  return row;
}

/** Devices whose id is above `after`, oldest first. */
export async function devicesAfter(db: Queryable, after: number): Promise<LiveDevice[]> {
  return await db.query<LiveDevice>(
    `SELECT ${num("d.id", "id")}, d.mac_address::text AS mac_address,
       COALESCE(d.device_name, d.display_name) AS display_name, d.oui_vendor,
       COALESCE(d.device_type_override, d.device_type) AS device_type,
       ARRAY(SELECT DISTINCT host(i.ip_address) FROM device_ips i
             WHERE i.device_id = d.id AND cardinality(i.learnt_from) > 0 ORDER BY 1) AS ip_addresses,
       ${iso("d.first_seen", "first_seen")}
     FROM devices d WHERE d.id > $1 ORDER BY d.id LIMIT ${LIVE_FEED_LIMIT}`,
    [after],
  );
}

interface EventRow {
  id: number;
  type: string;
  severity: string;
  device_id: number | null;
  at: string;
  src: string | null;
  dst: string | null;
  subject: string | null;
}

/** Events whose id is above `after`, oldest first, each with a one-line message. */
export async function eventsAfter(db: Queryable, after: number): Promise<LiveEvent[]> {
  const rows = await db.query<EventRow>(
    `SELECT ${num("e.id", "id")}, e.type, e.severity, ${num("e.device_id", "device_id")},
       ${iso("e.time", "at")}, COALESCE(host(e.src_ip), e.src_mac::text) AS src,
       COALESCE(host(e.dst_ip), e.dst_mac::text) AS dst,
       COALESCE(host(e.ip_address), e.mac_address::text) AS subject
     FROM protocol_events e WHERE e.id > $1 ORDER BY e.id LIMIT ${LIVE_FEED_LIMIT}`,
    [after],
  );
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    severity: row.severity,
    message: eventMessage(row),
    device_id: row.device_id,
    at: row.at,
  }));
}

function eventMessage(row: EventRow): string {
  if (row.src && row.dst) return `${row.type}: ${row.src} → ${row.dst}`;
  const subject = row.subject ?? row.src ?? row.dst;
  return subject ? `${row.type}: ${subject}` : row.type;
}

/** Flows stored. */
export async function flowCount(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::float8 AS n FROM traffic_flows");
  return row.n;
}
