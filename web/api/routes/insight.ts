/**
 * Read-only views over the inventory: a device's flows and events, traffic per protocol, top
 * talkers, OT assets. Viewers and up (DHCP: routes/dhcp.ts).
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { listOtAssets } from "../../../storage/read/devices.ts";
import { listEvents, SEVERITIES } from "../../../storage/read/events.ts";
import { listFlows } from "../../../storage/read/flows.ts";
import { readBandwidth } from "../../../storage/read/bandwidth.ts";
import { readProtocols, readTopTalkers } from "../../../storage/read/stats.ts";
import { requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { paging, parseQuery, pathId, queryInt, queryTime, text } from "../validate.ts";

/** Query of GET /stats/protocols and /stats/top-talkers. */
export const Limit = z.object({ limit: queryInt(1, 100).default("10") }).strict();
/** Query of GET /devices/{id}/flows. */
export const DeviceFlows = z.object({ ...paging, from: queryTime.optional(), to: queryTime.optional() })
  .strict();
/** Query of GET /devices/{id}/events. */
export const DeviceEvents = z.object({
  ...paging,
  min_severity: z.enum(SEVERITIES).optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
}).strict();
/** Query of GET /ot/assets. */
export const OtQuery = z.object({ ...paging, q: text(128).optional(), ot_role: text(32).optional() })
  .strict();

/** Query of GET /stats/bandwidth and /devices/{id}/bandwidth: a range (default the last 24 h) and a number of points. */
export const BandwidthRange = z.object({
  from: queryTime.optional(),
  to: queryTime.optional(),
  points: queryInt(1, 2000).default("300"),
}).strict();

/** The longest range a series may cover. */
const MAX_RANGE_MS = 400 * 86_400_000;

function rangeOf(query: z.output<typeof BandwidthRange>): { from: string; to: string; points: number } {
  const to = query.to ?? new Date().toISOString();
  const from = query.from ?? new Date(Date.parse(to) - 86_400_000).toISOString();
  if (Date.parse(from) >= Date.parse(to)) {
    throw new ApiError(400, "invalid", 'Cannot accept query parameter "from": must be before "to"', {
      field: "from",
    });
  }
  if (Date.parse(to) - Date.parse(from) > MAX_RANGE_MS) {
    throw new ApiError(
      400,
      "invalid",
      'Cannot accept query parameter "from": the range is longer than 400 days',
      {
        field: "from",
      },
    );
  }
  return { from, to, points: query.points };
}

async function existingDevice(c: Parameters<typeof pathId>[0]): Promise<number> {
  const id = pathId(c);
  const rows = await c.get("deps").db.query("SELECT 1 FROM devices WHERE id = $1", [id]);
  if (rows.length === 0) throw notFound(`device ${id}`);
  return id;
}

/** The insight routes, mounted at `/api/v1`. */
export const insightRoutes = new Hono<ApiEnv>();

insightRoutes.get("/devices/:id/flows", requireRole("viewer"), async (c) => {
  const query = parseQuery(c, DeviceFlows);
  return c.json(await listFlows(c.get("deps").db, { ...query, device: await existingDevice(c) }));
});

insightRoutes.get("/devices/:id/events", requireRole("viewer"), async (c) => {
  const query = parseQuery(c, DeviceEvents);
  return c.json(await listEvents(c.get("deps").db, { ...query, device: await existingDevice(c) }));
});

insightRoutes.get("/stats/protocols", requireRole("viewer"), async (c) => {
  const { limit } = parseQuery(c, Limit);
  return c.json({ items: await readProtocols(c.get("deps").db, limit) });
});

insightRoutes.get("/stats/top-talkers", requireRole("viewer"), async (c) => {
  const { limit } = parseQuery(c, Limit);
  return c.json({ items: await readTopTalkers(c.get("deps").db, limit) });
});

insightRoutes.get("/ot/assets", requireRole("viewer"), async (c) => {
  return c.json(await listOtAssets(c.get("deps").db, { ...parseQuery(c, OtQuery), sort: "-bytes" }));
});

insightRoutes.get("/stats/bandwidth", requireRole("viewer"), async (c) => {
  return c.json(await readBandwidth(c.get("deps").db, rangeOf(parseQuery(c, BandwidthRange))));
});

insightRoutes.get("/devices/:id/bandwidth", requireRole("viewer"), async (c) => {
  const range = rangeOf(parseQuery(c, BandwidthRange));
  return c.json(await readBandwidth(c.get("deps").db, { ...range, deviceId: await existingDevice(c) }));
});
