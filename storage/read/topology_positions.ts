/**
 * Where users placed the nodes of the topology: one layout shared by every user, keyed by node id
 * (`d:12`, `subnet:10.0.0.0/24`…), returned in the nodes of `getTopology` as `x`, `y`.
 *
 * @module
 */

import type { Queryable } from "../database.ts";

/** A node's position. */
export interface NodePosition {
  id: string;
  x: number;
  y: number;
}

/** Saves positions (a node placed again moves); returns how many were saved. */
export async function savePositions(
  db: Queryable,
  positions: readonly NodePosition[],
  userId: string | null,
): Promise<number> {
  if (positions.length === 0) return 0;
  await db.query(
    `INSERT INTO topology_positions (node_id, x, y, updated_by)
     SELECT p.id, p.x, p.y, $4::uuid FROM unnest($1::text[], $2::float8[], $3::float8[]) AS p (id, x, y)
     ON CONFLICT (node_id) DO UPDATE SET x = EXCLUDED.x, y = EXCLUDED.y, updated_by = EXCLUDED.updated_by,
       updated_at = now()`,
    [positions.map((p) => p.id), positions.map((p) => p.x), positions.map((p) => p.y), userId],
  );
  return positions.length;
}
