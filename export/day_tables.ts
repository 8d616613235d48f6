/**
 * Reads one day of the stored inventory as the plaintext tables of the export, one per entity.
 *
 * @module
 */

import type { Queryable } from "../storage/database.ts";
import { dayBounds, EXPORT_ENTITIES, type ExportEntity, readEntity } from "./entities.ts";
import { encodeRows, type ExportFormat } from "./encode.ts";
import type { PlainObject } from "./objects.ts";

/** The column names of an entity, read from a row of NULLs when the day has no row. */
async function columnsOf(db: Queryable, entity: ExportEntity, day: string): Promise<string[]> {
  const rows = await db.query(
    `SELECT q.* FROM (SELECT 1) AS one LEFT JOIN (${entity.sql}) AS q ON true LIMIT 1`,
    dayBounds(day),
  );
  return Object.keys(rows[0] ?? {});
}

/** The plaintext tables of `day`, one per entity of {@linkcode EXPORT_ENTITIES}. */
export async function readDayTables(
  db: Queryable,
  day: string,
  format: ExportFormat,
): Promise<PlainObject[]> {
  const tables: PlainObject[] = [];
  for (const entity of EXPORT_ENTITIES) {
    const rows = await readEntity(db, entity, day);
    const columns = rows.length > 0
      ? Object.keys(rows[0])
      : format === "csv"
      ? await columnsOf(db, entity, day)
      : [];
    tables.push({
      day,
      entity: entity.name,
      format,
      rows: rows.length,
      bytes: encodeRows(rows, format, columns),
    });
  }
  return tables;
}
