/**
 * The communication matrix: rows are the groups flows come from, columns the groups they go to
 * (VLAN, subnet, zone or Purdue level, placed as in storage/read/topology.ts), each cell with its
 * flows, packets, bytes and protocols; and the conduits (IEC 62443): the cells between two
 * different zones, with the flows that skip a Purdue level marked.
 *
 * Only unicast flows count (a broadcast has no destination group); a cell on the diagonal is the
 * traffic inside one group.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { Conditions } from "./sql.ts";
import {
  endpointPairs,
  GROUP_DESTINATION_SQL,
  LEVEL_JOINS,
  OWNER_CTES,
  ownerJoins,
  PROTOCOL_SQL,
  purdueNodeOf,
  type Side,
  SKIPS_LEVELS_SQL,
  subnetNodeOf,
  vlanNodeOf,
  zoneNodeOf,
} from "./topology_sql.ts";

/** Groupings of the matrix. */
export const MATRIX_GROUPINGS = ["vlan", "subnet", "zone", "purdue"] as const;
/** A grouping of the matrix. */
export type MatrixGrouping = typeof MATRIX_GROUPINGS[number];

/** A cell: flows from `row` to `column`. */
export interface MatrixCell {
  row: string;
  column: string;
  flows: number;
  packets: number;
  bytes: number;
  protocols: string[];
  /** Flows of the cell that skip a Purdue level (IT or level 3+ straight to level 1 or 0). */
  skipping_flows: number;
  skips_levels: boolean;
  first_seen: string;
  last_seen: string;
}

/** The matrix: its row and column headers (the same groups) and the non-empty cells. */
export interface Matrix {
  by: MatrixGrouping;
  groups: string[];
  cells: MatrixCell[];
  totals: { flows: number; packets: number; bytes: number };
}

/** Filters of the matrix (as the topology's). */
export interface MatrixQuery {
  by: MatrixGrouping;
  vlan?: number;
  protocol?: string | number;
  from?: string;
  to?: string;
}

function groupOf(by: MatrixGrouping, side: Side): string {
  if (by === "vlan") return vlanNodeOf(side);
  if (by === "subnet") return subnetNodeOf(side);
  if (by === "zone") return zoneNodeOf(side);
  return purdueNodeOf(side);
}

/** The matrix's cells. */
export async function getMatrix(db: Queryable, query: MatrixQuery): Promise<Matrix> {
  const where = new Conditions();
  where.add(true, (p) => `(NOT ${GROUP_DESTINATION_SQL}) = ${p}`);
  if (query.vlan !== undefined) where.add(query.vlan, (p) => `f.vlan_id = ${p}`);
  if (typeof query.protocol === "number") where.add(query.protocol, (p) => `f.ip_protocol = ${p}`);
  else if (query.protocol) where.add(query.protocol, (p) => `${PROTOCOL_SQL} = ${p}`);
  if (query.from) where.add(query.from, (p) => `f.last_seen >= ${p}::timestamptz`);
  if (query.to) where.add(query.to, (p) => `f.first_seen <= ${p}::timestamptz`);
  const cells = await db.query<MatrixCell>(
    `WITH ${OWNER_CTES},
     placed AS (
       SELECT ${groupOf(query.by, "src")} AS row, ${
      groupOf(query.by, "dst")
    } AS col, f.packet_count, f.byte_count, f.flow_count,
         f.first_seen, f.last_seen, f.protocol, ${SKIPS_LEVELS_SQL} AS skips
       FROM ${endpointPairs(where.where())} ${ownerJoins("src")} ${ownerJoins("dst")} ${LEVEL_JOINS})
     SELECT row, col AS "column", sum(flow_count)::float8 AS flows, sum(packet_count)::float8 AS packets,
       sum(byte_count)::float8 AS bytes, array_agg(DISTINCT protocol ORDER BY protocol) AS protocols,
       COALESCE(sum(flow_count) FILTER (WHERE skips), 0)::float8 AS skipping_flows, bool_or(COALESCE(skips, false)) AS skips_levels,
       to_char(min(first_seen) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS first_seen,
       to_char(max(last_seen) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_seen
     FROM placed WHERE row IS NOT NULL AND col IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    where.params,
  );
  const groups = [...new Set(cells.flatMap((cell) => [cell.row, cell.column]))].sort();
  const totals = { flows: 0, packets: 0, bytes: 0 };
  for (const cell of cells) {
    totals.flows += cell.flows;
    totals.packets += cell.packets;
    totals.bytes += cell.bytes;
  }
  return { by: query.by, groups, cells, totals };
}
