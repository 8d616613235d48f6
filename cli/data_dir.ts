/**
 * The data folder of the commands that keep state (`--data-dir DIR`, default `data/`): the
 * embedded database, the status file and the demo live in it, unless the configuration names
 * another place for one of them.
 *
 * @module
 */

import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import { UsageError } from "./usage_error.ts";

/** The data folder when neither `--data-dir` nor `NETSENTINEL_DATA_DIR` says otherwise. */
export const DEFAULT_DATA_DIR = "data";

/** The `--data-dir` option, for {@linkcode parseCommandArgs}. */
export const DATA_DIR_OPTION = { "data-dir": { type: "string" } } as const;

/** The help line of `--data-dir`. */
export const DATA_DIR_HELP =
  `  --data-dir DIR    state folder: embedded database DIR/pglite, status file DIR/status.json
                    (default: $NETSENTINEL_DATA_DIR, else ${DEFAULT_DATA_DIR})`;

/** {@linkcode DATA_DIR_HELP} for a help text whose descriptions start at column `column`. */
export function dataDirHelp(column: number): string {
  const pad = " ".repeat(column);
  return `${
    "  --data-dir DIR".padEnd(column)
  }state folder: embedded database DIR/pglite, status file DIR/status.json
${pad}(default: $NETSENTINEL_DATA_DIR, else ${DEFAULT_DATA_DIR})`;
}

/** Where the configuration keeps state by default (`[storage] data_dir`, `[status] file`). */
const DEFAULT_DATABASE_DIR = join(DEFAULT_DATA_DIR, "pglite");
const DEFAULT_STATUS_FILE = join(DEFAULT_DATA_DIR, "status.json");

/** The data folder: the flag's value, else `NETSENTINEL_DATA_DIR`, else `data`. */
export function resolveDataDir(flag: string | boolean | undefined): string {
  if (typeof flag === "string" && flag !== "") return flag;
  let fromEnvironment: string | undefined;
  try {
    fromEnvironment = Deno.env.get("NETSENTINEL_DATA_DIR");
  } catch {
    fromEnvironment = undefined;
  }
  return fromEnvironment || DEFAULT_DATA_DIR;
}

/**
 * Moves the state the configuration left at its defaults into `dataDir` (in place): the
 * embedded database to `dataDir/pglite`, the status file to `dataDir/status.json`. A place the
 * configuration names on purpose (any other value) is kept.
 *
 * @returns the same configuration
 */
export function placeState(config: Config, dataDir: string): Config {
  if (normalise(config.storage.data_dir) === DEFAULT_DATABASE_DIR) {
    config.storage.data_dir = join(dataDir, "pglite");
  }
  if (normalise(config.status.file) === DEFAULT_STATUS_FILE) {
    config.status.file = join(dataDir, "status.json");
  }
  return config;
}

function normalise(path: string): string {
  return path === "" ? "" : join(path);
}

/**
 * Fails at once, with one line, when this process may not write `dataDir` (a `deno task` may
 * write only under `data/`), rather than deep inside the database.
 *
 * @throws {UsageError} naming the folder and what to do
 */
export function checkDataDirWritable(dataDir: string): void {
  let state: Deno.PermissionState;
  try {
    state = Deno.permissions.querySync({ name: "write", path: dataDir }).state;
  } catch {
    return;
  }
  if (state !== "granted") {
    throw new UsageError(
      `Cannot use the data folder ${dataDir}: this process may not write there (Deno permission ` +
        `--allow-write); with deno task, choose a folder under ${DEFAULT_DATA_DIR}/ (e.g. --data-dir ` +
        `${DEFAULT_DATA_DIR}/site-a)`,
    );
  }
}
