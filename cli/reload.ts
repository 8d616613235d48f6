/**
 * SIGHUP reloads the configuration of a running appliance (`systemctl reload netsentinel`): the
 * file is read and checked again; a bad file is reported and the running configuration kept;
 * the keys a running process can take at once are applied, and the others are named, to be
 * applied by a restart (the capture's interfaces, the database, the bus).
 *
 * @module
 */

import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";

/** How {@linkcode listenForReload} reads and applies a new configuration. */
export interface ReloadOptions {
  /** The configuration file given on the command line (else `NETSENTINEL_CONFIG`). */
  configPath?: string;
  /** The running configuration; applied keys are updated in it. */
  current: Config;
  /** Called on the loaded configuration before it is compared (e.g. to place state). */
  prepare?: (config: Config) => Config;
  /** Keys (`section.key`) this process applies at once. */
  live: readonly string[];
  /** Applies the live keys that changed (the current configuration already holds them). */
  apply?: (changed: string[]) => void;
  /** Where the outcome is written (default: stderr). */
  log?: (line: string) => void;
}

/** The `section.key` names whose values differ between two configurations. */
export function changedKeys(before: Config, after: Config): string[] {
  const changed: string[] = [];
  for (const section of Object.keys(after) as (keyof Config)[]) {
    const a = before[section] as Record<string, unknown>;
    const b = after[section] as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) changed.push(`${section}.${key}`);
    }
  }
  return changed;
}

/**
 * Reads the configuration again and applies what can be applied; returns the line it logged.
 *
 * @param options what to read, compare and apply
 */
export async function reloadConfiguration(options: ReloadOptions): Promise<string> {
  const log = options.log ?? ((line: string) => console.error(line));
  let next: Config;
  try {
    next = await loadConfig(options.configPath);
    if (options.prepare) next = options.prepare(next);
  } catch (error) {
    const line = `netsentinel: Cannot reload the configuration: ${
      (error as Error).message
    }; the running configuration is kept`;
    log(line);
    return line;
  }
  const changed = changedKeys(options.current, next);
  const applied = changed.filter((key) => options.live.includes(key));
  const pending = changed.filter((key) => !options.live.includes(key));
  for (const key of applied) {
    const [section, name] = key.split(".") as [keyof Config, string];
    (options.current[section] as Record<string, unknown>)[name] = (next[section] as Record<string, unknown>)[
      name
    ];
  }
  if (applied.length > 0) options.apply?.(applied);
  const parts = [
    applied.length > 0 ? `applied ${applied.join(", ")}` : "",
    pending.length > 0 ? `restart to apply ${pending.join(", ")}` : "",
  ].filter(Boolean);
  const line = `netsentinel: reloaded the configuration: ${
    parts.length > 0 ? parts.join("; ") : "no change"
  }`;
  log(line);
  return line;
}

/**
 * Reloads the configuration on every SIGHUP until the returned function is called.
 *
 * @returns a function that stops listening
 */
export function listenForReload(options: ReloadOptions): () => void {
  let running = Promise.resolve();
  const handler = () => {
    // One reload at a time, in the order the signals came.
    running = running.then(() => reloadConfiguration(options).then(() => {}));
  };
  Deno.addSignalListener("SIGHUP", handler);
  return () => Deno.removeSignalListener("SIGHUP", handler);
}
