/**
 * What was exported already, so that each run sends only the days not sent yet: for the object
 * storage, the last complete day per endpoint and bucket, in `<data dir>/export/state.json`. (A
 * folder target is its own record: days whose complete manifest is in it are skipped.)
 *
 * @module
 */

import { dirname, join } from "node:path";

/** `<data dir>/export/state.json`. */
export function statePath(dataDir: string): string {
  return join(dataDir, "export", "state.json");
}

interface StateFile {
  targets: Record<string, { last_complete_day: string; exported_at: string }>;
}

async function readState(path: string): Promise<StateFile> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as StateFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { targets: {} };
    throw new Error(`Cannot read the export state ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** The last complete day exported to `target`, or null. */
export async function lastCompleteDay(dataDir: string, target: string): Promise<string | null> {
  return (await readState(statePath(dataDir))).targets[target]?.last_complete_day ?? null;
}

/** Records that every day up to `day` was exported to `target` (atomically: temporary file, rename). */
export async function recordCompleteDay(dataDir: string, target: string, day: string): Promise<void> {
  const path = statePath(dataDir);
  const state = await readState(path);
  state.targets[target] = { last_complete_day: day, exported_at: new Date().toISOString() };
  await Deno.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify(state, null, 2) + "\n");
  await Deno.rename(temporary, path);
}
