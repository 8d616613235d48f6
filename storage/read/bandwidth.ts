/**
 * Bandwidth series from the per-minute buckets (`traffic_metrics`), summed into at most `points`
 * buckets in SQL (a week of minutes becomes a chart's worth of points on the server, not in the
 * browser). A device's series is what it received and sent; the network's is the sum of flows.
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

/** A series and the bucket width it was summed into. */
export interface BandwidthSeries {
  from: string;
  to: string;
  bucket_seconds: number;
  points: BandwidthPoint[];
}

/** What to read. */
export interface BandwidthQuery {
  /** ISO times; `to` is exclusive. */
  from: string;
  to: string;
  /** Most points wanted (the bucket is widened to whole minutes to fit). */
  points: number;
  /** A device's in/out; absent: the whole network (flow buckets, as bytes_out). */
  deviceId?: number;
}

/** The bucket width, in whole minutes, that fits `from`…`to` into `points` buckets. */
export function bucketSeconds(from: string, to: string, points: number): number {
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  return Math.max(60, Math.ceil(seconds / points / 60) * 60);
}

/** The series of `query`. */
export async function readBandwidth(db: Queryable, query: BandwidthQuery): Promise<BandwidthSeries> {
  const width = bucketSeconds(query.from, query.to, query.points);
  const device = query.deviceId !== undefined;
  const inType = device ? "device_in" : "none";
  const outType = device ? "device_out" : "flow";
  const points = await db.query<BandwidthPoint>(
    `SELECT to_char(to_timestamp(floor(extract(epoch FROM time) / $3) * $3) AT TIME ZONE 'UTC',
         'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time,
       COALESCE(sum(byte_count) FILTER (WHERE metric_type = $4), 0)::float8 AS bytes_in,
       COALESCE(sum(byte_count) FILTER (WHERE metric_type = $5), 0)::float8 AS bytes_out,
       COALESCE(sum(packet_count) FILTER (WHERE metric_type = $4), 0)::float8 AS packets_in,
       COALESCE(sum(packet_count) FILTER (WHERE metric_type = $5), 0)::float8 AS packets_out
     FROM traffic_metrics
     WHERE time >= $1::timestamptz AND time < $2::timestamptz AND metric_type IN ($4, $5)
       ${device ? "AND device_id = $6" : ""}
     GROUP BY 1 ORDER BY 1`,
    device
      ? [query.from, query.to, width, inType, outType, query.deviceId]
      : [query.from, query.to, width, inType, outType],
  );
  return { from: query.from, to: query.to, bucket_seconds: width, points };
}
