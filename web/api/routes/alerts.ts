/**
 * Alert routes: `GET /alerts` (paged like `/devices`, filtered by type, severity, state, device and
 * time), `GET /alerts/{id}`, and the workflow for operators and up: `PATCH /alerts/{id}` and
 * `POST /alerts/bulk` set the state (open, acknowledged, resolved) with a comment; who and when
 * are recorded on the alert and each change in the audit log (`alert.update`).
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../../../storage/accounts/audit.ts";
import {
  ALERT_SEVERITIES,
  ALERT_STATES,
  type AlertState,
  getAlert,
  listAlerts,
  setAlertState,
} from "../../../storage/read/alerts.ts";
import type { Queryable } from "../../../storage/database.ts";
import { principalOf, requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { paging, parseQuery, pathId, queryInt, queryTime, readBody, text } from "../validate.ts";

/** Query of GET /alerts. */
export const AlertQuery = z.object({
  ...paging,
  type: text(64).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  state: z.enum(ALERT_STATES).optional(),
  device: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
}).strict();

/** Body of PATCH /alerts/{id}. */
export const AlertPatch = z.object({
  state: z.enum(ALERT_STATES),
  comment: text(2000).nullable().optional(),
}).strict();

/** Body of POST /alerts/bulk. */
export const AlertBulk = z.object({
  ids: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1).max(500),
  state: z.enum(ALERT_STATES),
  comment: text(2000).nullable().optional(),
}).strict();

/** The alert routes, mounted at `/api/v1`. */
export const alertRoutes = new Hono<ApiEnv>();

alertRoutes.get("/alerts", requireRole("viewer"), async (c) => {
  return c.json(await listAlerts(c.get("deps").db, parseQuery(c, AlertQuery)));
});

alertRoutes.get("/alerts/:id", requireRole("viewer"), async (c) => {
  const id = pathId(c);
  const alert = await getAlert(c.get("deps").db, id);
  if (!alert) throw notFound(`alert ${id}`);
  return c.json(alert);
});

interface Change {
  ids: number[];
  state: AlertState;
  comment?: string | null;
}

/** Sets the state of existing alerts and audits each one; returns the ids changed. */
async function change(
  tx: Queryable,
  body: Change,
  actor: { id: string | null; username: string },
  ip: string | null,
): Promise<number[]> {
  const before = new Map<number, { state: AlertState; comment: string | null; type: string }>();
  for (const id of body.ids) {
    const alert = await getAlert(tx, id);
    if (alert) before.set(id, { state: alert.state, comment: alert.comment, type: alert.type });
  }
  const changed = await setAlertState(tx, [...before.keys()], { ...body, userId: actor.id });
  for (const id of changed) {
    const was = before.get(id)!;
    await recordAudit(tx, {
      actor,
      action: "alert.update",
      target: `alert:${id}`,
      before: { state: was.state, comment: was.comment },
      after: { state: body.state, comment: body.comment === undefined ? was.comment : body.comment },
      details: { type: was.type },
      ip,
    });
  }
  return changed;
}

function actorOf(c: Parameters<typeof principalOf>[0]) {
  const { user } = principalOf(c);
  return { id: user.id, username: user.username };
}

alertRoutes.patch("/alerts/:id", requireRole("operator"), async (c) => {
  const deps = c.get("deps");
  const id = pathId(c);
  const body = await readBody(c, AlertPatch);
  const alert = await deps.db.transaction(async (tx) => {
    if (!await getAlert(tx, id)) throw notFound(`alert ${id}`);
    const changed = await change(tx, { ...body, ids: [id] }, actorOf(c), c.get("clientIp"));
    if (changed.length === 0) {
      throw new ApiError(
        409,
        "conflict",
        `Cannot set alert ${id} to ${body.state}: the same condition has an open alert again`,
        { field: "state" },
      );
    }
    return (await getAlert(tx, id))!;
  });
  return c.json(alert);
});

alertRoutes.post("/alerts/bulk", requireRole("operator"), async (c) => {
  const deps = c.get("deps");
  const body = await readBody(c, AlertBulk);
  const ids = [...new Set(body.ids)];
  const changed = await deps.db.transaction((tx) =>
    change(tx, { ...body, ids }, actorOf(c), c.get("clientIp"))
  );
  const done = new Set(changed);
  return c.json({ updated: changed, skipped: ids.filter((id) => !done.has(id)) });
});
