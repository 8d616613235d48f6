/**
 * Zones (IEC 62443) an admin named: a VLAN, a subnet, or both, with an optional Purdue level; and
 * the default zones the inventory gives where no named zone claims an address (its VLAN when it was
 * learnt on a tagged VLAN, else its /24 or /64 subnet). Conduits are in storage/read/topology_matrix.ts.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { iso, num } from "./sql.ts";

/** A named zone. */
export interface Zone {
  id: number;
  /** Its node id in the topology and the matrix (`zone:<id>`). */
  node_id: string;
  name: string;
  description: string | null;
  vlan_id: number | null;
  subnet: string | null;
  purdue_level: number | null;
  created_at: string;
  updated_at: string;
}

/** What a zone is made of (absent: unchanged; null: cleared). */
export interface ZoneFields {
  name?: string;
  description?: string | null;
  vlan_id?: number | null;
  subnet?: string | null;
  purdue_level?: number | null;
}

const COLUMNS = `${
  num("id", "id")
}, 'zone:' || id AS node_id, name, description, vlan_id, host(subnet) || '/' ||
  masklen(subnet) AS subnet, purdue_level, ${iso("created_at", "created_at")}, ${
  iso("updated_at", "updated_at")
}`;

/** Named zones, by name. */
export async function listZones(db: Queryable): Promise<Zone[]> {
  return await db.query<Zone>(`SELECT ${COLUMNS} FROM zones ORDER BY name, id`);
}

/** One named zone, or null. */
export async function getZone(db: Queryable, id: number): Promise<Zone | null> {
  return (await db.query<Zone>(`SELECT ${COLUMNS} FROM zones WHERE id = $1`, [id]))[0] ?? null;
}

/** Is there another zone of this name? */
export async function zoneNameTaken(db: Queryable, name: string, except?: number): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM zones WHERE name = $1 AND id IS DISTINCT FROM $2", [
    name,
    except ?? null,
  ]);
  return rows.length > 0;
}

/** Creates a zone (the subnet is reduced to its network address). */
export async function createZone(db: Queryable, fields: ZoneFields & { name: string }): Promise<Zone> {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO zones (name, description, vlan_id, subnet, purdue_level)
     VALUES ($1, $2, $3, network($4::inet)::cidr, $5) RETURNING id::float8 AS id`,
    [
      fields.name,
      fields.description ?? null,
      fields.vlan_id ?? null,
      fields.subnet ?? null,
      fields.purdue_level ?? null,
    ],
  );
  return (await getZone(db, row.id))!;
}

/** Changes a zone; null when it does not exist. */
export async function updateZone(db: Queryable, id: number, fields: ZoneFields): Promise<Zone | null> {
  const sets: string[] = ["updated_at = now()"];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown, cast = "") => {
    params.push(value);
    sets.push(`${column} = ${cast ? cast.replace("?", `$${params.length}`) : `$${params.length}`}`);
  };
  if (fields.name !== undefined) set("name", fields.name);
  if (fields.description !== undefined) set("description", fields.description);
  if (fields.vlan_id !== undefined) set("vlan_id", fields.vlan_id);
  if (fields.subnet !== undefined) set("subnet", fields.subnet, "network(?::inet)::cidr");
  if (fields.purdue_level !== undefined) set("purdue_level", fields.purdue_level);
  const rows = await db.query(`UPDATE zones SET ${sets.join(", ")} WHERE id = $1 RETURNING id`, params);
  return rows.length === 0 ? null : await getZone(db, id);
}

/** Deletes a zone; returns it, or null when it did not exist. */
export async function deleteZone(db: Queryable, id: number): Promise<Zone | null> {
  const zone = await getZone(db, id);
  if (zone) await db.query("DELETE FROM zones WHERE id = $1", [id]);
  return zone;
}

/** A default zone: a VLAN or subnet of the inventory no named zone claims, with its device count. */
export interface DefaultZone {
  node_id: string;
  devices: number;
}

/** The default zones of the inventory's own addresses. */
export async function defaultZones(db: Queryable): Promise<DefaultZone[]> {
  return await db.query<DefaultZone>(
    `SELECT CASE WHEN i.vlan_id IS NOT NULL THEN 'vlan:' || i.vlan_id
       ELSE 'subnet:' || network(set_masklen(i.ip_address, CASE family(i.ip_address) WHEN 4 THEN 24 ELSE 64 END))
       END AS node_id, count(DISTINCT i.device_id)::int AS devices
     FROM device_ips i WHERE cardinality(i.learnt_from) > 0 AND NOT EXISTS (
       SELECT 1 FROM zones z WHERE (z.vlan_id IS NULL OR z.vlan_id = i.vlan_id)
         AND (z.subnet IS NULL OR i.ip_address <<= z.subnet))
     GROUP BY 1 ORDER BY 1`,
  );
}
