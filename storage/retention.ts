/**
 * Retention of the time series: daily partitions are created ahead (today … today + `daysAhead`,
 * UTC) and dropped once they end `retentionDays` days before the newest capture time stored — a
 * whole partition at a time, no row-by-row DELETE. The roll-ups (`traffic_metrics_5m`,
 * `traffic_metrics_1h`, storage/rollups.ts) are dropped the same way after `rollup5mDays` and
 * `rollup1hDays`. Run at start and daily
 * ({@linkcode scheduleRetention}). Flows not seen for that long are deleted too (the inventory of
 * devices, addresses and identities is kept). Batches a sensor may still redeliver
 * (`ingested_batches`) are forgotten `retentionDays` after they were applied (wall clock).
 *
 * The horizon is counted back from the newest packet any sensor reported (`sensor_boots`), never
 * from later than now: counted from the wall clock, a capture file older than `retentionDays` would
 * be stored batch after batch and then deleted at the next aggregator start — what was committed
 * before a restart would vanish and what came after would stay. A sensor with a clock in the future
 * cannot push the horizon past now.
 *
 * On a database where the migrations made hypertables (TimescaleDB installed and loadable), the
 * same call sets TimescaleDB's retention policy instead. That path cannot be tested on a server
 * without TimescaleDB.
 *
 * @module
 */

import type { Database } from "./database.ts";

/** Days of time series kept by default (the spec's 30 days of local history). */
export const DEFAULT_RETENTION_DAYS = 30;
/** Days of partitions created ahead of today by default. */
export const DEFAULT_DAYS_AHEAD = 3;
/** Days of 5-minute roll-ups kept by default. */
export const DEFAULT_ROLLUP_5M_DAYS = 90;
/** Days of hourly roll-ups kept by default. */
export const DEFAULT_ROLLUP_1H_DAYS = 365;
/** The tables partitioned by day. */
export const TIME_SERIES_TABLES: readonly string[] = [
  "traffic_metrics",
  "protocol_events",
  "traffic_metrics_5m",
  "traffic_metrics_1h",
];

const DAY_MS = 86_400_000;

/** Options of {@linkcode runRetention}. */
export interface RetentionOptions {
  /** Days kept (1–3650, default {@linkcode DEFAULT_RETENTION_DAYS}). */
  retentionDays?: number;
  /** Days of 5-minute roll-ups kept (1–3650, default {@linkcode DEFAULT_ROLLUP_5M_DAYS}). */
  rollup5mDays?: number;
  /** Days of hourly roll-ups kept (1–3650, default {@linkcode DEFAULT_ROLLUP_1H_DAYS}). */
  rollup1hDays?: number;
  /** Days of partitions created after today (0–60, default {@linkcode DEFAULT_DAYS_AHEAD}). */
  daysAhead?: number;
  /** The current time (tests). */
  now?: Date;
}

/** What one retention run did. */
export interface RetentionReport {
  /** Partitions created. */
  created: string[];
  /** Partitions dropped. */
  dropped: string[];
  /** Hypertables whose TimescaleDB retention policy was set. */
  policies: string[];
  /** Idempotency records forgotten. */
  forgottenBatches: number;
  /** Flows not seen for `retentionDays` deleted (their buckets are gone with their partitions). */
  expiredFlows: number;
  /** ISO time the retention was counted back from: the newest capture time stored, at most now. */
  horizon: string;
}

/** The newest packet time (ms) the sensors reported, or null when none did. */
async function newestCaptureMs(db: Database): Promise<number | null> {
  const rows = await db.query<{ us: number | null }>(
    `SELECT max((stats->>'lastUs')::float8) AS us FROM sensor_boots WHERE jsonb_typeof(stats->'lastUs') = 'number'`,
  );
  const us = rows[0]?.us;
  return typeof us === "number" && Number.isFinite(us) ? us / 1000 : null;
}

function day(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot run retention: ${name} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

async function isHypertable(db: Database, table: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'
       AND NOT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass($1))`,
    [table],
  );
  return rows.length > 0;
}

/**
 * Creates the partitions ahead, drops the expired ones, forgets old batch ids.
 *
 * @throws {RangeError} on an out-of-range option
 * @throws {StorageError} when the database fails
 */
export async function runRetention(db: Database, options: RetentionOptions = {}): Promise<RetentionReport> {
  const retentionDays = checkRange("retentionDays", options.retentionDays ?? DEFAULT_RETENTION_DAYS, 1, 3650);
  const daysAhead = checkRange("daysAhead", options.daysAhead ?? DEFAULT_DAYS_AHEAD, 0, 60);
  const now = (options.now ?? new Date()).getTime();
  const ahead = Array.from({ length: daysAhead + 1 }, (_, i) => day(now + i * DAY_MS));
  const horizon = Math.min(now, await newestCaptureMs(db) ?? now);
  const keep: Record<string, number> = {
    traffic_metrics: retentionDays,
    protocol_events: retentionDays,
    traffic_metrics_5m: checkRange("rollup5mDays", options.rollup5mDays ?? DEFAULT_ROLLUP_5M_DAYS, 1, 3650),
    traffic_metrics_1h: checkRange("rollup1hDays", options.rollup1hDays ?? DEFAULT_ROLLUP_1H_DAYS, 1, 3650),
  };
  const report: RetentionReport = {
    created: [],
    dropped: [],
    policies: [],
    forgottenBatches: 0,
    expiredFlows: 0,
    horizon: new Date(horizon).toISOString(),
  };
  for (const table of TIME_SERIES_TABLES) {
    if (await isHypertable(db, table)) {
      await db.query(`SELECT remove_retention_policy($1::regclass, if_exists => true)`, [table]);
      await db.query(`SELECT add_retention_policy($1::regclass, make_interval(days => $2::int))`, [
        table,
        keep[table],
      ]);
      report.policies.push(table);
      continue;
    }
    const created = await db.query<{ names: string[] }>(
      "SELECT netsentinel_ensure_day_partitions($1::regclass, $2::date[]) AS names",
      [table, ahead],
    );
    report.created.push(...created[0].names);
    const dropped = await db.query<{ names: string[] }>(
      "SELECT netsentinel_drop_day_partitions($1::regclass, $2::date) AS names",
      [table, day(horizon - keep[table] * DAY_MS)],
    );
    report.dropped.push(...dropped[0].names);
  }
  const forgotten = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM ingested_batches WHERE applied_at < $1::timestamptz RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [new Date(now - retentionDays * DAY_MS).toISOString()],
  );
  report.forgottenBatches = forgotten[0].n;
  // Every connection from a new ephemeral port is a new flow: without this the table only grows.
  // The per-application totals (migration 012) lose what the deleted flows counted.
  const expired = await db.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM traffic_flows WHERE last_seen < $1::timestamptz
       RETURNING COALESCE(application, 'other') AS application, packet_count, byte_count),
     lost AS (
       UPDATE flow_application_totals t SET flows = t.flows - g.flows, packets = t.packets - g.packets,
         bytes = t.bytes - g.bytes
       FROM (SELECT application, count(*) AS flows, sum(packet_count) AS packets, sum(byte_count) AS bytes
             FROM gone GROUP BY 1) g
       WHERE t.application = g.application RETURNING 1)
     SELECT (SELECT count(*)::int FROM gone) AS n, (SELECT count(*) FROM lost) AS applications`,
    [new Date(horizon - retentionDays * DAY_MS).toISOString()],
  );
  report.expiredFlows = expired[0].n;
  return report;
}

/** Options of {@linkcode scheduleRetention}. */
export interface RetentionSchedule extends Omit<RetentionOptions, "now"> {
  /** Called after each run (e.g. to log what was dropped). */
  onReport?: (report: RetentionReport) => void;
  /** Called when a run fails; the next run is still scheduled. */
  onError?: (error: unknown) => void;
}

/** A running schedule. */
export interface RetentionTimer {
  /** The first run (at start). */
  readonly first: Promise<RetentionReport | null>;
  /** Stops the schedule (a run in progress finishes). */
  stop(): void;
}

/**
 * Runs retention now, then every day at 00:05 UTC.
 *
 * @returns the schedule: await `first` to know the database is ready for today's data
 */
export function scheduleRetention(db: Database, options: RetentionSchedule = {}): RetentionTimer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const run = async (): Promise<RetentionReport | null> => {
    try {
      const report = await runRetention(db, options);
      options.onReport?.(report);
      return report;
    } catch (error) {
      options.onError?.(error);
      return null;
    } finally {
      if (!stopped) {
        const next = (Math.floor(Date.now() / DAY_MS) + 1) * DAY_MS + 5 * 60_000;
        timer = setTimeout(run, next - Date.now());
      }
    }
  };
  return {
    first: run(),
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
