/**
 * What `start` says when some observation batches could not be stored before it stopped.
 *
 * @module
 */

import type { PersistedRun } from "../appliance/all_in_one.ts";

/** One line, and status 1, when batches could not be stored; undefined when all were. */
export function reportUnstored(persisted: PersistedRun<unknown>): number | undefined {
  if (!persisted.unstored) return undefined;
  console.error(
    `netsentinel: ${persisted.unstored.batches} observation batches were not stored: ${persisted.unstored.error}; ` +
      "the inventory printed above has them, the database does not",
  );
  return 1;
}
