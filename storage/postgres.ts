/**
 * The PostgreSQL driver: a postgres.js pool. Parameterised statements are prepared once per
 * connection (the persistence statements are constant text, so each is parsed and planned once);
 * scripts run through the simple protocol.
 *
 * @module
 */

import postgres from "postgres";
import type { Database, OpenDatabaseOptions, Queryable, Row } from "./database.ts";
import { parseDatabaseUrl } from "./database_url.ts";
import { describeStorageError, StorageError } from "./errors.ts";
import { toParam } from "./pg_array.ts";

type Sql = postgres.Sql<Record<string, never>>;

/** Runs statements on a postgres.js pool or transaction, with errors turned into one line. */
class PostgresQueryable implements Queryable {
  readonly #sql: Sql | postgres.TransactionSql<Record<string, never>>;
  readonly #action: string;
  readonly #inTransaction: boolean;

  constructor(
    sql: Sql | postgres.TransactionSql<Record<string, never>>,
    action: string,
    inTransaction = false,
  ) {
    this.#sql = sql;
    this.#action = action;
    this.#inTransaction = inTransaction;
  }

  async query<T = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      const rows = await this.#sql.unsafe(text, params.map(toParam) as postgres.ParameterOrJSON<never>[], {
        prepare: params.length > 0,
      });
      return Array.from(rows) as unknown as T[]; // a plain array, as PGlite returns
    } catch (error) {
      throw describeStorageError(this.#action, error);
    }
  }

  async exec(script: string): Promise<void> {
    try {
      await this.#sql.unsafe(script);
    } catch (error) {
      throw describeStorageError(this.#action, error);
    }
  }

  async copyFrom(statement: string, rows: string): Promise<void> {
    let refused: unknown = null;
    try {
      const stream = await this.#sql.unsafe(statement).writable();
      stream.once("error", (error: unknown) => refused = error);
      if (!this.#inTransaction) {
        return await new Promise<void>((resolve, reject) => {
          stream.once("error", reject);
          stream.end(rows, () => resolve());
        });
      }
      // postgres.js never calls back when the server refuses the data after its last chunk. A
      // statement queued behind the COPY on the transaction's connection always completes, and fails
      // when the COPY did (the transaction is then aborted). postgres.js accepts it once the stream
      // has sent its end: after the data is written and the stream's final step has run.
      await new Promise<void>((resolve) => stream.write(rows, () => resolve()));
      stream.end();
      const state = (stream as { _writableState?: { finalCalled?: boolean } })._writableState;
      for (let tick = 0; tick < 1000 && refused === null; tick++) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (state?.finalCalled !== false) break;
      }
      if (refused === null) {
        try {
          await this.#sql.unsafe("SELECT 1");
        } catch (error) {
          if ((error as { code?: unknown }).code !== "25P02") throw error;
          // The server refused the rows and postgres.js dropped its reason: a full disk most likely
          // (the rows are numbers and times this code wrote). Retryable, so the batch is not parked.
          throw new StorageError(
            "conflict",
            `${this.#action}: the server refused the rows of a COPY and aborted the transaction ` +
              "(disk full?); the batch will be retried",
            { cause: error },
          );
        }
      }
      if (refused !== null) throw refused;
    } catch (error) {
      throw describeStorageError(this.#action, refused ?? error);
    }
  }
}

/** A PostgreSQL server reached through a postgres.js connection pool. */
export class PostgresDatabase extends PostgresQueryable implements Database {
  readonly driver = "postgres" as const;
  readonly location: string;
  readonly #sql: Sql;
  readonly #action: string;
  #closed = false;

  private constructor(sql: Sql, location: string, action: string) {
    super(sql, action);
    this.#sql = sql;
    this.location = location;
    this.#action = action;
  }

  /**
   * Checks `url`, opens a pool and makes one connection.
   *
   * @throws {StorageError} kind `url`, `connection`, `auth` or `database-missing`
   */
  static async connect(url: string, options: OpenDatabaseOptions = {}): Promise<PostgresDatabase> {
    const parts = parseDatabaseUrl(url);
    const where = `${parts.host.includes(":") ? `[${parts.host}]` : parts.host}:${parts.port}`;
    const sql = postgres(parts.url, {
      max: options.poolSize ?? 4,
      connect_timeout: options.connectTimeoutSeconds ?? 10,
      idle_timeout: 60,
      onnotice: () => {},
      connection: { application_name: "netsentinel" },
    }) as Sql;
    const database = new PostgresDatabase(
      sql,
      parts.masked,
      `Cannot query PostgreSQL at ${where} (database "${parts.database}")`,
    );
    try {
      await sql.unsafe("SELECT 1");
    } catch (error) {
      await sql.end({ timeout: 0 }).catch(() => {});
      throw describeStorageError(
        `Cannot connect to PostgreSQL at ${where} (database "${parts.database}")`,
        error,
      );
    }
    return database;
  }

  async transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T> {
    let bodyError: unknown = null;
    try {
      return await this.#sql.begin(async (tx) => {
        try {
          return await body(new PostgresQueryable(tx, this.#action, true));
        } catch (error) {
          bodyError = error;
          throw error;
        }
      }) as T;
    } catch (error) {
      if (error === bodyError) throw error;
      throw describeStorageError(this.#action, error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Callers have awaited their queries; a connection the server reset never "ends": do not wait long.
    await this.#sql.end({ timeout: 1 });
  }
}
