/**
 * Schema migrations: `migrations/NNN_name.sql`, applied in order, each in its own transaction, and
 * recorded in `schema_migrations` (version, name, SHA-256 checksum, applied_at).
 *
 * Running it again is a no-op. It refuses a database that has applied migrations this code does not
 * know (a newer NetSentinel wrote it), whose recorded checksum differs from the file (someone edited
 * an applied migration), or that lacks a migration older than one it has. A transaction-level
 * advisory lock serialises concurrent runs (two aggregators starting together).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database, Queryable } from "./database.ts";
import { StorageError } from "./errors.ts";

/** The migrations folder shipped with this code. */
export const MIGRATIONS_DIR: string = fileURLToPath(new URL("../migrations/", import.meta.url));

/** Advisory lock key of migration runs ("NSMI"). */
const LOCK_KEY = 0x4e534d49;

/** One migration file. */
export interface Migration {
  version: number;
  /** File name without `NNN_` and `.sql`, e.g. `inventory`. */
  name: string;
  /** File name, e.g. `001_inventory.sql`. */
  file: string;
  sql: string;
  /** SHA-256 of the file, hex. */
  checksum: string;
}

/** A migration recorded in the database. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

/** Where a database stands against the migrations of this code. */
export interface MigrationStatus {
  applied: AppliedMigration[];
  /** Migrations of this code not applied yet, in order. */
  pending: Migration[];
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Reads the migration files of `dir`, sorted by version.
 *
 * @throws {StorageError} kind `migration` when a `.sql` file is not named `NNN_name.sql` or two share a version
 */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".sql")) continue;
    const match = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(entry.name);
    if (!match) {
      throw new StorageError(
        "migration",
        `Cannot load migrations from ${dir}: "${entry.name}" is not named NNN_name.sql (e.g. 004_alerts.sql)`,
      );
    }
    const sql = await Deno.readTextFile(join(dir, entry.name));
    migrations.push({
      version: Number(match[1]),
      name: match[2],
      file: entry.name,
      sql,
      checksum: await sha256(sql),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new StorageError(
        "migration",
        `Cannot load migrations from ${dir}: "${migrations[i - 1].file}" and "${
          migrations[i].file
        }" have the same version`,
      );
    }
  }
  return migrations;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function readApplied(tx: Queryable): Promise<AppliedMigration[]> {
  const exists = await tx.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!exists[0].present) return [];
  return await tx.query<AppliedMigration>(
    `SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS applied_at
       FROM schema_migrations ORDER BY version`,
  );
}

/** Compares what the database applied with the files; throws on anything but pending migrations. */
function check(location: string, applied: AppliedMigration[], migrations: Migration[]): Migration[] {
  const known = new Map(migrations.map((migration) => [migration.version, migration]));
  const unknown = applied.filter((row) => !known.has(row.version));
  if (unknown.length > 0) {
    const list = unknown.map((row) =>
      `${String(row.version).padStart(3, "0")}_${row.name} (applied ${row.applied_at})`
    );
    throw new StorageError(
      "migration",
      `Cannot migrate ${location}: it has migrations this version of NetSentinel does not know: ${
        list.join(", ")
      }; run the NetSentinel that applied them, or restore a backup`,
    );
  }
  for (const row of applied) {
    const file = known.get(row.version)!;
    if (file.checksum !== row.checksum || file.name !== row.name) {
      throw new StorageError(
        "migration",
        `Cannot migrate ${location}: migration ${file.file} was changed after it was applied (recorded ${
          String(row.version).padStart(3, "0")
        }_${row.name} checksum ${row.checksum.slice(0, 12)}, file checksum ${file.checksum.slice(0, 12)})`,
      );
    }
  }
  const done = new Set(applied.map((row) => row.version));
  const pending = migrations.filter((migration) => !done.has(migration.version));
  const latest = applied.length > 0 ? applied[applied.length - 1].version : 0;
  const late = pending.find((migration) => migration.version < latest);
  if (late) {
    throw new StorageError(
      "migration",
      `Cannot migrate ${location}: migration ${late.file} is missing but later migration ${latest} is applied`,
    );
  }
  return pending;
}

/**
 * Where `db` stands: applied migrations and the pending ones.
 *
 * @throws {StorageError} kind `migration` on unknown or changed migrations
 */
export async function migrationStatus(
  db: Database,
  migrations?: Migration[],
): Promise<MigrationStatus> {
  const files = migrations ?? await loadMigrations();
  const applied = await readApplied(db);
  return { applied, pending: check(db.location, applied, files) };
}

/**
 * Applies the pending migrations in order, each in its own transaction.
 *
 * @param db the database
 * @param migrations the migrations (default: the files of {@linkcode MIGRATIONS_DIR})
 * @returns the migrations applied by this call (empty when the database was up to date)
 * @throws {StorageError} kind `migration` on unknown, changed or missing migrations, or when one fails
 */
export async function migrate(db: Database, migrations?: Migration[]): Promise<Migration[]> {
  const files = migrations ?? await loadMigrations();
  const done: Migration[] = [];
  for (;;) {
    const next = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [LOCK_KEY]);
      await tx.exec(CREATE_TABLE);
      const pending = check(db.location, await readApplied(tx), files);
      const migration = pending[0];
      if (!migration) return null;
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        const cause = error instanceof StorageError && error.cause instanceof Error ? error.cause : error;
        throw new StorageError(
          "migration",
          `Cannot apply migration ${migration.file} to ${db.location}: ${(cause as Error).message}`,
          { cause: error },
        );
      }
      await tx.query(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
        [migration.version, migration.name, migration.checksum],
      );
      return migration;
    });
    if (!next) return done;
    done.push(next);
  }
}
