/**
 * The embedded driver: PGlite (PostgreSQL compiled to WebAssembly) in a data folder, in process.
 * Same SQL and migrations as the server. One process at a time may open a folder: a lock file
 * (`netsentinel.lock`, held with `flock`) refuses a second one instead of corrupting the data.
 *
 * @module
 */

import { PGlite, type Transaction } from "@electric-sql/pglite";
import { join } from "node:path";
import type { Database, Queryable, Row } from "./database.ts";
import { describeStorageError, StorageError } from "./errors.ts";
import { toParam } from "./pg_array.ts";

/** Name of the lock file inside the data folder. */
export const PGLITE_LOCK_FILE = "netsentinel.lock";

/** Bytes a starting PGlite may need to write (WAL segment recovery, its lock and pid files). */
const STARTUP_SPACE = 1 << 20;

/** True when `dir` cannot take {@linkcode STARTUP_SPACE} more bytes (a write fails with ENOSPC). */
async function diskIsFull(dir: string): Promise<boolean> {
  const probe = join(dir, `.netsentinel-space-probe-${Deno.pid}`);
  try {
    await Deno.writeFile(probe, new Uint8Array(STARTUP_SPACE));
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === "ENOSPC";
  } finally {
    await Deno.remove(probe).catch(() => {});
  }
}

class PgliteQueryable implements Queryable {
  readonly #db: PGlite | Transaction;
  readonly #action: string;

  constructor(db: PGlite | Transaction, action: string) {
    this.#db = db;
    this.#action = action;
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      return (await this.#db.query<T>(sql, params.map(toParam))).rows;
    } catch (error) {
      throw describeStorageError(this.#action, error);
    }
  }

  async exec(script: string): Promise<void> {
    try {
      await this.#db.exec(script);
    } catch (error) {
      throw describeStorageError(this.#action, error);
    }
  }

  async copyFrom(statement: string, rows: string): Promise<void> {
    try {
      // PGlite reads COPY data from the blob it is given as the file /dev/blob.
      await this.#db.query(statement.replace(/FROM STDIN\b/i, "FROM '/dev/blob'"), [], {
        blob: new Blob([rows]),
      });
    } catch (error) {
      throw describeStorageError(this.#action, error);
    }
  }
}

/** PGlite in a data folder. */
export class PgliteDatabase extends PgliteQueryable implements Database {
  readonly driver = "pglite" as const;
  readonly location: string;
  readonly #db: PGlite;
  readonly #lock: Deno.FsFile;
  readonly #action: string;
  #closed = false;

  private constructor(db: PGlite, lock: Deno.FsFile, location: string, action: string) {
    super(db, action);
    this.#db = db;
    this.#lock = lock;
    this.location = location;
    this.#action = action;
  }

  /**
   * Opens (creating it if needed) the embedded database in `dataDir`.
   *
   * @throws {StorageError} kind `permission` (folder not writable), `disk-full`, or `connection`
   *   when another process has the folder open
   */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    const action = `Cannot open the embedded database in ${dataDir}`;
    let lock: Deno.FsFile;
    try {
      await Deno.mkdir(dataDir, { recursive: true });
      lock = await Deno.open(join(dataDir, PGLITE_LOCK_FILE), { create: true, write: true });
    } catch (error) {
      throw describeStorageError(action, error);
    }
    if (!await lock.tryLock(true)) {
      lock.close();
      throw new StorageError(
        "connection",
        `${action}: another process has it open (lock ${join(dataDir, PGLITE_LOCK_FILE)}); ` +
          "stop it or set DATABASE_URL to share a PostgreSQL server",
      );
    }
    try {
      const db = await PGlite.create(dataDir);
      return new PgliteDatabase(db, lock, dataDir, `Cannot query the embedded database in ${dataDir}`);
    } catch (error) {
      lock.close();
      const described = describeStorageError(action, error);
      // PGlite often aborts ("Aborted()", "failed to initialize properly") without saying why.
      if (described.kind === "query" && await diskIsFull(dataDir)) {
        throw new StorageError(
          "disk-full",
          `${action}: no space left on device (${described.message.slice(action.length + 2)})`,
          {
            cause: error,
          },
        );
      }
      throw described;
    }
  }

  async transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T> {
    let bodyError: unknown = null;
    try {
      return await this.#db.transaction(async (tx) => {
        try {
          return await body(new PgliteQueryable(tx, this.#action));
        } catch (error) {
          bodyError = error;
          throw error;
        }
      });
    } catch (error) {
      if (error === bodyError) throw error;
      throw describeStorageError(this.#action, error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#db.close();
    } finally {
      this.#lock.close();
    }
  }
}
