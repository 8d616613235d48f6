/**
 * Locates the public reference captures in `../shared/pcaps/` (override with `NETSENTINEL_PCAPS`).
 *
 * Tests that need them call {@linkcode sharedPcaps} and pass its `ignore` flag to `Deno.test`, so a
 * checkout without the folder skips them and says why. CI always has the folder.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the shared captures folder. */
export const SHARED_PCAPS_DIR: string = Deno.env.get("NETSENTINEL_PCAPS") ??
  join(fileURLToPath(new URL("../..", import.meta.url)), "shared", "pcaps");

function folderExists(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** True when the shared captures are present. */
export const HAVE_SHARED_PCAPS: boolean = folderExists(SHARED_PCAPS_DIR);

/** Reason printed in the test name when the captures are absent. */
export const SKIP_REASON = `skipped: ${SHARED_PCAPS_DIR} is absent (CI always has it)`;

/** Names of every capture file in the shared folder, sorted. Empty when the folder is absent. */
export function sharedCaptureFiles(): string[] {
  if (!HAVE_SHARED_PCAPS) return [];
  return [...Deno.readDirSync(SHARED_PCAPS_DIR)]
    .filter((entry) => entry.isFile && /\.(pcap|pcapng|cap)$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Absolute path of one shared capture. */
export function sharedCapture(name: string): string {
  return join(SHARED_PCAPS_DIR, name);
}
