/**
 * The daily snapshot: checks every hour whether the last daily snapshot is older than the interval
 * and takes one then, so a restart neither skips a day nor takes a second one.
 *
 * @example Beside the retention schedule
 * ```ts ignore
 * const snapshots = scheduleSnapshots(db, { intervalHours: 24, onError: (e) => log(String(e)) });
 * // … at shutdown
 * snapshots.stop();
 * ```
 *
 * @module
 */

import type { Database } from "../database.ts";
import { type SnapshotSummary, takeDailySnapshotIfDue } from "./snapshots.ts";

/** Options of {@linkcode scheduleSnapshots}. */
export interface SnapshotSchedule {
  /** Hours between daily snapshots (default 24). */
  intervalHours?: number;
  /** How often to check, ms (default one hour). */
  checkEveryMs?: number;
  /** Wait this long before the first check, ms (default 0: now), e.g. until a live capture heard something. */
  firstAfterMs?: number;
  onSnapshot?: (snapshot: SnapshotSummary) => void;
  onError?: (error: unknown) => void;
}

/** A running schedule: `first` settles after the first check. */
export interface SnapshotTimer {
  first: Promise<SnapshotSummary | null>;
  stop(): void;
}

/** Starts the daily snapshots (a first check now, or after `firstAfterMs`). */
export function scheduleSnapshots(db: Database, options: SnapshotSchedule = {}): SnapshotTimer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const check = async (): Promise<SnapshotSummary | null> => {
    try {
      const snapshot = await takeDailySnapshotIfDue(db, options.intervalHours ?? 24);
      if (snapshot) options.onSnapshot?.(snapshot);
      return snapshot;
    } catch (error) {
      options.onError?.(error);
      return null;
    } finally {
      if (!stopped) timer = setTimeout(check, options.checkEveryMs ?? 3_600_000);
    }
  };
  const first = (options.firstAfterMs ?? 0) > 0
    ? new Promise<SnapshotSummary | null>((resolve) => {
      timer = setTimeout(() => resolve(check()), options.firstAfterMs);
    })
    : check();
  return {
    first,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
