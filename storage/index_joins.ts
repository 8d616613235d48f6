/**
 * Runs statements that join a batch's rows to a large table through its index only. The planner
 * may otherwise choose a hash or merge join that reads the whole table (or every partition) once
 * per batch — cheap while the table is small or its statistics are stale, then a cost that grows
 * with the history instead of the batch. Inside `body` hash and merge joins are disabled for the
 * transaction; the previous settings come back after it.
 *
 * @module
 */

import type { Queryable } from "./database.ts";

const DISABLE = `
SELECT current_setting('enable_hashjoin') AS hash, current_setting('enable_mergejoin') AS merge,
  set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`;

const RESTORE = "SELECT set_config('enable_hashjoin', $1, true), set_config('enable_mergejoin', $2, true)";

/** Runs `body` with hash and merge joins disabled (nested loops over the inner table's index). */
export async function withIndexJoins<T>(tx: Queryable, body: () => Promise<T>): Promise<T> {
  const [before] = await tx.query<{ hash: string; merge: string }>(DISABLE);
  const result = await body();
  await tx.query(RESTORE, [before.hash, before.merge]);
  return result;
}
