/**
 * `/health` (no sign-in: for load balancers and systemd watchdogs), `/stats/dashboard` and
 * `/capture/status` (interfaces, rates, drops by kind, dissector health, mode, imports).
 *
 * @module
 */

import { Hono } from "hono";
import { VERSION } from "../../../model/version.ts";
import { readDashboard } from "../../../storage/read/dashboard.ts";
import { requireRole } from "../../auth/middleware.ts";
import { openApiDocument } from "../openapi.ts";
import type { ApiEnv, PartHealth } from "../context.ts";

/** The status routes, mounted at `/api/v1`. */
export const statusRoutes = new Hono<ApiEnv>();

statusRoutes.get("/health", async (c) => {
  const deps = c.get("deps");
  let database: PartHealth;
  try {
    await deps.db.query("SELECT 1");
    database = { status: "ok", driver: deps.db.driver };
  } catch (error) {
    database = { status: "down", driver: deps.db.driver, detail: (error as Error).message };
  }
  const { capture, bus } = deps.health();
  const parts = [database, capture, bus];
  const status = database.status !== "ok"
    ? "down"
    : parts.some((part) => part.status === "degraded" || part.status === "down")
    ? "degraded"
    : "ok";
  return c.json({
    status,
    version: VERSION,
    uptime_s: Math.floor((Date.now() - deps.startedAt) / 1000),
    capture,
    database,
    bus,
  }, status === "down" ? 503 : 200);
});

statusRoutes.get(
  "/stats/dashboard",
  requireRole("viewer"),
  async (c) => c.json(await readDashboard(c.get("deps").db)),
);

statusRoutes.get(
  "/capture/status",
  requireRole("viewer"),
  (c) => c.json(c.get("deps").captureStatus()),
);

statusRoutes.get("/openapi.json", (c) => c.json(openApiDocument()));
