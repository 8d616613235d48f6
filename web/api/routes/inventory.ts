/**
 * Inventory routes: `/devices` (paged list with filters, one device by id or MAC, the user's
 * changes, audited), `/flows` (paged, filtered; one flow) and `/events`. Everything is read from
 * the database through `storage/read/`.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../../../storage/accounts/audit.ts";
import { type DeviceChanges, getDevice, updateDevice } from "../../../storage/read/device_detail.ts";
import { DEVICE_SORTS, listDevices } from "../../../storage/read/devices.ts";
import { FLOW_SORTS, getFlow, listFlows } from "../../../storage/read/flows.ts";
import { listEvents, SEVERITIES } from "../../../storage/read/events.ts";
import { principalOf, requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { paging, parseQuery, pathId, queryBool, queryInt, queryTime, readBody, text } from "../validate.ts";

/** Device types a user may set (those identification gives, aggregator/identify/classify.ts). */
export const DEVICE_TYPES = [
  "router",
  "switch",
  "firewall",
  "server",
  "workstation",
  "laptop",
  "phone",
  "printer",
  "camera",
  "iot",
  "plc",
  "rtu",
  "ied",
  "io_device",
  "hmi",
  "engineering_workstation",
  "historian",
  "unknown",
] as const;

function sortOf(keys: Record<string, string>) {
  const allowed = Object.keys(keys).flatMap((key) => [key, `-${key}`]);
  return z.string().refine((value) => allowed.includes(value), `must be one of ${allowed.join(", ")}`);
}

/** Query of GET /devices. */
export const DeviceQuery = z.object({
  ...paging,
  q: text(128).optional(),
  vlan: queryInt(0, 4095).optional(),
  type: text(50).optional(),
  vendor: text(128).optional(),
  ot_role: text(32).optional(),
  active: queryBool.optional(),
  flagged: queryBool.optional(),
  sort: sortOf(DEVICE_SORTS).optional(),
}).strict();

/** Body of PATCH /devices/{id}. */
export const DevicePatch = z.object({
  device_name: text(255).nullable().optional(),
  device_type: z.enum(DEVICE_TYPES).nullable().optional(),
  notes: text(10_000).nullable().optional(),
  is_flagged: z.boolean().optional(),
}).strict().refine((body) => Object.keys(body).length > 0, "must change at least one field");

const ipText = z.string().max(45).regex(/^[0-9a-fA-F:.]+$/, "must be an IP address").refine((value) => {
  try {
    new URL(`http://${value.includes(":") ? `[${value}]` : value}/`);
    return true;
  } catch {
    return false;
  }
}, "must be an IP address");

/** Query of GET /flows. */
export const FlowQuery = z.object({
  ...paging,
  device: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  ip: ipText.optional(),
  port: queryInt(0, 65535).optional(),
  protocol: z.union([
    queryInt(0, 255),
    text(64).pipe(z.string().regex(/^[a-z0-9._-]+$/i, "must be an application name or IP protocol number")),
  ]).optional(),
  vlan: queryInt(0, 4095).optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
  sort: sortOf(FLOW_SORTS).optional(),
}).strict();

/** Query of GET /events. */
export const EventQuery = z.object({
  ...paging,
  type: text(128).optional(),
  min_severity: z.enum(SEVERITIES).optional(),
  device: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
}).strict();

const MAC = /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i;

/** The inventory routes, mounted at `/api/v1`. */
export const inventoryRoutes = new Hono<ApiEnv>();

inventoryRoutes.get("/devices", requireRole("viewer"), async (c) => {
  return c.json(await listDevices(c.get("deps").db, parseQuery(c, DeviceQuery)));
});

inventoryRoutes.get("/devices/:key", requireRole("viewer"), async (c) => {
  const key = c.req.param("key");
  let lookup: string | number;
  if (MAC.test(key)) lookup = key.replaceAll("-", ":").toLowerCase();
  else if (/^\d{1,16}$/.test(key) && Number.isSafeInteger(Number(key)) && Number(key) > 0) {
    lookup = Number(key);
  } else {throw new ApiError(
      400,
      "invalid",
      `Cannot accept path parameter "key": must be a device id or a MAC address`,
      { field: "key" },
    );}
  const device = await getDevice(c.get("deps").db, lookup);
  if (!device) throw notFound(`device ${key}`);
  return c.json(device);
});

inventoryRoutes.patch("/devices/:id", requireRole("operator"), async (c) => {
  const deps = c.get("deps");
  const id = pathId(c);
  const body = await readBody(c, DevicePatch);
  const changes: DeviceChanges = {
    device_name: body.device_name,
    device_type: body.device_type,
    device_notes: body.notes,
    is_flagged: body.is_flagged,
  };
  const device = await deps.db.transaction(async (tx) => {
    const before = await getDevice(tx, id);
    if (!before) throw notFound(`device ${id}`);
    await updateDevice(tx, id, changes);
    const after = (await getDevice(tx, id))!;
    const pick = (d: typeof before) => ({
      device_name: d.device_name,
      device_type: d.device_type_override,
      notes: d.device_notes,
      is_flagged: d.is_flagged,
    });
    await recordAudit(tx, {
      actor: principalOf(c).user,
      action: "device.update",
      target: `device:${id}`,
      before: pick(before),
      after: pick(after),
      details: { mac_address: before.mac_address },
      ip: c.get("clientIp"),
    });
    return after;
  });
  return c.json(device);
});

inventoryRoutes.get("/flows", requireRole("viewer"), async (c) => {
  return c.json(await listFlows(c.get("deps").db, parseQuery(c, FlowQuery)));
});

inventoryRoutes.get("/flows/:id", requireRole("viewer"), async (c) => {
  const flow = await getFlow(c.get("deps").db, pathId(c));
  if (!flow) throw notFound(`flow ${c.req.param("id")}`);
  return c.json(flow);
});

inventoryRoutes.get("/events", requireRole("viewer"), async (c) => {
  return c.json(await listEvents(c.get("deps").db, parseQuery(c, EventQuery)));
});
