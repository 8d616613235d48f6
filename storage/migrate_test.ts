import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { testOnDrivers } from "./_testing.ts";
import { loadMigrations, migrate, migrationStatus } from "./migrate.ts";
import { StorageError } from "./errors.ts";
import type { Database } from "./database.ts";

const FILES = [
  "001_inventory.sql",
  "002_time_series.sql",
  "003_supervision.sql",
  "004_identification.sql",
  "005_concurrent_partitions.sql",
  "010_accounts.sql",
  "011_rollups.sql",
  "012_flow_totals.sql",
  "013_hot_flow_updates.sql",
  "014_topology.sql",
  "015_alerts.sql",
  "016_totp_replay.sql",
];

/** The migrations of the first released appliance: a database it made must upgrade in place. */
const FIRST_RELEASE = [1, 2, 3, 4, 5, 10];

const TABLES = [
  "alerts",
  "api_tokens",
  "audit_log",
  "config_settings",
  "device_activity",
  "device_ips",
  "device_vlans",
  "devices",
  "dhcp_leases",
  "flow_application_totals",
  "identity_attributes",
  "ingested_batches",
  "inventory_snapshots",
  "protocol_events",
  "rollup_pending",
  "schema_migrations",
  "sensor_boots",
  "sensors",
  "sessions",
  "topology_positions",
  "traffic_flows",
  "traffic_metrics",
  "traffic_metrics_1h",
  "traffic_metrics_5m",
  "users",
  "vlans",
  "zones",
];

function isMigrationError(pattern: RegExp) {
  return (error: unknown) => {
    strictEqual(error instanceof StorageError, true, String(error));
    strictEqual((error as StorageError).kind, "migration");
    strictEqual(pattern.test((error as Error).message), true, (error as Error).message);
    return true;
  };
}

async function empty(db: Database): Promise<void> {
  await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
}

testOnDrivers("migrate()", async (t, { db }) => {
  await t.step("from empty, then again: a no-op", async () => {
    await empty(db);
    deepStrictEqual((await migrate(db)).map((m) => m.file), FILES);
    const tables = await db.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname`,
    );
    deepStrictEqual(tables.map((row) => row.name), TABLES);
    deepStrictEqual(await migrate(db), []);
    const status = await migrationStatus(db);
    deepStrictEqual(status.applied.map((row) => row.version), [1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16]);
    deepStrictEqual(status.pending, []);
    const users = await db.query("SELECT * FROM users");
    strictEqual(users.length, 0, "no default admin (the spec's changeme password)");
    const partitioned = await db.query<{ name: string }>(
      "SELECT partrelid::regclass::text AS name FROM pg_partitioned_table ORDER BY 1",
    );
    deepStrictEqual(partitioned.map((row) => row.name), [
      "protocol_events",
      "traffic_metrics",
      "traffic_metrics_1h",
      "traffic_metrics_5m",
    ]);
  });

  await t.step("applies only what is new, and serialises concurrent runs", async () => {
    await empty(db);
    const all = await loadMigrations();
    deepStrictEqual((await migrate(db, all.slice(0, 1))).map((m) => m.version), [1]);
    const runs = await Promise.all([migrate(db, all), migrate(db, all)]);
    deepStrictEqual(runs.flat().map((m) => m.version).sort((a, b) => a - b), [
      2,
      3,
      4,
      5,
      10,
      11,
      12,
      13,
      14,
      15,
      16,
    ]);
    const rows = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
    strictEqual(rows[0].n, all.length);
  });

  await t.step("a database of the first release (001–005, 010) upgrades in place", async () => {
    await empty(db);
    const all = await loadMigrations();
    const first = all.filter((migration) => FIRST_RELEASE.includes(migration.version));
    deepStrictEqual((await migrate(db, first)).map((m) => m.version), FIRST_RELEASE);
    deepStrictEqual(
      (await migrate(db, all)).map((m) => m.version),
      all.map((m) => m.version).filter((version) => !FIRST_RELEASE.includes(version)),
    );
    deepStrictEqual((await migrationStatus(db)).pending, []);
  });

  await t.step("refuses a later migration this code does not know", async () => {
    await db.query(
      "INSERT INTO schema_migrations (version, name, checksum) VALUES (99, 'from_the_future', 'x')",
    );
    await rejects(migrate(db), isMigrationError(/does not know: 099_from_the_future \(applied \d{4}-/));
    await rejects(migrationStatus(db), isMigrationError(/099_from_the_future/));
    await db.query("DELETE FROM schema_migrations WHERE version = 99");
  });
  await t.step("refuses an applied migration whose file changed", async () => {
    await db.query("UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = 2");
    await rejects(migrate(db), isMigrationError(/002_time_series\.sql was changed after it was applied/));
    const files = await loadMigrations();
    await db.query("UPDATE schema_migrations SET checksum = $1 WHERE version = 2", [files[1].checksum]);
  });
  await t.step("refuses when a migration older than the latest applied is missing", async () => {
    await db.query("DELETE FROM schema_migrations WHERE version = 2");
    await rejects(
      migrate(db),
      isMigrationError(/002_time_series\.sql is missing but later migration \d+ is applied/),
    );
  });
});

Deno.test("loadMigrations() reads NNN_name.sql in order and refuses other names", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "002_b.sql"), "SELECT 2;");
    await Deno.writeTextFile(join(dir, "001_a.sql"), "SELECT 1;");
    await Deno.writeTextFile(join(dir, "README.md"), "not a migration");
    await t.step("sorted by version, with checksums", async () => {
      const files = await loadMigrations(dir);
      deepStrictEqual(files.map((m) => [m.version, m.name]), [[1, "a"], [2, "b"]]);
      strictEqual(files[0].checksum.length, 64);
    });
    await t.step("a badly named file", async () => {
      await Deno.writeTextFile(join(dir, "3_c.sql"), "SELECT 3;");
      await rejects(loadMigrations(dir), isMigrationError(/"3_c\.sql" is not named NNN_name\.sql/));
      await Deno.remove(join(dir, "3_c.sql"));
    });
    await t.step("two files with one version", async () => {
      await Deno.writeTextFile(join(dir, "002_c.sql"), "SELECT 3;");
      await rejects(
        loadMigrations(dir),
        isMigrationError(/"002_b\.sql" and "002_c\.sql" have the same version/),
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
