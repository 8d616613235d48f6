/**
 * Alerts for the API: one page filtered by type, severity, state, device and time (newest first),
 * one alert by id, and the workflow (open → acknowledged → resolved, with who, when and a
 * comment). The table keeps 003's names (`rule`, `status` with `closed` for resolved); the API
 * speaks of `type` and `state`.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { Conditions, iso, num, type Page, pageOf, type PageRequest } from "./sql.ts";

/** Alert states of the workflow. */
export const ALERT_STATES = ["open", "acknowledged", "resolved"] as const;
/** One of {@linkcode ALERT_STATES}. */
export type AlertState = (typeof ALERT_STATES)[number];
/** Alert severities, lowest first. */
export const ALERT_SEVERITIES = ["info", "notice", "warning", "critical"] as const;

/** One alert as the API returns it. */
export interface Alert {
  id: number;
  type: string;
  severity: string;
  state: AlertState;
  message: string;
  dedup_key: string;
  /** The main device, then every device involved. */
  device_id: number | null;
  device_ids: number[];
  /** Evidence: first/last frame, MACs, flow, values before/after, facts. */
  evidence: Record<string, unknown>;
  first_seen: string;
  last_seen: string;
  count: number;
  comment: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  state_changed_by: string | null;
  state_changed_at: string | null;
}

/** Filters of {@linkcode listAlerts}; absent: no filter. */
export interface AlertQuery extends PageRequest {
  type?: string;
  severity?: string;
  state?: AlertState;
  /** Alerts involving this device id. */
  device?: number;
  /** Alerts seen last at or after `from`, and first at or before `to` (ISO 8601). */
  from?: string;
  to?: string;
}

const STATE_SQL = "CASE a.status WHEN 'closed' THEN 'resolved' ELSE a.status END";

const COLUMNS = `${num("a.id", "id")}, a.rule AS type, a.severity, ${STATE_SQL} AS state, a.title AS message,
  a.dedup_key, ${
  num("a.device_id", "device_id")
}, ARRAY(SELECT x::float8 FROM unnest(a.device_ids) AS x) AS device_ids,
  a.details::text AS evidence, ${iso("a.first_seen", "first_seen")}, ${iso("a.last_seen", "last_seen")},
  ${num("a.count", "count")}, a.comment,
  (SELECT u.username FROM users u WHERE u.id = a.acknowledged_by) AS acknowledged_by,
  ${iso("a.acknowledged_at", "acknowledged_at")},
  (SELECT u.username FROM users u WHERE u.id = a.resolved_by) AS resolved_by, ${
  iso("a.closed_at", "resolved_at")
},
  (SELECT u.username FROM users u WHERE u.id = a.state_changed_by) AS state_changed_by,
  ${iso("a.state_changed_at", "state_changed_at")}`;

type AlertRow = Omit<Alert, "evidence"> & { evidence: string };

function parsed(row: AlertRow): Alert {
  return { ...row, evidence: JSON.parse(row.evidence) };
}

function filters(query: AlertQuery): Conditions {
  const where = new Conditions();
  if (query.type) where.add(query.type, (p) => `a.rule = ${p}`);
  if (query.severity) where.add(query.severity, (p) => `a.severity = ${p}`);
  if (query.state) where.add(query.state === "resolved" ? "closed" : query.state, (p) => `a.status = ${p}`);
  if (query.device !== undefined) {
    where.add(query.device, (p) => `(a.device_id = ${p} OR a.device_ids @> ARRAY[${p}::bigint])`);
  }
  if (query.from) where.add(query.from, (p) => `a.last_seen >= ${p}::timestamptz`);
  if (query.to) where.add(query.to, (p) => `a.first_seen <= ${p}::timestamptz`);
  return where;
}

/** One page of alerts, the last seen first. */
export async function listAlerts(db: Queryable, query: AlertQuery): Promise<Page<Alert>> {
  const where = filters(query);
  const total = (await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM alerts a ${where.where()}`,
    where.params,
  ))[0].n;
  const limit = where.param(query.page_size);
  const offset = where.param((query.page - 1) * query.page_size);
  const items = await db.query<AlertRow>(
    `SELECT ${COLUMNS} FROM alerts a ${where.where()} ORDER BY a.last_seen DESC, a.id DESC
     LIMIT ${limit} OFFSET ${offset}`,
    where.params,
  );
  return pageOf(items.map(parsed), total, query);
}

/** One alert, or null. */
export async function getAlert(db: Queryable, id: number): Promise<Alert | null> {
  const rows = await db.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts a WHERE a.id = $1`, [id]);
  return rows.length === 0 ? null : parsed(rows[0]);
}

/** A change of state by a user. */
export interface AlertStateChange {
  state: AlertState;
  comment?: string | null;
  /** The user's id (null for a token without a user, never in practice). */
  userId: string | null;
}

/**
 * Sets the state of alerts (who and when recorded; `comment` replaces the comment when given).
 * Reopening a resolved alert fails when the same condition has an open alert again (one open
 * alert per condition): that alert is left as it is and its id is not returned.
 *
 * @returns ids of the alerts changed
 */
export async function setAlertState(
  db: Queryable,
  ids: number[],
  change: AlertStateChange,
): Promise<number[]> {
  const status = change.state === "resolved" ? "closed" : change.state;
  const rows = await db.query<{ id: number }>(
    `UPDATE alerts a SET status = $2,
        state_changed_by = $3::uuid, state_changed_at = now(),
        comment = CASE WHEN $4::boolean THEN $5 ELSE a.comment END,
        acknowledged_by = CASE WHEN $2 = 'acknowledged' THEN $3::uuid ELSE a.acknowledged_by END,
        acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN now() ELSE a.acknowledged_at END,
        resolved_by = CASE WHEN $2 = 'closed' THEN $3::uuid ELSE a.resolved_by END,
        closed_at = CASE WHEN $2 = 'closed' THEN now() WHEN $2 = 'open' THEN NULL ELSE a.closed_at END
      WHERE a.id = ANY($1::bigint[])
        AND NOT ($2 <> 'closed' AND a.status = 'closed' AND EXISTS (
          SELECT 1 FROM alerts o WHERE o.rule = a.rule AND o.dedup_key = a.dedup_key AND o.status <> 'closed'))
      RETURNING a.id::float8 AS id`,
    [ids, status, change.userId, change.comment !== undefined, change.comment ?? null],
  );
  return rows.map((row) => row.id).sort((a, b) => a - b);
}
