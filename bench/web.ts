/**
 * Web case of `deno task bench` (alone: `deno task bench:web [--only postgres|pglite] [--rounds N]
 * [--scale F]`, F < 1 for a quick smaller run):
 * a database filled in bulk with SQL `generate_series` (not through the sensor) — on PostgreSQL
 * 10 000 devices, 200 000 flows, 7 days of per-minute metrics for 1 000 devices (in and out) and
 * 200 flows; on PGlite 1 000 devices, 20 000 flows, 7 days for 100 devices and 20 flows — rolled
 * up, then the web server (`web/server.ts`) on a loopback port, called over HTTP with an API token:
 * the first page of devices, a device's detail, the dashboard (its figures and its 24-hour
 * bandwidth chart, fetched together as the page does), a device's 7-day bandwidth, and the CMDB CSV
 * export of every device. Prints, per case, the target, median, p95 and pass/fail.
 *
 * The client runs in the same process as the server, so the times include both ends of the HTTP
 * exchange on the machine's two cores.
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDatabase } from "../storage/database.ts";
import type { Database } from "../storage/database.ts";
import { migrate } from "../storage/migrate.ts";
import { runRollups } from "../storage/rollups.ts";
import { createUser } from "../storage/accounts/users.ts";
import { createToken } from "../storage/accounts/tokens.ts";
import { startWebServer } from "../web/server.ts";
import { WebConfigSchema } from "../config/web_schema.ts";

/** Sizes of one web bench run. */
export interface WebBenchSize {
  devices: number;
  flows: number;
  /** Devices with 7 days of per-minute in/out metrics. */
  metricDevices: number;
  /** Flows with 7 days of per-minute metrics (the network's bandwidth chart). */
  metricFlows: number;
  days: number;
}

/** The sizes of the issue: PostgreSQL and PGlite. */
export const WEB_BENCH_SIZES: Record<"postgres" | "pglite", WebBenchSize> = {
  postgres: { devices: 10_000, flows: 200_000, metricDevices: 1_000, metricFlows: 200, days: 7 },
  pglite: { devices: 1_000, flows: 20_000, metricDevices: 100, metricFlows: 20, days: 7 },
};

/** One measured case. */
export interface WebBenchCase {
  name: string;
  /** Target in ms for the p95 (the export: for the median), or null. */
  targetMs: number | null;
  medianMs: number;
  p95Ms: number;
  pass: boolean | null;
}

/** What one driver's run gives. */
export interface WebBenchResult {
  driver: "postgres" | "pglite";
  size: WebBenchSize;
  fillSeconds: number;
  rollupSeconds: number;
  metricRows: number;
  cases: WebBenchCase[];
}

const MINUTE_MS = 60_000;

/** Fills `db` with the synthetic inventory of `size`, ending now. */
export async function fill(db: Database, size: WebBenchSize, now: number): Promise<number> {
  const end = new Date(Math.floor(now / MINUTE_MS) * MINUTE_MS).toISOString();
  await db.query(
    `INSERT INTO devices (mac_address, oui_vendor, oui_prefix, device_type, device_name, display_name, os_family,
       ot_role, purdue_level, first_seen, last_seen, total_packets_sent, total_packets_received, total_bytes_sent,
       total_bytes_received, is_active)
     SELECT ('02:' || substr(h, 1, 2) || ':' || substr(h, 3, 2) || ':' || substr(h, 5, 2) || ':' || substr(h, 7, 2)
               || ':00')::macaddr,
       (ARRAY['Siemens AG', 'Rockwell Automation', 'Cisco Systems, Inc', 'Dell Inc.', 'Hewlett Packard'])[i % 5 + 1],
       '02:' || substr(h, 1, 2) || ':' || substr(h, 3, 2),
       (ARRAY['plc', 'hmi', 'switch', 'workstation', 'server', 'printer', 'camera', 'unknown'])[i % 8 + 1],
       CASE WHEN i % 7 = 0 THEN 'asset-' || i END, 'host-' || i || '.plant.example',
       (ARRAY['Windows', 'Linux', NULL, 'VxWorks'])[i % 4 + 1],
       CASE WHEN i % 8 < 2 THEN (ARRAY['controller', 'hmi'])[i % 8 + 1] END, CASE WHEN i % 8 < 2 THEN i % 3 END,
       $2::timestamptz - (i % 30) * interval '1 day' - interval '1 hour',
       $2::timestamptz - (i % 1440) * interval '1 minute',
       i * 37 % 100000, i * 53 % 100000, i * 3701 % 10000000, i * 5303 % 10000000, i % 10 <> 0
     FROM generate_series(1, $1::int) AS i, lpad(to_hex(i), 8, '0') AS h`,
    [size.devices, end],
  );
  await db.query(
    `INSERT INTO device_ips (device_id, ip_address, ip_version, vlan_id, first_seen, last_seen, learnt_from)
     SELECT d.id, ('10.' || (d.id / 65536) % 256 || '.' || (d.id / 256) % 256 || '.' || d.id % 256)::inet, 4,
       (d.id % 20 + 1)::smallint, d.first_seen, d.last_seen, '{arp,traffic}'
     FROM devices d`,
  );
  await db.query(
    `INSERT INTO device_vlans (device_id, vlan_id, first_seen)
     SELECT id, (id % 20 + 1)::smallint, first_seen FROM devices`,
  );
  await db.query(
    `INSERT INTO identity_attributes (device_id, mac_address, source, key, value, confidence, first_seen, last_seen,
       count)
     SELECT id, mac_address, 'dhcp', 'hostname', 'host-' || id, 80, first_seen, last_seen, 1 FROM devices`,
  );
  await db.query(
    `INSERT INTO traffic_flows (src_device_id, src_mac, src_ip, src_port, dst_device_id, dst_mac, dst_ip, dst_port,
       vlan_id, ethertype, ip_protocol, application, application_source, first_seen, last_seen, packet_count,
       byte_count)
     SELECT s.id, s.mac_address, ('10.' || (s.id / 65536) % 256 || '.' || (s.id / 256) % 256 || '.' || s.id % 256)::inet,
       1024 + (f / 8) % 64511, t.id, t.mac_address,
       ('10.' || (t.id / 65536) % 256 || '.' || (t.id / 256) % 256 || '.' || t.id % 256)::inet,
       (ARRAY[502, 102, 44818, 443, 80, 53, 20000, 2404])[f % 8 + 1], (s.id % 20 + 1)::smallint, 2048, 6,
       (ARRAY['modbus', 's7comm', 'enip', 'tls', 'http', 'dns', 'dnp3', 'iec104'])[f % 8 + 1], 'dissector',
       $3::timestamptz - (f % 10080) * interval '1 minute', $3::timestamptz - (f % 1440) * interval '1 minute',
       f % 5000 + 1, (f % 5000 + 1) * 120
     FROM generate_series(1, $1::int) AS f
     JOIN devices s ON s.id = f % $2::int + 1
     JOIN devices t ON t.id = (f * 7919) % $2::int + 1`,
    [size.flows, size.devices, end],
  );
  const days = Array.from(
    { length: size.days + 1 },
    (_, i) => new Date(now - i * 86_400_000).toISOString().slice(0, 10),
  );
  await db.query("SELECT netsentinel_ensure_day_partitions('traffic_metrics', $1::date[])", [days]);
  const minutes = size.days * 1440;
  let rows = 0;
  // A day at a time: each statement stays a few million rows.
  for (let day = 0; day < size.days; day++) {
    const inserted = await db.query<{ n: number }>(
      `WITH ins AS (
         INSERT INTO traffic_metrics (time, metric_type, flow_id, device_id, packet_count, byte_count,
           min_packet_size, max_packet_size)
         SELECT $1::timestamptz - m * interval '1 minute', k.type, NULL::bigint, d, (d + m) % 90 + 10,
           ((d + m) % 90 + 10) * 400, 60, 1514
         FROM generate_series($2::int, $3::int) AS m, generate_series(1, $4::int) AS d,
           (VALUES ('device_in'), ('device_out')) AS k(type)
         UNION ALL
         SELECT $1::timestamptz - m * interval '1 minute', 'flow', f, NULL::bigint, (f + m) % 50 + 1,
           ((f + m) % 50 + 1) * 600, 60, 1514
         FROM generate_series($2::int, $3::int) AS m, generate_series(1, $5::int) AS f
         RETURNING 1)
       SELECT count(*)::float8 AS n FROM ins`,
      [end, day * 1440 + 1, Math.min(minutes, (day + 1) * 1440), size.metricDevices, size.metricFlows],
    );
    rows += inserted[0].n;
  }
  await db.exec("ANALYZE");
  return rows;
}

/** Median and 95th percentile of `samples` (ms). */
function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95) };
}

async function time(run: () => Promise<void>, rounds: number): Promise<number[]> {
  await run(); // warm-up (JIT, plan cache, connection pool)
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** Runs the web bench on `db`, already migrated and empty. */
export async function benchWebOn(
  db: Database,
  driver: "postgres" | "pglite",
  size: WebBenchSize,
  rounds: number,
): Promise<WebBenchResult> {
  const now = Date.now();
  let started = performance.now();
  const metricRows = await fill(db, size, now);
  const fillSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await runRollups(db, { batch: 500 });
  // As a day-old database is: vacuumed (autovacuum would otherwise run during the measures).
  await db.exec("VACUUM (ANALYZE)");
  const rollupSeconds = (performance.now() - started) / 1000;
  const user = await createUser(db, {
    username: "bench",
    password: "bench-password-123",
    role: "viewer",
    mustChangePassword: false,
  }, { memoryKiB: 1024, iterations: 1, parallelism: 1 });
  const { secret } = await createToken(db, { userId: user.id, name: "bench", scope: "read" });
  const server = await startWebServer({
    config: WebConfigSchema.parse({ listen: "127.0.0.1:0" }),
    db,
    log: () => {},
  });
  const headers = { authorization: `Bearer ${secret}` };
  async function get(path: string): Promise<string> {
    const answer = await fetch(`${server.url}/api/v1${path}`, { headers });
    const body = await answer.text();
    if (answer.status !== 200) {
      throw new Error(`Cannot benchmark ${path}: ${answer.status} ${body.slice(0, 200)}`);
    }
    return body;
  }
  const day = new Date(now - 86_400_000).toISOString();
  const week = new Date(now - size.days * 86_400_000).toISOString();
  const ids = Array.from({ length: rounds + 1 }, (_, i) => 1 + ((i * 7919) % size.metricDevices));
  let next = 0;
  const cases: [string, number | null, () => Promise<void>, number][] = [
    ["devices, first page", 100, async () => void await get("/devices"), rounds],
    ["device detail", 100, async () => void await get(`/devices/${ids[next++ % ids.length]}`), rounds],
    ["dashboard (figures + 24 h chart)", 300, async () => {
      await Promise.all([get("/stats/dashboard"), get(`/stats/bandwidth?from=${day}&points=300`)]);
    }, rounds],
    ["device bandwidth, 7 days", null, async () => {
      await get(`/devices/${ids[next++ % ids.length]}/bandwidth?from=${week}&points=300`);
    }, rounds],
    [`CMDB CSV export (${size.devices} devices)`, 2000, async () => {
      const csv = await get("/export/cmdb?format=csv");
      const lines = csv.split("\r\n").length - 2;
      if (lines !== size.devices) throw new Error(`Cannot benchmark the export: ${lines} devices exported`);
    }, Math.max(3, Math.floor(rounds / 10))],
  ];
  const results: WebBenchCase[] = [];
  try {
    for (const [name, targetMs, run, n] of cases) {
      const { median, p95 } = stats(await time(run, n));
      const measured = name.startsWith("CMDB") ? median : p95;
      results.push({
        name,
        targetMs,
        medianMs: median,
        p95Ms: p95,
        pass: targetMs === null ? null : measured < targetMs,
      });
    }
  } finally {
    await server.shutdown();
  }
  return { driver, size, fillSeconds, rollupSeconds, metricRows, cases: results };
}

/** Runs the web bench on a scratch PostgreSQL database (created and dropped) or a temporary PGlite. */
export async function benchWeb(
  driver: "postgres" | "pglite",
  options: { url?: string; rounds?: number; size?: WebBenchSize } = {},
): Promise<WebBenchResult> {
  const size = options.size ?? WEB_BENCH_SIZES[driver];
  const rounds = options.rounds ?? 50;
  if (driver === "pglite") {
    const dir = await Deno.makeTempDir({ prefix: "ns-bench-web-" });
    const db = await openDatabase({ dataDir: dir });
    try {
      await migrate(db);
      return await benchWebOn(db, driver, size, rounds);
    } finally {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  }
  const admin = options.url ?? (Deno.env.get("DATABASE_URL") || "postgres://postgres@127.0.0.1:5432/test");
  const name = `ns_bench_web_${Date.now()}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  try {
    await migrate(db);
    return await benchWebOn(db, driver, size, rounds);
  } finally {
    await db.close();
    await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await sql.end();
  }
}

/** The result table (Markdown). */
export function webBenchTable(results: WebBenchResult[]): string {
  const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
  const lines = [
    "| web (HTTP, API token) | database | target | median | p95 | pass |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const result of results) {
    const label =
      `${result.driver === "postgres" ? "PostgreSQL" : "PGlite"} (${result.size.devices} devices, ` +
      `${result.size.flows} flows)`;
    for (const c of result.cases) {
      const target = c.targetMs === null
        ? "—"
        : `${c.name.startsWith("CMDB") ? "median" : "p95"} < ${c.targetMs} ms`;
      lines.push(
        `| ${c.name} | ${label} | ${target} | ${ms(c.medianMs)} | ${ms(c.p95Ms)} | ${
          c.pass === null ? "—" : c.pass ? "pass" : "FAIL"
        } |`,
      );
    }
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      only: { type: "string" },
      rounds: { type: "string", default: "50" },
      scale: { type: "string", default: "1" },
    },
  });
  const scale = Number(values.scale);
  const drivers = values.only ? [values.only as "postgres" | "pglite"] : ["postgres", "pglite"] as const;
  const results: WebBenchResult[] = [];
  for (const driver of drivers) {
    if (driver !== "postgres" && driver !== "pglite") throw new RangeError(`Cannot run: --only ${driver}`);
    console.error(`bench: web on ${driver}…`);
    const full = WEB_BENCH_SIZES[driver];
    const size = {
      ...full,
      devices: Math.round(full.devices * scale),
      flows: Math.round(full.flows * scale),
      metricDevices: Math.round(full.metricDevices * scale),
      metricFlows: Math.round(full.metricFlows * scale),
    };
    const result = await benchWeb(driver, { rounds: Number(values.rounds), size });
    console.error(
      `bench: ${driver}: filled in ${result.fillSeconds.toFixed(1)} s (${result.metricRows} metric rows), ` +
        `rolled up in ${result.rollupSeconds.toFixed(1)} s`,
    );
    results.push(result);
    console.log(webBenchTable([result]));
  }
  if (results.length > 1) console.log(`\n${webBenchTable(results)}`);
}
