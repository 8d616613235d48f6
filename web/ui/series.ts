/**
 * The bandwidth series a chart shows: the last 24 hours of the data (a capture imported from a file
 * is old; "now" would be empty), narrowed to where the traffic is when it covers only part of them,
 * so a short capture fills the chart with minutes rather than one bar in a day.
 *
 * @module
 */

import type { Queryable } from "../../storage/database.ts";
import { type BandwidthSeries, readBandwidth } from "../../storage/read/bandwidth.ts";

/** Points of a chart. */
const POINTS = 120;

/** The range to read: up to 24 hours ending at the last packet (or now). */
export function chartRange(firstSeen: string | null, lastSeen: string | null): { from: string; to: string } {
  const now = Date.now();
  const last = lastSeen ? Math.min(now, Date.parse(lastSeen) + 60_000) : now;
  const first = firstSeen ? Math.max(Date.parse(firstSeen) - 60_000, last - 86_400_000) : last - 86_400_000;
  const from = Math.min(first, last - 120_000);
  return { from: new Date(from).toISOString(), to: new Date(last).toISOString() };
}

/** The series of the network (or of `deviceId`) over `range`, narrowed to the traffic in it. */
export async function chartSeries(
  db: Queryable,
  range: { from: string; to: string },
  deviceId?: number,
): Promise<BandwidthSeries> {
  const wide = await readBandwidth(db, { ...range, points: POINTS, deviceId });
  const busy = wide.points.filter((point) => point.bytes_in + point.bytes_out > 0);
  if (busy.length === 0) return wide;
  const from = Date.parse(busy[0].time);
  const to = Date.parse(busy[busy.length - 1].time) + wide.bucket_seconds * 1000;
  if (to - from > (Date.parse(range.to) - Date.parse(range.from)) / 4 || wide.bucket_seconds === 60) {
    return wide;
  }
  const margin = Math.max(60_000, (to - from) / 10);
  return await readBandwidth(db, {
    from: new Date(from - margin).toISOString(),
    to: new Date(Math.min(Date.parse(range.to), to + margin)).toISOString(),
    points: POINTS,
    deviceId,
  });
}
