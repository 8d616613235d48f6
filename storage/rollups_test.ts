/**
 * Roll-ups on both drivers, over captures imported through the persistence path: every 5-minute row
 * is the sum of its minutes and every hourly row the sum of its 5-minute rows (and of its minutes);
 * a second run, or recomputing everything, changes nothing; a minute written after its roll-up is
 * read from the minutes until the next run; long ranges read the coarse tables and give the same
 * totals as the minutes.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { flushRecordsOf, testOnDrivers } from "./_testing.ts";
import type { Database } from "./database.ts";
import { Persistence } from "./persistence.ts";
import { readBandwidth } from "./read/bandwidth.ts";
import { runRollups, scheduleRollups } from "./rollups.ts";
import { SHARED_PCAPS, SHARED_PCAPS_DIR } from "../tests/shared_pcaps.ts";
import { waitFor } from "../tests/wait.ts";

const CAPTURES = ["modbus_tcp_test_data_part1.pcap", "dns_mdns_llmnr_mix.pcap", "iec104_diverse.pcap"];
const SUMS = `sum(packet_count)::float8 AS packets, sum(byte_count)::float8 AS bytes,
  sum(tcp_syn_count)::float8 AS syn, sum(tcp_rst_count)::float8 AS rst, sum(tcp_fin_count)::float8 AS fin,
  max(max_packet_size) AS max_size, min(min_packet_size) AS min_size`;

/**
 * Keyed rows of `table` summed per `width` bucket, as lines sorted (an independent grouping); the
 * network totals of the roll-ups (`network`) are left out, or (`network: true`) the only rows, and
 * for the minutes the sum of the `flow` rows stands for them.
 */
async function grouped(db: Database, table: string, width: string, network = false): Promise<string[]> {
  const minutes = table === "traffic_metrics";
  const select = network
    ? `SELECT time, 'network' AS metric_type, NULL::bigint AS flow_id, NULL::bigint AS device_id, packet_count,
         byte_count, tcp_syn_count, tcp_rst_count, tcp_fin_count, max_packet_size, min_packet_size FROM ${table}
       WHERE metric_type = '${minutes ? "flow" : "network"}'`
    : `SELECT * FROM ${table} WHERE metric_type <> 'network'`;
  const rows = await db.query<{ line: string }>(
    `SELECT concat_ws('|', date_bin('${width}', time, timestamptz '2000-01-01 00:00:00+00'), metric_type,
       flow_id, device_id, packets, bytes, syn, rst, fin, max_size, min_size) AS line
     FROM (SELECT time, metric_type, flow_id, device_id, ${SUMS} FROM (
             SELECT date_bin('${width}', time, timestamptz '2000-01-01 00:00:00+00') AS time, metric_type,
               flow_id, device_id, packet_count, byte_count, tcp_syn_count, tcp_rst_count, tcp_fin_count,
               max_packet_size, min_packet_size FROM (${select}) s) b
           GROUP BY 1, 2, 3, 4) g ORDER BY 1`,
  );
  return rows.map((row) => row.line);
}

async function pending(db: Database): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM rollup_pending"))[0].n;
}

async function exact(db: Database): Promise<void> {
  const minutes5 = await grouped(db, "traffic_metrics", "5 minutes");
  ok(minutes5.length > 10, `the captures give several 5-minute buckets (${minutes5.length})`);
  deepStrictEqual(await grouped(db, "traffic_metrics_5m", "5 minutes"), minutes5, "5 min = sum of minutes");
  const minutes1h = await grouped(db, "traffic_metrics", "1 hour");
  deepStrictEqual(await grouped(db, "traffic_metrics_5m", "1 hour"), minutes1h);
  deepStrictEqual(
    await grouped(db, "traffic_metrics_1h", "1 hour"),
    minutes1h,
    "1 h = sum of 5 min = sum of minutes",
  );
}

async function flowBytes(db: Database, from: string, to: string): Promise<number> {
  return (await db.query<{ n: number }>(
    `SELECT COALESCE(sum(byte_count), 0)::float8 AS n FROM traffic_metrics
     WHERE metric_type = 'flow' AND time >= $1::timestamptz AND time < $2::timestamptz`,
    [from, to],
  ))[0].n;
}

testOnDrivers("roll-ups", async (t, scratch) => {
  SHARED_PCAPS.check();
  const db = scratch.db;
  const persistence = new Persistence(db);
  let seq = 0;
  for (const name of CAPTURES) {
    for (const record of await flushRecordsOf(join(SHARED_PCAPS_DIR, name), 500)) {
      await persistence.apply({ sensor: "test", boot: "rollups", seq: seq++, record });
    }
  }
  const [span] = await db.query<{ last: string }>(
    `SELECT to_char(max(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last FROM traffic_metrics`,
  );
  const to = new Date(Date.parse(span.last) + 3_600_000).toISOString();
  const month = new Date(Date.parse(to) - 30 * 86_400_000).toISOString();

  await t.step("commits mark their 5-minute buckets; a run rolls every one up, exactly", async () => {
    const [{ n }] = await db.query<{ n: number }>(
      `SELECT count(DISTINCT date_bin('5 minutes', time, timestamptz '2000-01-01 00:00:00+00'))::int AS n
       FROM traffic_metrics`,
    );
    strictEqual(await pending(db), n);
    const report = await runRollups(db, { batch: 7 });
    strictEqual(report.fiveMinute, n);
    ok(report.hourly >= 1);
    strictEqual(await pending(db), 0);
    await exact(db);
  });

  await t.step("idempotent: a second run does nothing, recomputing everything changes nothing", async () => {
    const before = [
      await grouped(db, "traffic_metrics_5m", "5 minutes"),
      await grouped(db, "traffic_metrics_1h", "1 hour"),
    ];
    deepStrictEqual(await runRollups(db), { fiveMinute: 0, hourly: 0 });
    await db.query(
      `INSERT INTO rollup_pending (target, bucket) SELECT DISTINCT 'traffic_metrics_5m', time FROM traffic_metrics_5m
       UNION SELECT DISTINCT 'traffic_metrics_1h', time FROM traffic_metrics_1h`,
    );
    await runRollups(db);
    deepStrictEqual(
      [
        await grouped(db, "traffic_metrics_5m", "5 minutes"),
        await grouped(db, "traffic_metrics_1h", "1 hour"),
      ],
      before,
    );
  });

  await t.step(
    "a 30-day range reads the hourly table, 2 days the 5-minute one, an hour the minutes",
    async () => {
      const cases: [string, number, string, number][] = [
        [month, 300, "traffic_metrics_1h", 3 * 3600],
        [new Date(Date.parse(to) - 2 * 86_400_000).toISOString(), 300, "traffic_metrics_5m", 600],
        [new Date(Date.parse(to) - 3_600_000).toISOString(), 60, "traffic_metrics", 60],
      ];
      for (const [from, points, source, width] of cases) {
        const series = await readBandwidth(db, { from, to, points });
        strictEqual(series.source, source, from);
        strictEqual(series.bucket_seconds, width);
        ok(series.points.length <= points);
        strictEqual(
          series.points.reduce((sum, p) => sum + p.bytes_out, 0),
          await flowBytes(db, series.from, series.to),
        );
      }
      const [device] = await db.query<{ id: number; bytes: number }>(
        `SELECT device_id::int AS id, sum(byte_count)::float8 AS bytes FROM traffic_metrics WHERE metric_type = 'device_in'
       AND time >= $1::timestamptz GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
        [month],
      );
      const series = await readBandwidth(db, { from: month, to, points: 300, deviceId: device.id });
      strictEqual(series.source, "traffic_metrics_1h");
      strictEqual(series.points.reduce((sum, p) => sum + p.bytes_in, 0), device.bytes);
    },
  );

  await t.step("a minute written after its roll-up: read from the minutes until the next run", async () => {
    const [row] = await db.query<{ time: string; flow: number }>(
      "SELECT time::text AS time, flow_id::int AS flow FROM traffic_metrics WHERE metric_type = 'flow' ORDER BY time LIMIT 1",
    );
    await db.query(
      "UPDATE traffic_metrics SET byte_count = byte_count + 1000, packet_count = packet_count + 1 WHERE time = $1::timestamptz AND flow_id = $2 AND metric_type = 'flow'",
      [row.time, row.flow],
    );
    await db.query(
      `INSERT INTO traffic_metrics (time, metric_type, flow_id, packet_count, byte_count)
       VALUES ($1::timestamptz + interval '2 minutes', 'flow', $2, 3, 333)
       ON CONFLICT (time, metric_type, flow_id, device_id) DO UPDATE SET byte_count = traffic_metrics.byte_count + 333,
         packet_count = traffic_metrics.packet_count + 3`,
      [row.time, row.flow],
    );
    ok(await pending(db) >= 1, "the bucket is pending again");
    const series = await readBandwidth(db, { from: month, to, points: 300 });
    strictEqual(series.source, "traffic_metrics_1h");
    strictEqual(
      series.points.reduce((sum, p) => sum + p.bytes_out, 0),
      await flowBytes(db, series.from, series.to),
    );
    await runRollups(db);
    await exact(db);
  });

  await t.step("scheduleRollups() runs after a poke and stops cleanly", async () => {
    await db.query(
      `INSERT INTO rollup_pending (target, bucket) SELECT DISTINCT 'traffic_metrics_5m', time FROM traffic_metrics_5m`,
    );
    const reports: unknown[] = [];
    const timer = scheduleRollups(db, {
      afterCommitMs: 10,
      periodMs: 60_000,
      onReport: (r) => reports.push(r),
    });
    timer.poke();
    await waitFor(
      async () => (await pending(db)) === 0 && reports.length >= 1,
      10_000,
      "pending buckets rolled up",
    );
    await timer.stop();
    await exact(db);
  });
});
