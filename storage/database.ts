/**
 * One database layer, two drivers: a PostgreSQL server through postgres.js when a URL is given
 * (`DATABASE_URL`), else PGlite (PostgreSQL compiled to WebAssembly, in process) in a data folder —
 * the embedded default. Both run the same migrations and the same SQL.
 *
 * @example Open, query, close
 * ```ts ignore
 * import { openDatabase } from "./database.ts";
 * const db = await openDatabase({ url: Deno.env.get("DATABASE_URL"), dataDir: "data/pglite" });
 * const rows = await db.query<{ n: number }>("SELECT $1::int + 1 AS n", [41]);
 * console.log(rows[0].n); // 42
 * await db.close();
 * ```
 *
 * @module
 */

/** A result row: column name to value. */
export type Row = Record<string, unknown>;

/** What can run SQL: the database itself, or a transaction. */
export interface Queryable {
  /**
   * Runs one statement with `$1`, `$2`… parameters (JavaScript arrays are sent as array literals: cast
   * them, e.g. `unnest($1::inet[])`).
   *
   * @throws {StorageError} with a one-line message
   */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Runs a script of several statements, without parameters (migrations).
   *
   * @throws {StorageError} with a one-line message
   */
  exec(script: string): Promise<void>;
  /**
   * Loads rows with `COPY table (columns) FROM STDIN` (text format: one line per row, tab between
   * values, `\N` for NULL; see `copy_text.ts`): the fastest way to insert many rows.
   *
   * @throws {StorageError} with a one-line message
   */
  copyFrom(statement: string, rows: string): Promise<void>;
}

/** An open database. */
export interface Database extends Queryable {
  /** Which driver serves it. */
  readonly driver: "postgres" | "pglite";
  /** Where it is, for messages: the URL with its password masked, or the data folder. */
  readonly location: string;
  /**
   * Runs `body` in a transaction: committed when it resolves, rolled back when it throws.
   *
   * @throws {StorageError} when the transaction cannot be started or committed, or what `body` threw
   */
  transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the connections (the pool, or the embedded database). Safe to call twice. */
  close(): Promise<void>;
}

/** Where the embedded database lives when no URL is given. */
export const DEFAULT_PGLITE_DIR = "data/pglite";

/** Options of {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /** PostgreSQL URL (`postgres://user:password@host:5432/db`); absent or empty: PGlite. */
  url?: string;
  /** PGlite data folder (default {@linkcode DEFAULT_PGLITE_DIR}). */
  dataDir?: string;
  /** Connections in the PostgreSQL pool (default 4). */
  poolSize?: number;
  /** Seconds to wait for a PostgreSQL connection (default 10). */
  connectTimeoutSeconds?: number;
}

/**
 * Opens the database: PostgreSQL when `options.url` is set, else PGlite in `options.dataDir`.
 * A connection is made before returning, so a wrong URL or a stopped server fails here.
 *
 * @throws {StorageError} kind `url`, `connection`, `auth`, `database-missing`, `permission` or `disk-full`
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url) {
    const { PostgresDatabase } = await import("./postgres.ts");
    return await PostgresDatabase.connect(options.url, options);
  }
  const { PgliteDatabase } = await import("./pglite.ts");
  return await PgliteDatabase.open(options.dataDir ?? DEFAULT_PGLITE_DIR);
}
