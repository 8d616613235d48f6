/**
 * Map routes: `/topology` (the logical graph, JSON or GraphML), `/topology/positions` (where users
 * placed nodes, one layout for everyone), `/topology/l2` (the physical topology from LLDP, CDP, STP
 * and PROFINET DCP) and `/topology/matrix` (flows between VLANs, subnets, zones or Purdue levels).
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { getL2Topology } from "../../../storage/read/l2_topology.ts";
import { getTopology, TOPOLOGY_LEVELS } from "../../../storage/read/topology.ts";
import { topologyGraphml } from "../../../storage/read/topology_graphml.ts";
import { getMatrix, MATRIX_GROUPINGS } from "../../../storage/read/topology_matrix.ts";
import { savePositions } from "../../../storage/read/topology_positions.ts";
import { principalOf, requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { parseQuery, queryInt, queryTime, readBody, text } from "../validate.ts";

/** `protocol`: an application or protocol name (`modbus`, `tcp`, `arp`) or an IP protocol number. */
export const protocolParam = z.union([
  queryInt(0, 255),
  text(64).pipe(z.string().regex(/^[a-z0-9._-]+$/i, "must be a protocol name or IP protocol number")),
]);

/** The filters the map routes share. */
const mapFilters = {
  vlan: queryInt(0, 4095).optional(),
  protocol: protocolParam.optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
};

const SUBNET = /^(subnet:)?([0-9.]{7,15}\/\d{1,2}|[0-9a-f:]{2,39}\/\d{1,3})$/i;

/** Query of GET /topology. */
export const TopologyQuery = z.object({
  level: z.enum(TOPOLOGY_LEVELS).default("device"),
  ...mapFilters,
  expand: text(64).pipe(z.string().regex(SUBNET, "must be a subnet node id (10.0.0.0/24)")).optional(),
  limit: queryInt(10, 5000).optional(),
  format: z.enum(["json", "graphml"]).default("json"),
}).strict();

/** Body of PUT /topology/positions. */
export const PositionsBody = z.object({
  positions: z.array(
    z.object({
      id: text(128).pipe(z.string().min(1)),
      x: z.number().finite().min(-1e7).max(1e7),
      y: z.number().finite().min(-1e7).max(1e7),
    }).strict(),
  ).max(5000),
}).strict();

/** Query of GET /topology/matrix. */
export const MatrixQuery = z.object({ by: z.enum(MATRIX_GROUPINGS).default("zone"), ...mapFilters }).strict();

/** The map routes, mounted at `/api/v1`. */
export const topologyRoutes = new Hono<ApiEnv>();

topologyRoutes.get("/topology", requireRole("viewer"), async (c) => {
  const { format, ...query } = parseQuery(c, TopologyQuery);
  const topology = await getTopology(c.get("deps").db, query);
  if (format === "graphml") {
    c.header("Content-Type", "application/graphml+xml; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="netsentinel-topology-${topology.level}.graphml"`);
    return c.body(topologyGraphml(topology));
  }
  return c.json(topology);
});

topologyRoutes.put("/topology/positions", requireRole("operator"), async (c) => {
  const body = await readBody(c, PositionsBody);
  const saved = await savePositions(c.get("deps").db, body.positions, principalOf(c).user.id);
  return c.json({ saved });
});

topologyRoutes.get("/topology/l2", requireRole("viewer"), async (c) => {
  parseQuery(c, z.object({}).strict());
  return c.json(await getL2Topology(c.get("deps").db));
});

topologyRoutes.get("/topology/matrix", requireRole("viewer"), async (c) => {
  return c.json(await getMatrix(c.get("deps").db, parseQuery(c, MatrixQuery)));
});
