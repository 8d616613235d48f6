/**
 * Opens the database and the bus the configuration (and `DATABASE_URL` / `REDIS_URL`) point to.
 *
 * @module
 */

import type { Config } from "../config/schema.ts";
import type { Database } from "../storage/database.ts";
import { createBus } from "../bus/create_bus.ts";
import type { ObservationBus } from "../bus/bus.ts";

function environment(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

/**
 * The database: PostgreSQL when `DATABASE_URL` or `[storage] database_url` is set, else PGlite.
 *
 * @param env the environment to read `DATABASE_URL` from (default: the process's)
 */
export async function connectDatabase(
  config: Config,
  env: Record<string, string> = environment(),
): Promise<Database> {
  const url = env.DATABASE_URL ?? config.storage.database_url;
  // Loaded here, not at the top: a sensor, which has no database, never loads the storage code.
  const { openDatabase } = await import("../storage/database.ts");
  return await openDatabase({ url: url || undefined, dataDir: config.storage.data_dir });
}

/**
 * The bus: Redis when `REDIS_URL` or `[bus] redis_url` is set, else the in-process queue.
 *
 * @param env the environment to read `REDIS_URL` from (default: the process's)
 */
export function connectBus(config: Config, env: Record<string, string> = environment()): ObservationBus {
  return createBus(config.bus, {
    env,
    log: (line: string) => console.error(`netsentinel: ${line}`),
  });
}

/** True when the bus is Redis (several processes), false for the in-process queue. */
export function usesRedis(config: Config): boolean {
  return Boolean(environment().REDIS_URL ?? config.bus.redis_url);
}
