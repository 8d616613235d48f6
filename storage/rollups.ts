/**
 * Roll-ups of the per-minute metrics: `traffic_metrics` → `traffic_metrics_5m` → `traffic_metrics_1h`
 * (migration 011). Writing per-minute rows marks their 5-minute buckets in `rollup_pending` (a
 * trigger, in the writer's transaction); {@linkcode runRollups} takes pending buckets, recomputes each
 * from scratch — the sum of its minutes, or of its 5-minute rows for an hour — and marks the hours.
 * Each roll-up bucket also gets a `network` row (flow_id and device_id NULL): the sum of its `flow`
 * rows, so the network's chart reads one row per bucket.
 * Recomputing is idempotent, and a bucket written again after its roll-up is pending again, so
 * whenever nothing is pending the sums are exact. Two aggregators may run it at once: pending rows
 * are claimed with `FOR UPDATE SKIP LOCKED`.
 *
 * {@linkcode scheduleRollups} runs it shortly after commits (at most every few seconds) and once a
 * minute.
 *
 * @example After a commit
 * ```ts ignore
 * const rollups = scheduleRollups(db);
 * await persistence.apply(batch);
 * rollups.poke();
 * ```
 *
 * @module
 */

import type { Database, Queryable } from "./database.ts";

/** Roll-up tables, finest first, with their bucket width in seconds. */
export const ROLLUP_TABLES = [
  { table: "traffic_metrics_5m", seconds: 300, source: "traffic_metrics", interval: "5 minutes" },
  { table: "traffic_metrics_1h", seconds: 3600, source: "traffic_metrics_5m", interval: "1 hour" },
] as const;

/** Buckets recomputed per transaction. */
export const ROLLUP_BATCH = 200;

/** What one {@linkcode runRollups} did. */
export interface RollupReport {
  /** 5-minute buckets recomputed. */
  fiveMinute: number;
  /** Hourly buckets recomputed. */
  hourly: number;
}

const EPOCH = "timestamptz '2000-01-01 00:00:00+00'";

/** Recomputes up to `limit` pending buckets of `step`; returns how many. */
async function rollStep(tx: Queryable, step: (typeof ROLLUP_TABLES)[number], limit: number): Promise<number> {
  const claimed = await tx.query<{ bucket: string; day: string }>(
    `DELETE FROM rollup_pending WHERE (target, bucket) IN (
       SELECT target, bucket FROM rollup_pending WHERE target = $1 ORDER BY bucket LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING bucket::text AS bucket, to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day`,
    [step.table, limit],
  );
  if (claimed.length === 0) return 0;
  const buckets = claimed.map((row) => row.bucket);
  await tx.query("SELECT netsentinel_ensure_day_partitions($1::regclass, $2::date[])", [
    step.table,
    [...new Set(claimed.map((row) => row.day))],
  ]);
  await tx.query(`DELETE FROM ${step.table} WHERE time = ANY($1::timestamptz[])`, [buckets]);
  await tx.query(
    `INSERT INTO ${step.table} (time, bucket_seconds, flow_id, device_id, metric_type, packet_count, byte_count,
       max_packet_size, min_packet_size, tcp_syn_count, tcp_rst_count, tcp_fin_count)
     SELECT b.start, ${step.seconds}, m.flow_id, m.device_id, m.metric_type, sum(m.packet_count), sum(m.byte_count),
       max(m.max_packet_size), min(m.min_packet_size), sum(m.tcp_syn_count), sum(m.tcp_rst_count),
       sum(m.tcp_fin_count)
     FROM unnest($1::timestamptz[]) AS b(start)
     JOIN ${step.source} m ON m.time >= b.start AND m.time < b.start + interval '${step.interval}'
       AND m.metric_type <> 'network'
     GROUP BY b.start, m.metric_type, m.flow_id, m.device_id`,
    [buckets],
  );
  // The network's total per bucket: what its chart reads (one row instead of one per flow).
  await tx.query(
    `INSERT INTO ${step.table} (time, bucket_seconds, metric_type, packet_count, byte_count, max_packet_size,
       min_packet_size, tcp_syn_count, tcp_rst_count, tcp_fin_count)
     SELECT b.start, ${step.seconds}, 'network', sum(m.packet_count), sum(m.byte_count), max(m.max_packet_size),
       min(m.min_packet_size), sum(m.tcp_syn_count), sum(m.tcp_rst_count), sum(m.tcp_fin_count)
     FROM unnest($1::timestamptz[]) AS b(start)
     JOIN ${step.source} m ON m.time >= b.start AND m.time < b.start + interval '${step.interval}'
       AND m.metric_type = 'flow'
     GROUP BY b.start`,
    [buckets],
  );
  if (step.table === "traffic_metrics_5m") {
    await tx.query(
      `INSERT INTO rollup_pending (target, bucket)
       SELECT DISTINCT 'traffic_metrics_1h', date_bin('1 hour', b, ${EPOCH}) FROM unnest($1::timestamptz[]) AS b
       ON CONFLICT DO NOTHING`,
      [buckets],
    );
  }
  return claimed.length;
}

/**
 * Recomputes every pending bucket, 5-minute ones first, {@linkcode ROLLUP_BATCH} per transaction.
 *
 * @throws {StorageError} when the database fails (what was committed before stays)
 */
export async function runRollups(db: Database, options: { batch?: number } = {}): Promise<RollupReport> {
  const batch = options.batch ?? ROLLUP_BATCH;
  const report: RollupReport = { fiveMinute: 0, hourly: 0 };
  for (const step of ROLLUP_TABLES) {
    for (;;) {
      const done = await db.transaction((tx) => rollStep(tx, step, batch));
      if (step.seconds === 300) report.fiveMinute += done;
      else report.hourly += done;
      if (done < batch) break;
    }
  }
  return report;
}

/** Options of {@linkcode scheduleRollups}. */
export interface RollupSchedule {
  /** Delay between a commit and the roll-up it triggers, ms (default 5 000: commits in a row share one). */
  afterCommitMs?: number;
  /** Period of the runs when nothing is committed, ms (default 60 000). */
  periodMs?: number;
  onReport?: (report: RollupReport) => void;
  /** Called when a run fails; the next one is still scheduled. */
  onError?: (error: unknown) => void;
}

/** A running roll-up schedule. */
export interface RollupTimer {
  /** Asks for a run soon (after a commit). */
  poke(): void;
  /** Stops the schedule and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Runs {@linkcode runRollups} now, shortly after each {@linkcode RollupTimer.poke}, and periodically. */
export function scheduleRollups(db: Database, options: RollupSchedule = {}): RollupTimer {
  const afterCommitMs = options.afterCommitMs ?? 5_000;
  const periodMs = options.periodMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dueAt = 0;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const arm = (ms: number) => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    dueAt = Date.now() + ms;
    timer = setTimeout(run, ms);
  };
  function run(): void {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = runRollups(db).then((report) => options.onReport?.(report), (error) => options.onError?.(error))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          arm(afterCommitMs);
        } else arm(periodMs);
      });
  }
  arm(0);
  return {
    poke() {
      if (stopped) return;
      // Never later than afterCommitMs from the first poke: a steady stream of commits still runs.
      if (running) again = true;
      else if (timer === undefined || dueAt - Date.now() > afterCommitMs) arm(afterCommitMs);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
