/**
 * `netsentinel migrate [--status]`: applies the database migrations, or shows where the database
 * stands. The database is the PostgreSQL server of `DATABASE_URL`, else the embedded PGlite
 * database in `--data DIR`.
 *
 * @module
 */

import { parseCommandArgs } from "./parse.ts";
import { EXIT_INPUT } from "./usage_error.ts";
import { DEFAULT_PGLITE_DIR, openDatabase } from "../storage/database.ts";
import { migrate, migrationStatus } from "../storage/migrate.ts";
import { StorageError } from "../storage/errors.ts";

/** Help text of `migrate`. */
export const MIGRATE_HELP = `Usage: netsentinel migrate [--status] [--data DIR]

Applies the database migrations (migrations/NNN_name.sql) not applied yet, in order, each in its
own transaction; a second run changes nothing. It refuses a database that has applied migrations
this version of NetSentinel does not know, or whose applied migrations were edited.

The database is the PostgreSQL server named by DATABASE_URL
(postgres://user:password@host:5432/database); without it, the embedded database (PGlite) in the
folder --data DIR (created if needed).

Options:
  --status          list the applied and pending migrations; change nothing
  --data DIR        embedded database folder when DATABASE_URL is not set (default ${DEFAULT_PGLITE_DIR})
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
 */
export async function runMigrate(args: string[], output: MigrateOutput = CONSOLE): Promise<number> {
  const { values } = parseCommandArgs("migrate", args, {
    status: { type: "boolean" },
    data: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    output.log(MIGRATE_HELP);
    return 0;
  }
  try {
    const db = await openDatabase({
      url: Deno.env.get("DATABASE_URL") || undefined,
      dataDir: (values.data as string | undefined) ?? DEFAULT_PGLITE_DIR,
    });
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
