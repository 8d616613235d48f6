/**
 * Snapshot routes: `/snapshots` (take one now, operator; list them) and
 * `/snapshots/{a}/diff/{b}` (devices added, removed and changed, paths added and removed; JSON or
 * CSV).
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../../../storage/accounts/audit.ts";
import {
  diffSnapshots,
  listSnapshots,
  snapshotDiffCsv,
  takeSnapshot,
} from "../../../storage/read/snapshots.ts";
import { principalOf, requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseQuery, pathId } from "../validate.ts";

/** Query of GET /snapshots/{a}/diff/{b}. */
export const DiffQuery = z.object({ format: z.enum(["json", "csv"]).default("json") }).strict();

/** The snapshot routes, mounted at `/api/v1`. */
export const snapshotRoutes = new Hono<ApiEnv>();

snapshotRoutes.get("/snapshots", requireRole("viewer"), async (c) => {
  parseQuery(c, z.object({}).strict());
  return c.json({ items: await listSnapshots(c.get("deps").db) });
});

snapshotRoutes.post("/snapshots", requireRole("operator"), async (c) => {
  const deps = c.get("deps");
  const actor = principalOf(c).user;
  const snapshot = await deps.db.transaction(async (tx) => {
    const snapshot = await takeSnapshot(tx, "manual", actor.username);
    await recordAudit(tx, {
      actor,
      action: "snapshot.create",
      target: `snapshot:${snapshot.id}`,
      after: { devices: snapshot.devices, paths: snapshot.paths },
      ip: c.get("clientIp"),
    });
    return snapshot;
  });
  return c.json(snapshot, 201);
});

snapshotRoutes.get("/snapshots/:a/diff/:b", requireRole("viewer"), async (c) => {
  const from = pathId(c, "a");
  const to = pathId(c, "b");
  const { format } = parseQuery(c, DiffQuery);
  const diff = await diffSnapshots(c.get("deps").db, from, to);
  if ("missing" in diff) throw notFound(`snapshot ${diff.missing}`);
  if (format === "csv") {
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="netsentinel-snapshots-${from}-${to}.csv"`);
    return c.body(snapshotDiffCsv(diff));
  }
  return c.json(diff);
});
