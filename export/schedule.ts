/**
 * The scheduled export inside the appliance: `[export] schedule` (cron, UTC, default `0 2 * * *`)
 * runs {@linkcode runExport} to the object storage, one run at a time; a failed run is one log
 * line and the next run tries again (the days not sent are still due).
 *
 * @example In the appliance, over its open database
 * ```ts ignore
 * import { scheduleExport } from "../export/schedule.ts";
 * const exportSchedule = scheduleExport({ db, config: config.export, dataDir, log: console.log });
 * // … at stop:
 * exportSchedule.stop();
 * ```
 *
 * @module
 */

import { Cron } from "croner";
import type { ExportConfig } from "../config/export_schema.ts";
import type { Queryable } from "../storage/database.ts";
import { type ExportSummary, runExport } from "./run.ts";

/** What {@linkcode scheduleExport} needs. */
export interface ScheduleExportOptions {
  db: Queryable;
  config: ExportConfig;
  /** The data folder (export state, evidence key). */
  dataDir: string;
  /** Where lines go (default: console.log / console.error). */
  log?: (line: string) => void;
  /** Called after each run (tests, status). */
  onRun?: (result: ExportSummary | Error) => void;
}

/** A running schedule. */
export interface ExportSchedule {
  /** When the next run is due, or null (disabled or stopped). */
  next(): Date | null;
  /** Runs one export now (not overlapping a scheduled one). */
  runNow(): Promise<ExportSummary | Error>;
  /** Stops the schedule (a run under way finishes). */
  stop(): void;
}

/**
 * Schedules the export when `[export] enabled` is true; otherwise returns a schedule that never
 * runs.
 *
 * @throws {Error} when the cron expression is not valid
 */
export function scheduleExport(options: ScheduleExportOptions): ExportSchedule {
  const log = options.log ?? ((line: string) => console.log(line));
  let running: Promise<ExportSummary | Error> | null = null;
  const run = (): Promise<ExportSummary | Error> => {
    running ??= (async () => {
      try {
        const summary = await runExport({
          db: options.db,
          config: options.config,
          dataDir: options.dataDir,
          target: { kind: "s3" },
          log,
        });
        log(
          `export: ${summary.days.length} day(s), ${summary.objects} objects, ${summary.bytes} bytes to ${summary.target}`,
        );
        options.onRun?.(summary);
        return summary;
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        log(`export: ${failure.message.split("\n")[0]}`);
        options.onRun?.(failure);
        return failure;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  if (!options.config.enabled) {
    return { next: () => null, runNow: run, stop: () => {} };
  }
  const job = new Cron(options.config.schedule, { timezone: "UTC", protect: true }, async () => {
    await run();
  });
  return {
    next: () => job.nextRun(),
    runNow: run,
    stop: () => job.stop(),
  };
}
