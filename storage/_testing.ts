/**
 * Test helpers for storage: the same tests run on both drivers (a scratch database on the real
 * PostgreSQL server, PGlite in a temporary folder), and flush records made from capture files.
 *
 * The server is `DATABASE_URL`, else `postgres://postgres@127.0.0.1:5432/test`. Each test gets its
 * own scratch database (`ns_test_<time>_…`, dropped at the end; one left by a killed run is dropped an
 * hour later) so test files can run in parallel.
 *
 * @module
 */

import postgres from "postgres";
import type { Database } from "./database.ts";
import { PostgresDatabase } from "./postgres.ts";
import { PGLITE_LOCK_FILE, PgliteDatabase } from "./pglite.ts";
import { loadMigrations, migrate } from "./migrate.ts";
import { cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dissectFile } from "../dissectors/dissect_file.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { Requirement } from "../tests/requirements.ts";

/** The PostgreSQL server of the tests. */
export const TEST_DATABASE_URL: string = Deno.env.get("DATABASE_URL") ||
  "postgres://postgres@127.0.0.1:5432/test";

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function probe(): Promise<string | null> {
  const sql = postgres(TEST_DATABASE_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await sql.end({ timeout: 0 });
  }
}

const unreachable = await probe();

/**
 * The PostgreSQL server, as a test requirement: its tests are skipped when it is unreachable, except
 * under `CI=true`, where they run and fail with the reason (see `tests/requirements.ts`).
 */
export const POSTGRES: Requirement = new Requirement(
  "PostgreSQL",
  unreachable ? `PostgreSQL at ${TEST_DATABASE_URL} unreachable (${unreachable})` : undefined,
);

/** A database for one test: dispose of it at the end (drops the scratch database or folder). */
export interface ScratchDatabase {
  db: Database;
  /** Where another process finds it: the PostgreSQL URL, or the PGlite folder (open it only once `db` is closed). */
  location: { url: string } | { dataDir: string };
  /** Deletes every row (the schema stays, migrated). */
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

/** A driver the storage tests run on. */
export interface TestDriver {
  name: "postgres" | "pglite";
  /** Why the driver's tests are skipped, or null (never under CI). */
  skip: string | null;
  /** A fresh, migrated database. */
  open(): Promise<ScratchDatabase>;
}

/** Deletes every row of every table but schema_migrations (much faster than migrating again). */
async function emptied(db: Database): Promise<void> {
  const tables = await db.query<{ name: string }>(
    `SELECT quote_ident(c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND c.relname <> 'schema_migrations'`,
  );
  await db.transaction(async (tx) => {
    await tx.exec("SET CONSTRAINTS ALL DEFERRED");
    for (const { name } of tables) await tx.exec(`DELETE FROM ${name}`);
  });
}

/** Scratch databases are named ns_test_<creation time, s>_<random>. */
const SCRATCH_PATTERN = /^ns_test_(\d+)_[0-9a-f]+$/;

/** Drops scratch databases more than an hour old: left by a test run that was killed. */
async function dropStale(admin: postgres.Sql): Promise<void> {
  const rows = await admin.unsafe("SELECT datname FROM pg_database WHERE datname LIKE 'ns\\_test\\_%'");
  for (const { datname } of rows) {
    const created = SCRATCH_PATTERN.exec(datname)?.[1];
    if (created && Date.now() / 1000 - Number(created) > 3600) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  }
}

async function openPostgres(): Promise<ScratchDatabase> {
  POSTGRES.check();
  const random = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const name = `ns_test_${Math.floor(Date.now() / 1000)}_${random}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await dropStale(admin);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = withDatabase(TEST_DATABASE_URL, name);
  const db = await PostgresDatabase.connect(url);
  await migrate(db);
  return {
    db,
    location: { url },
    reset: () => emptied(db),
    async dispose() {
      await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/**
 * A migrated, empty PGlite folder, made once and shared by every test process: creating a PGlite
 * database costs seconds (an initdb), copying one costs milliseconds. It is keyed by the checksums
 * of the migrations, so a new migration makes a new template; a template is complete once renamed
 * into place, so test files starting together never see half of one.
 */
let template: Promise<string> | undefined;

async function migratedTemplate(): Promise<string> {
  const migrations = await loadMigrations();
  const key = migrations.map((migration) => migration.checksum.slice(0, 8)).join("").slice(-48);
  const path = join(tmpdir(), `netsentinel-pglite-template-${migrations.length}-${key}`);
  try {
    await Deno.stat(join(path, "PG_VERSION"));
    return path;
  } catch {
    // Not made yet: make it below.
  }
  const building = await Deno.makeTempDir({ prefix: "netsentinel-pglite-template-building-" });
  const db = await PgliteDatabase.open(building);
  await migrate(db);
  await db.close();
  await Deno.remove(join(building, PGLITE_LOCK_FILE)).catch(() => {});
  try {
    await Deno.rename(building, path);
  } catch {
    await Deno.remove(building, { recursive: true }); // another process made it first
  }
  return path;
}

/**
 * Fills `dataDir` (created if needed) with a migrated, empty embedded database, as the appliance
 * would make it on first start, in milliseconds: for tests that start a process on a fresh data folder.
 */
export async function seedPgliteDir(dataDir: string): Promise<void> {
  template ??= migratedTemplate();
  await cp(await template, dataDir, { recursive: true });
}

async function openPglite(): Promise<ScratchDatabase> {
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-pglite-" });
  await seedPgliteDir(dir);
  const db = await PgliteDatabase.open(dir);
  await migrate(db);
  return {
    db,
    location: { dataDir: dir },
    reset: () => emptied(db),
    async dispose() {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Both drivers: the storage tests are written once and run on each. */
export const DRIVERS: readonly TestDriver[] = [
  {
    name: "postgres",
    skip: POSTGRES.skip ? `skipped: ${POSTGRES.missing}` : null,
    open: openPostgres,
  },
  { name: "pglite", skip: null, open: openPglite },
];

/**
 * Registers `Deno.test("<name> [driver]")` for each driver; `body` receives a fresh migrated
 * database (call `reset()` between steps that need an empty one).
 */
export function testOnDrivers(
  name: string,
  body: (t: Deno.TestContext, scratch: ScratchDatabase) => Promise<void>,
): void {
  for (const driver of DRIVERS) {
    Deno.test({
      name: `${name} [${driver.name}]${driver.skip ? ` (${driver.skip})` : ""}`,
      ignore: driver.skip !== null,
      async fn(t) {
        const scratch = await driver.open();
        try {
          await body(t, scratch);
        } finally {
          await scratch.dispose();
        }
      },
    });
  }
}

/**
 * Dissects a capture file in process (built-in dissectors) and takes a flush record every
 * `packetsPerFlush` packets and at the end: what a sensor would send for that traffic.
 */
export function flushRecordsOf(path: string, packetsPerFlush = Infinity): Promise<FlushRecord[]> {
  return dissectFile(path, { packetsPerFlush, onDamage: "stop" });
}
