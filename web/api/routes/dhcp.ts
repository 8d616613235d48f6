/**
 * DHCP routes: leases heard, pools (subnets) inferred from them, address conflicts, every server
 * heard with the rogue ones marked, and reservation suggestions. Viewers and up; all read from the
 * database through `storage/read/dhcp*.ts`.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { listLeases } from "../../../storage/read/dhcp.ts";
import { CONFLICT_KINDS, listDhcpConflicts } from "../../../storage/read/dhcp_conflicts.ts";
import { listReservations } from "../../../storage/read/dhcp_reservations.ts";
import { listDhcpPools, listDhcpServers } from "../../../storage/read/dhcp_servers.ts";
import { requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { paging, parseQuery } from "../validate.ts";

/** Query of GET /dhcp/leases. */
export const LeaseQuery = z.object({
  ...paging,
  mac: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i, "must be a MAC address such as 00:1b:1b:23:eb:3b")
    .optional(),
  server: z.string().regex(/^(\d{1,3})(\.\d{1,3}){3}$/, "must be an IPv4 address").optional(),
}).strict();

/** Query of GET /dhcp/conflicts. */
export const ConflictQuery = z.object({ ...paging, kind: z.enum(CONFLICT_KINDS).optional() }).strict();

/** Query of GET /dhcp/reservations. */
export const ReservationQuery = z.object({ ...paging }).strict();

/** Query of the unpaged lists (none). */
export const NoQuery = z.object({}).strict();

/** The DHCP routes, mounted at `/api/v1`. */
export const dhcpRoutes = new Hono<ApiEnv>();

dhcpRoutes.get("/dhcp/leases", requireRole("viewer"), async (c) => {
  return c.json(await listLeases(c.get("deps").db, parseQuery(c, LeaseQuery)));
});

dhcpRoutes.get("/dhcp/pools", requireRole("viewer"), async (c) => {
  parseQuery(c, NoQuery);
  return c.json({ items: await listDhcpPools(c.get("deps").db) });
});

dhcpRoutes.get("/dhcp/servers", requireRole("viewer"), async (c) => {
  parseQuery(c, NoQuery);
  const deps = c.get("deps");
  return c.json({
    allowed: deps.allowedDhcpServers,
    items: await listDhcpServers(deps.db, deps.allowedDhcpServers),
  });
});

dhcpRoutes.get("/dhcp/conflicts", requireRole("viewer"), async (c) => {
  return c.json(await listDhcpConflicts(c.get("deps").db, parseQuery(c, ConflictQuery)));
});

dhcpRoutes.get("/dhcp/reservations", requireRole("viewer"), async (c) => {
  return c.json(await listReservations(c.get("deps").db, parseQuery(c, ReservationQuery)));
});
