/**
 * Locates the public reference captures in `../shared/pcaps/` (override with `NETSENTINEL_PCAPS`).
 *
 * Tests that need them pass {@linkcode SHARED_PCAPS}`.skip` to `Deno.test`'s `ignore` and its
 * `note` to the name: a checkout without the folder skips them and says why; under `CI=true` they
 * run, and {@linkcode sharedCapture} fails them with the reason (see `requirements.ts`).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Requirement } from "./requirements.ts";

/** Absolute path of the shared captures folder. */
export const SHARED_PCAPS_DIR: string = Deno.env.get("NETSENTINEL_PCAPS") ??
  join(fileURLToPath(new URL("../..", import.meta.url)), "shared", "pcaps");

const CAPTURE_NAME = /\.(pcap|pcapng|cap)$/;

function captureNames(): string[] {
  return [...Deno.readDirSync(SHARED_PCAPS_DIR)]
    .filter((entry) => entry.isFile && CAPTURE_NAME.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

function whyMissing(): string | undefined {
  try {
    if (!Deno.statSync(SHARED_PCAPS_DIR).isDirectory) return `${SHARED_PCAPS_DIR} is not a folder`;
    if (captureNames().length === 0) return `${SHARED_PCAPS_DIR} holds no capture file`;
    return undefined;
  } catch {
    return `${SHARED_PCAPS_DIR} is absent`;
  }
}

/** The shared captures, as a test requirement. */
export const SHARED_PCAPS: Requirement = new Requirement("the shared captures", whyMissing());

/**
 * Names of every capture file in the shared folder, sorted. Empty when the tests that need them are
 * skipped (folder absent, not CI).
 *
 * @throws {Error} under CI when the folder is absent or empty
 */
export function sharedCaptureFiles(): string[] {
  if (SHARED_PCAPS.skip) return [];
  SHARED_PCAPS.check();
  return captureNames();
}

/**
 * Absolute path of one shared capture.
 *
 * @throws {Error} when the folder is absent (the reason; under CI, that CI must have it)
 */
export function sharedCapture(name: string): string {
  SHARED_PCAPS.check();
  return join(SHARED_PCAPS_DIR, name);
}
