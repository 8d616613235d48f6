/**
 * The dashboard's figures in a handful of aggregate queries: device counts, flows, traffic,
 * events by severity, open alerts, protocols, top talkers, newest devices and latest events.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { DEVICE_COLUMNS, type DeviceSummary } from "./devices.ts";
import { type EventSummary, listEvents } from "./events.ts";
import { iso } from "./sql.ts";

/** What the dashboard shows. */
export interface Dashboard {
  devices: { total: number; active: number; new_today: number; flagged: number; ot: number };
  flows: { total: number; packets: number; bytes: number };
  events: { total: number; by_severity: Record<string, number> };
  alerts_open: number;
  last_seen: string | null;
  protocols: { application: string; flows: number; bytes: number }[];
  top_talkers: DeviceSummary[];
  newest_devices: DeviceSummary[];
  latest_events: EventSummary[];
}

/** The dashboard, read now. */
export async function readDashboard(db: Queryable): Promise<Dashboard> {
  const [devices, severities, alerts, applications, talkers, newest, events] = await Promise.all([
    db.query<Dashboard["devices"] & { last_seen: string | null }>(
      `SELECT count(*)::float8 AS total, count(*) FILTER (WHERE is_active)::float8 AS active,
         count(*) FILTER (WHERE first_seen >= date_trunc('day', now()))::float8 AS new_today,
         count(*) FILTER (WHERE is_flagged)::float8 AS flagged,
         count(*) FILTER (WHERE ot_role IS NOT NULL)::float8 AS ot, ${iso("max(last_seen)", "last_seen")}
       FROM devices`,
    ),
    db.query<{ severity: string; n: number }>(
      "SELECT severity, sum(count)::float8 AS n FROM protocol_events GROUP BY severity",
    ),
    db.query<{ n: number }>("SELECT count(*)::float8 AS n FROM alerts WHERE status = 'open'"),
    // Kept per application by triggers (migration 012): a dozen rows, not a scan of the flows.
    db.query<Dashboard["protocols"][number] & { packets: number }>(
      `SELECT application, flows::float8 AS flows, packets::float8 AS packets, bytes::float8 AS bytes
       FROM flow_application_totals WHERE flows > 0 ORDER BY bytes DESC, application`,
    ),
    db.query<DeviceSummary>(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
       ORDER BY d.total_bytes_sent + d.total_bytes_received DESC, d.id LIMIT 5`,
    ),
    db.query<DeviceSummary>(
      `SELECT ${DEVICE_COLUMNS} FROM devices d ORDER BY d.first_seen DESC, d.id DESC LIMIT 5`,
    ),
    listEvents(db, { page: 1, page_size: 5 }),
  ]);
  const { last_seen, ...counts } = devices[0];
  const bySeverity: Record<string, number> = {};
  for (const row of severities) bySeverity[row.severity] = row.n;
  return {
    devices: counts,
    flows: {
      total: applications.reduce((sum, row) => sum + row.flows, 0),
      packets: applications.reduce((sum, row) => sum + row.packets, 0),
      bytes: applications.reduce((sum, row) => sum + row.bytes, 0),
    },
    events: { total: Object.values(bySeverity).reduce((a, b) => a + b, 0), by_severity: bySeverity },
    alerts_open: alerts[0].n,
    last_seen,
    protocols: applications.slice(0, 10).map(({ application, flows, bytes }) => ({
      application,
      flows,
      bytes,
    })),
    top_talkers: talkers,
    newest_devices: newest,
    latest_events: events.items,
  };
}
