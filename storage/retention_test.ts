import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { testOnDrivers } from "./_testing.ts";
import { runRetention, scheduleRetention } from "./retention.ts";

const NOW = new Date("2026-03-15T10:00:00Z");

async function partitions(db: import("./database.ts").Database, table: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass ORDER BY 1`,
    [table],
  );
  return rows.map((row) => row.name);
}

testOnDrivers("retention", async (t, scratch) => {
  const db = scratch.db;
  // Old data, as an old capture or a long-running appliance leaves it.
  await db.query("SELECT netsentinel_ensure_day_partitions('traffic_metrics', $1::date[])", [
    ["2026-01-01", "2026-02-12", "2026-02-13", "2026-03-01"],
  ]);
  await db.query("SELECT netsentinel_ensure_day_partitions('protocol_events', $1::date[])", [["2026-02-01"]]);
  await db.query(
    `INSERT INTO traffic_metrics (time, metric_type, flow_id, packet_count)
     VALUES ('2026-02-12T23:59:00Z', 'flow', 1, 5), ('2026-02-13T00:00:00Z', 'flow', 1, 7)`,
  );
  await db.query(
    `INSERT INTO ingested_batches (sensor_id, boot, seq, applied_at)
     VALUES ('s', 'b', 0, '2026-02-01T00:00:00Z'), ('s', 'b', 1, '2026-03-15T09:00:00Z')`,
  );
  await db.query(
    `INSERT INTO traffic_flows (src_mac, dst_mac, ethertype, first_seen, last_seen)
     VALUES ('00:00:00:00:00:01', '00:00:00:00:00:02', 2054, '2026-01-01T00:00:00Z', '2026-02-10T00:00:00Z'),
            ('00:00:00:00:00:01', '00:00:00:00:00:03', 2054, '2026-01-01T00:00:00Z', '2026-03-10T00:00:00Z')`,
  );

  await t.step("runRetention() creates partitions ahead and drops expired ones", async () => {
    const report = await runRetention(db, { now: NOW, retentionDays: 30, daysAhead: 3 });
    for (const rollup of ["traffic_metrics_5m", "traffic_metrics_1h"]) {
      deepStrictEqual(
        report.created.filter((name) => name.startsWith(`${rollup}_p`)).sort(),
        ["15", "16", "17", "18"].map((d) => `${rollup}_p202603${d}`),
      );
    }
    deepStrictEqual(
      report.created.filter((name) => /^(traffic_metrics|protocol_events)_p/.test(name)).sort(),
      [
        "protocol_events_p20260315",
        "protocol_events_p20260316",
        "protocol_events_p20260317",
        "protocol_events_p20260318",
        "traffic_metrics_p20260315",
        "traffic_metrics_p20260316",
        "traffic_metrics_p20260317",
        "traffic_metrics_p20260318",
      ],
    );
    // 30 days before 2026-03-15 is 2026-02-13: partitions ending on or before it go.
    deepStrictEqual(report.dropped.sort(), [
      "protocol_events_p20260201",
      "traffic_metrics_p20260101",
      "traffic_metrics_p20260212",
    ]);
    strictEqual(report.forgottenBatches, 1);
    strictEqual(report.expiredFlows, 1);
    deepStrictEqual(
      await db.query("SELECT application, flows::int, packets::int, bytes::int FROM flow_application_totals"),
      await db.query(
        `SELECT COALESCE(application, 'other') AS application, count(*)::int AS flows,
           sum(packet_count)::int AS packets, sum(byte_count)::int AS bytes FROM traffic_flows GROUP BY 1`,
      ),
      "the per-application totals lose the expired flow",
    );
    deepStrictEqual(await partitions(db, "traffic_metrics"), [
      "traffic_metrics_p20260213",
      "traffic_metrics_p20260301",
      "traffic_metrics_p20260315",
      "traffic_metrics_p20260316",
      "traffic_metrics_p20260317",
      "traffic_metrics_p20260318",
    ]);
    const rows = await db.query<{ n: number }>("SELECT sum(packet_count)::int AS n FROM traffic_metrics");
    strictEqual(rows[0].n, 7, "the kept day keeps its rows");
    const batches = await db.query<{ seq: number }>("SELECT seq::int FROM ingested_batches");
    deepStrictEqual(batches, [{ seq: 1 }]);
  });

  await t.step("second run the same day: nothing to do", async () => {
    const report = await runRetention(db, { now: NOW, retentionDays: 30, daysAhead: 3 });
    deepStrictEqual(report, {
      created: [],
      dropped: [],
      policies: [],
      forgottenBatches: 0,
      expiredFlows: 0,
      horizon: NOW.toISOString(),
    });
  });

  await t.step("a shorter retention drops more", async () => {
    const report = await runRetention(db, { now: NOW, retentionDays: 7, daysAhead: 0 });
    deepStrictEqual(report.dropped.sort(), ["traffic_metrics_p20260213", "traffic_metrics_p20260301"]);
  });

  await t.step("roll-ups are dropped by partition after their own days (90 and 365 by default)", async () => {
    await db.query("SELECT netsentinel_ensure_day_partitions('traffic_metrics_5m', $1::date[])", [
      ["2025-12-14", "2025-12-15", "2026-01-20"],
    ]);
    await db.query("SELECT netsentinel_ensure_day_partitions('traffic_metrics_1h', $1::date[])", [
      ["2025-03-14", "2025-03-15", "2025-12-14"],
    ]);
    // 90 days before 2026-03-15 is 2025-12-15, 365 days before is 2025-03-15.
    let report = await runRetention(db, { now: NOW, retentionDays: 30, daysAhead: 0 });
    deepStrictEqual(report.dropped.sort(), ["traffic_metrics_1h_p20250314", "traffic_metrics_5m_p20251214"]);
    report = await runRetention(db, {
      now: NOW,
      retentionDays: 30,
      daysAhead: 0,
      rollup5mDays: 30,
      rollup1hDays: 60,
    });
    deepStrictEqual(report.dropped.sort(), [
      "traffic_metrics_1h_p20250315",
      "traffic_metrics_1h_p20251214",
      "traffic_metrics_5m_p20251215",
      "traffic_metrics_5m_p20260120",
    ]);
    deepStrictEqual(await partitions(db, "traffic_metrics_5m"), [
      "traffic_metrics_5m_p20260315",
      "traffic_metrics_5m_p20260316",
      "traffic_metrics_5m_p20260317",
      "traffic_metrics_5m_p20260318",
    ]);
    await rejects(
      runRetention(db, { rollup1hDays: 0 }),
      new RangeError("Cannot run retention: rollup1hDays must be an integer from 1 to 3650, got 0"),
    );
  });

  await t.step("an old capture is kept: the horizon is its newest packet, not today", async () => {
    await scratch.reset();
    // A sensor that read a capture of 2025-06-11 (newest packet 09:03:20 UTC), stored 9 months later.
    const lastUs = Date.parse("2025-06-11T09:03:20Z") * 1000;
    await db.query("INSERT INTO sensors (sensor_id, last_boot) VALUES ('file', 'b')");
    await db.query(
      "INSERT INTO sensor_boots (sensor_id, boot, last_seq, stats) VALUES ('file', 'b', 5, $1::text::jsonb)",
      [JSON.stringify({ packets: 10, lastUs })],
    );
    await db.query("SELECT netsentinel_ensure_day_partitions('traffic_metrics', $1::date[])", [
      ["2025-05-01", "2025-06-11"],
    ]);
    await db.query(
      `INSERT INTO traffic_flows (src_mac, dst_mac, ethertype, first_seen, last_seen)
       VALUES ('00:00:00:00:00:01', '00:00:00:00:00:02', 2054, '2025-06-11T09:00:00Z', '2025-06-11T09:03:00Z'),
              ('00:00:00:00:00:01', '00:00:00:00:00:03', 2054, '2025-04-01T00:00:00Z', '2025-05-10T00:00:00Z')`,
    );
    const report = await runRetention(db, { now: NOW, retentionDays: 30, daysAhead: 0 });
    strictEqual(report.horizon, "2025-06-11T09:03:20.000Z");
    // 30 days before the newest packet is 2025-05-12: the capture's day stays, older data goes.
    deepStrictEqual(report.dropped.sort(), ["traffic_metrics_p20250501"]);
    strictEqual(report.expiredFlows, 1);
    deepStrictEqual(
      (await partitions(db, "traffic_metrics")).filter((name) => name.includes("2025")),
      ["traffic_metrics_p20250611"],
    );
  });

  await t.step("a sensor clock in the future cannot push the horizon past now", async () => {
    await db.query("UPDATE sensor_boots SET stats = $1::text::jsonb", [
      JSON.stringify({ packets: 10, lastUs: Date.parse("2031-01-01T00:00:00Z") * 1000 }),
    ]);
    const report = await runRetention(db, { now: NOW, retentionDays: 30, daysAhead: 0 });
    strictEqual(report.horizon, NOW.toISOString());
    deepStrictEqual(report.dropped, ["traffic_metrics_p20250611"]);
  });

  await t.step("bad options", async () => {
    await rejects(
      runRetention(db, { retentionDays: 0 }),
      new RangeError("Cannot run retention: retentionDays must be an integer from 1 to 3650, got 0"),
    );
    await rejects(
      runRetention(db, { daysAhead: 1.5 }),
      new RangeError("Cannot run retention: daysAhead must be an integer from 0 to 60, got 1.5"),
    );
  });

  await t.step("scheduleRetention() runs at once and stops cleanly", async () => {
    await scratch.reset();
    const reports: unknown[] = [];
    const timer = scheduleRetention(db, { onReport: (report) => reports.push(report) });
    const first = await timer.first;
    timer.stop();
    strictEqual(reports.length, 1);
    const today = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    strictEqual(first?.created.includes(`traffic_metrics_p${today}`), true);
  });
});
