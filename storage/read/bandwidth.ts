/**
 * Bandwidth series, summed in SQL into at most `points` buckets (a week of minutes becomes a chart's
 * worth of points on the server, not in the browser). A device's series is what it received and
 * sent; the network's is the sum of flows.
 *
 * Long ranges read the roll-ups (storage/rollups.ts): the coarsest of `traffic_metrics` (1 min),
 * `traffic_metrics_5m` and `traffic_metrics_1h` that still gives the points asked for. Buckets not
 * rolled up yet (`rollup_pending`: the last minutes, or a capture just imported) are read from the
 * finer table, so a series is exact whichever table serves it.
 *
 * @module
 */

import type { Queryable } from "../database.ts";

/** One point of a series: the bucket's start and the bytes and packets in it. */
export interface BandwidthPoint {
  time: string;
  bytes_in: number;
  bytes_out: number;
  packets_in: number;
  packets_out: number;
}

/** A series, the bucket width it was summed into and the table it was read from. */
export interface BandwidthSeries {
  from: string;
  to: string;
  bucket_seconds: number;
  /** `traffic_metrics`, `traffic_metrics_5m` or `traffic_metrics_1h`. */
  source: string;
  points: BandwidthPoint[];
}

/** What to read. */
export interface BandwidthQuery {
  /** ISO times; `to` is exclusive. */
  from: string;
  to: string;
  /** Most points wanted (the bucket is widened to whole multiples of the table's bucket to fit). */
  points: number;
  /** A device's in/out; absent: the whole network (flow buckets, as bytes_out). */
  deviceId?: number;
}

/** The tables a series can be read from, finest first, with their bucket in seconds. */
export const SERIES_TABLES = [
  { table: "traffic_metrics", seconds: 60 },
  { table: "traffic_metrics_5m", seconds: 300 },
  { table: "traffic_metrics_1h", seconds: 3600 },
] as const;

/**
 * The table and bucket width of a series: the bucket is the range over `points` in whole minutes (as
 * the minutes would give it), read from the coarsest table whose bucket is not wider, and widened to
 * a multiple of it (so there are never more than `points` points).
 */
export function seriesSource(
  from: string,
  to: string,
  points: number,
): { table: string; seconds: number; bucketSeconds: number } {
  const wanted = Math.max(60, Math.ceil((Date.parse(to) - Date.parse(from)) / 1000 / points / 60) * 60);
  const source = [...SERIES_TABLES].reverse().find((t) => t.seconds <= wanted) ?? SERIES_TABLES[0];
  return {
    table: source.table,
    seconds: source.seconds,
    bucketSeconds: Math.ceil(wanted / source.seconds) * source.seconds,
  };
}

/** The bucket width, in whole minutes at least, that fits `from`…`to` into `points` buckets. */
export function bucketSeconds(from: string, to: string, points: number): number {
  return seriesSource(from, to, points).bucketSeconds;
}

const EPOCH = "timestamptz '2000-01-01 00:00:00+00'";

/**
 * Rows of `table` in the range (`$1`…`$2`, device `$4` when given) as (time, dir, bytes, packets):
 * a device's `device_in`/`device_out` rows, or the network's rows (`flow` rows of the minutes, the
 * `network` total of a roll-up).
 */
function rows(table: string, device: boolean, extra = ""): string {
  const kinds = device
    ? `device_id = $4 AND metric_type IN ('device_in', 'device_out')`
    : `metric_type = '${table === "traffic_metrics" ? "flow" : "network"}'`;
  return `SELECT time, CASE WHEN metric_type = 'device_in' THEN 'in' ELSE 'out' END AS dir, byte_count,
      packet_count FROM ${table}
    WHERE time >= $1::timestamptz AND time < $2::timestamptz AND ${kinds} ${extra}`;
}

/** The rows a series sums: rolled-up rows where they are current, finer ones where they are pending. */
function currentRows(table: string, device: boolean): string {
  const bin5 = `date_bin('5 minutes', time, ${EPOCH})`;
  const bin1h = `date_bin('1 hour', time, ${EPOCH})`;
  const stale5 = `(SELECT bucket FROM rollup_pending WHERE target = 'traffic_metrics_5m'
      AND bucket >= $1::timestamptz - interval '5 minutes' AND bucket < $2::timestamptz)`;
  const stale1h = `(SELECT bucket FROM rollup_pending WHERE target = 'traffic_metrics_1h'
      AND bucket >= $1::timestamptz - interval '1 hour' AND bucket < $2::timestamptz
    UNION SELECT date_bin('1 hour', bucket, ${EPOCH}) FROM rollup_pending WHERE target = 'traffic_metrics_5m'
      AND bucket >= $1::timestamptz - interval '1 hour' AND bucket < $2::timestamptz)`;
  if (table === "traffic_metrics") return rows(table, device);
  const minutes = rows("traffic_metrics", device, `AND ${bin5} IN ${stale5}`);
  if (table === "traffic_metrics_5m") {
    return `${rows(table, device, `AND time NOT IN ${stale5}`)} UNION ALL ${minutes}`;
  }
  return `${rows(table, device, `AND time NOT IN ${stale1h}`)}
    UNION ALL ${rows("traffic_metrics_5m", device, `AND ${bin1h} IN ${stale1h} AND time NOT IN ${stale5}`)}
    UNION ALL ${minutes}`;
}

function alignDown(iso: string, seconds: number): string {
  const ms = seconds * 1000;
  return new Date(Math.floor(Date.parse(iso) / ms) * ms).toISOString();
}

function alignUp(iso: string, seconds: number): string {
  const ms = seconds * 1000;
  return new Date(Math.ceil(Date.parse(iso) / ms) * ms).toISOString();
}

/** The series of `query`. */
export async function readBandwidth(db: Queryable, query: BandwidthQuery): Promise<BandwidthSeries> {
  const source = seriesSource(query.from, query.to, query.points);
  // A rolled-up bucket is all or nothing: the range is widened to whole buckets of its table.
  const from = alignDown(query.from, source.seconds);
  const to = alignUp(query.to, source.seconds);
  const wanted = Math.max(60, Math.ceil((Date.parse(to) - Date.parse(from)) / 1000 / query.points / 60) * 60);
  const width = Math.ceil(wanted / source.seconds) * source.seconds;
  const device = query.deviceId !== undefined;
  const points = await db.query<BandwidthPoint>(
    `SELECT to_char(to_timestamp(floor(extract(epoch FROM time) / $3) * $3) AT TIME ZONE 'UTC',
         'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time,
       COALESCE(sum(byte_count) FILTER (WHERE dir = 'in'), 0)::float8 AS bytes_in,
       COALESCE(sum(byte_count) FILTER (WHERE dir = 'out'), 0)::float8 AS bytes_out,
       COALESCE(sum(packet_count) FILTER (WHERE dir = 'in'), 0)::float8 AS packets_in,
       COALESCE(sum(packet_count) FILTER (WHERE dir = 'out'), 0)::float8 AS packets_out
     FROM (${currentRows(source.table, device)}) r
     GROUP BY 1 ORDER BY 1`,
    device ? [from, to, width, query.deviceId] : [from, to, width],
  );
  return { from, to, bucket_seconds: width, source: source.table, points };
}
