/**
 * `netsentinel migrate [--status]`: applies the database migrations, or shows where the database
 * stands. The database is the PostgreSQL server of `DATABASE_URL` (or `[storage] database_url`),
 * else the embedded PGlite database in `--data-dir DIR` (`DIR/pglite`).
 *
 * @module
 */

import { loadConfig } from "../config/load.ts";
import { openDatabase } from "../storage/database.ts";
import { DATA_DIR_HELP, DATA_DIR_OPTION, placeState, resolveDataDir } from "./data_dir.ts";
import { parseCommandArgs } from "./parse.ts";
import { EXIT_INPUT } from "./usage_error.ts";
import { migrate, migrationStatus } from "../storage/migrate.ts";
import { StorageError } from "../storage/errors.ts";

/** Help text of `migrate`. */
export const MIGRATE_HELP = `Usage: netsentinel migrate [--status] [--config FILE] [--data-dir DIR]

Applies the database migrations (migrations/NNN_name.sql) not applied yet, in order, each in its
own transaction; a second run changes nothing. It refuses a database that has applied migrations
this version of NetSentinel does not know, or whose applied migrations were edited.

The database is the PostgreSQL server named by DATABASE_URL or [storage] database_url
(postgres://user:password@host:5432/database); without one, the embedded database (PGlite) in
DIR/pglite (or [storage] data_dir), created if needed.

Options:
  --status          list the applied and pending migrations; change nothing
  --config FILE     configuration file (default: $NETSENTINEL_CONFIG, else built-in defaults)
${DATA_DIR_HELP}
  -h, --help        show this help`;

/** Where {@linkcode runMigrate} prints; defaults to the console. */
export interface MigrateOutput {
  log(line: string): void;
  error(line: string): void;
}

const CONSOLE: MigrateOutput = {
  log(line) {
    console.log(line);
  },
  error(line) {
    console.error(line);
  },
};

/**
 * Runs `migrate` and returns the exit status: 0 done, 1 the database refused or failed.
 *
 * @throws {UsageError} on a bad flag
 * @throws {ConfigError} on a bad configuration
 */
export async function runMigrate(args: string[], output: MigrateOutput = CONSOLE): Promise<number> {
  const { values } = parseCommandArgs("migrate", args, {
    status: { type: "boolean" },
    config: { type: "string" },
    ...DATA_DIR_OPTION,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    output.log(MIGRATE_HELP);
    return 0;
  }
  const config = placeState(
    await loadConfig(values.config as string | undefined),
    resolveDataDir(values["data-dir"]),
  );
  try {
    // The same choice as appliance/connections.ts, without loading the bus (and its Redis client).
    const url = Deno.env.get("DATABASE_URL") ?? config.storage.database_url;
    const db = await openDatabase({ url: url || undefined, dataDir: config.storage.data_dir });
    try {
      if (values.status) {
        const status = await migrationStatus(db);
        output.log(`Database ${db.location} (${db.driver}):`);
        for (const row of status.applied) {
          output.log(`  applied  ${String(row.version).padStart(3, "0")}_${row.name}  ${row.applied_at}`);
        }
        for (const migration of status.pending) {
          output.log(`  pending  ${migration.file.replace(/\.sql$/, "")}`);
        }
        if (status.applied.length + status.pending.length === 0) output.log("  no migrations");
        return 0;
      }
      const applied = await migrate(db);
      output.log(
        applied.length === 0
          ? `Database ${db.location} is up to date`
          : `Applied ${applied.length} migration${applied.length > 1 ? "s" : ""} to ${db.location}: ${
            applied.map((migration) => migration.file).join(", ")
          }`,
      );
      return 0;
    } finally {
      await db.close();
    }
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    output.error(`netsentinel: ${error.message}`);
    return EXIT_INPUT;
  }
}
