/**
 * Zone routes: `/zones` (the named zones and the default ones; admins create, change and delete
 * named zones, audited) and `/zones/conduits` (the flows between zones with their protocols, and
 * those that skip a Purdue level).
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../../../storage/accounts/audit.ts";
import { getMatrix } from "../../../storage/read/topology_matrix.ts";
import {
  createZone,
  defaultZones,
  deleteZone,
  getZone,
  listZones,
  updateZone,
  type Zone,
  zoneNameTaken,
} from "../../../storage/read/zones.ts";
import { principalOf, requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { parseQuery, pathId, queryInt, queryTime, readBody, text } from "../validate.ts";
import { protocolParam } from "./topology.ts";

function isAddress(value: string): boolean {
  try {
    new URL(`http://${value.includes(":") ? `[${value}]` : value}/`);
    return /^[0-9a-f:.]+$/i.test(value);
  } catch {
    return false;
  }
}

/** A subnet in CIDR notation (`10.1.2.0/24`, `fd00::/64`); host bits are dropped. */
const subnet = z.string().max(49).refine((value) => {
  const [address, prefix, extra] = value.split("/");
  if (extra !== undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix) || !isAddress(address)) {
    return false;
  }
  const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
  return Number(prefix) <= (v4 ? 32 : 128) && (v4 || address.includes(":"));
}, "must be a subnet in CIDR notation (10.1.2.0/24)");

const zoneFields = {
  description: text(2000).nullable().optional(),
  vlan_id: z.number().int().min(0).max(4095).nullable().optional(),
  subnet: subnet.nullable().optional(),
  purdue_level: z.number().int().min(0).max(5).nullable().optional(),
};

const name = text(64).pipe(z.string().trim().min(1, "must not be empty"));

/** Body of POST /zones. */
export const NewZoneBody = z.object({ name, ...zoneFields }).strict().refine(
  (body) => (body.vlan_id ?? null) !== null || (body.subnet ?? null) !== null,
  { message: "must give a vlan_id or a subnet", path: ["vlan_id"] },
);

/** Body of PATCH /zones/{id}. */
export const ZonePatchBody = z.object({ name: name.optional(), ...zoneFields }).strict().refine(
  (body) => Object.keys(body).length > 0,
  "must change at least one field",
);

/** Query of GET /zones/conduits. */
export const ConduitQuery = z.object({
  vlan: queryInt(0, 4095).optional(),
  protocol: protocolParam.optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
}).strict();

function shown(zone: Zone) {
  const { id: _id, node_id: _node, created_at: _created, updated_at: _updated, ...fields } = zone;
  return fields;
}

/** The zone routes, mounted at `/api/v1`. */
export const zoneRoutes = new Hono<ApiEnv>();

zoneRoutes.get("/zones", requireRole("viewer"), async (c) => {
  parseQuery(c, z.object({}).strict());
  const db = c.get("deps").db;
  const [items, defaults] = await Promise.all([listZones(db), defaultZones(db)]);
  return c.json({ items, defaults });
});

zoneRoutes.get("/zones/conduits", requireRole("viewer"), async (c) => {
  const query = parseQuery(c, ConduitQuery);
  const db = c.get("deps").db;
  const [matrix, zones] = await Promise.all([getMatrix(db, { ...query, by: "zone" }), listZones(db)]);
  const names = new Map(zones.map((zone) => [zone.node_id, zone.name]));
  const items = matrix.cells.filter((cell) => cell.row !== cell.column).map(({ row, column, ...cell }) => ({
    source: row,
    target: column,
    source_name: names.get(row) ?? null,
    target_name: names.get(column) ?? null,
    ...cell,
  }));
  return c.json({ items });
});

zoneRoutes.post("/zones", requireRole("admin"), async (c) => {
  const deps = c.get("deps");
  const body = await readBody(c, NewZoneBody);
  const zone = await deps.db.transaction(async (tx) => {
    if (await zoneNameTaken(tx, body.name)) {
      throw new ApiError(409, "conflict", `Cannot create zone "${body.name}": the name is taken`, {
        field: "name",
      });
    }
    const zone = await createZone(tx, body);
    await recordAudit(tx, {
      actor: principalOf(c).user,
      action: "zone.create",
      target: zone.node_id,
      after: shown(zone),
      ip: c.get("clientIp"),
    });
    return zone;
  });
  return c.json(zone, 201);
});

zoneRoutes.get("/zones/:id", requireRole("viewer"), async (c) => {
  const zone = await getZone(c.get("deps").db, pathId(c));
  if (!zone) throw notFound(`zone ${c.req.param("id")}`);
  return c.json(zone);
});

zoneRoutes.patch("/zones/:id", requireRole("admin"), async (c) => {
  const deps = c.get("deps");
  const id = pathId(c);
  const body = await readBody(c, ZonePatchBody);
  const zone = await deps.db.transaction(async (tx) => {
    const before = await getZone(tx, id);
    if (!before) throw notFound(`zone ${id}`);
    if (body.name !== undefined && await zoneNameTaken(tx, body.name, id)) {
      throw new ApiError(409, "conflict", `Cannot rename zone ${id} to "${body.name}": the name is taken`, {
        field: "name",
      });
    }
    const vlan = body.vlan_id === undefined ? before.vlan_id : body.vlan_id;
    const net = body.subnet === undefined ? before.subnet : body.subnet;
    if (vlan === null && net === null) {
      throw new ApiError(400, "invalid", "Cannot change the zone: it must keep a vlan_id or a subnet", {
        field: "vlan_id",
      });
    }
    const after = (await updateZone(tx, id, body))!;
    await recordAudit(tx, {
      actor: principalOf(c).user,
      action: "zone.update",
      target: after.node_id,
      before: shown(before),
      after: shown(after),
      ip: c.get("clientIp"),
    });
    return after;
  });
  return c.json(zone);
});

zoneRoutes.delete("/zones/:id", requireRole("admin"), async (c) => {
  const deps = c.get("deps");
  const id = pathId(c);
  await deps.db.transaction(async (tx) => {
    const before = await deleteZone(tx, id);
    if (!before) throw notFound(`zone ${id}`);
    await recordAudit(tx, {
      actor: principalOf(c).user,
      action: "zone.delete",
      target: before.node_id,
      before: shown(before),
      ip: c.get("clientIp"),
    });
  });
  return c.body(null, 204);
});
