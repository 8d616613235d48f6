/**
 * Topology benchmark: `GET /api/v1/topology` at the default aggregation (device level, answered by
 * subnet above 300 nodes) on PostgreSQL with 5 000 devices (20 /24 subnets, an address each) and
 * 50 000 unicast flows between distinct device pairs (50 000 device-level edges), through the web
 * app in memory with an API token: the median of `--rounds` calls after one warm-up. Target < 300 ms.
 *
 * ```sh
 * deno run -A bench/topology.ts [--devices 5000] [--edges 50000] [--flows-per-edge 1] [--rounds 7]
 * ```
 *
 * A scratch database (`ns_bench_topology_…`) on the server of DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), dropped at the end.
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import { PostgresDatabase } from "../storage/postgres.ts";
import { migrate } from "../storage/migrate.ts";
import { createUser } from "../storage/accounts/users.ts";
import { createToken } from "../storage/accounts/tokens.ts";
import { apiDeps, createWebApp } from "../web/app.ts";

/** What {@linkcode benchTopology} measured. */
export interface TopologyBenchResult {
  devices: number;
  edges: number;
  /** Port-level flows per edge (client ports): 1 is the worst case per flow, more is a real network. */
  flowsPerEdge: number;
  rounds: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  nodes: number;
  answeredEdges: number;
  aggregated: boolean;
  bytes: number;
  /** Medians of the other views on the same data: `/topology?level=zone`, `/topology/matrix?by=zone`. */
  zoneMs: number;
  matrixMs: number;
}

/** Fills `db` with `devices` devices and `edges` flows between distinct pairs. */
async function fill(
  db: PostgresDatabase,
  devices: number,
  edges: number,
  flowsPerEdge: number,
): Promise<void> {
  await db.exec(`
    INSERT INTO devices (mac_address, oui_prefix, device_type, purdue_level, first_seen, last_seen)
    SELECT ('02:00:00:' || lpad(to_hex(n / 65536), 2, '0') || ':' || lpad(to_hex((n / 256) % 256), 2, '0') || ':' ||
        lpad(to_hex(n % 256), 2, '0'))::macaddr, '02:00:00', CASE WHEN n % 10 = 0 THEN 'plc' ELSE 'workstation' END,
      CASE WHEN n % 10 = 0 THEN 1 END, now() - interval '1 day', now()
    FROM generate_series(1, ${devices}) AS n;
    INSERT INTO device_ips (device_id, ip_address, ip_version, first_seen, last_seen, learnt_from)
    SELECT d.id, ('10.0.' || (d.id / 250) || '.' || (d.id % 250 + 1))::inet, 4, d.first_seen, d.last_seen,
      '{traffic}' FROM devices d;
    INSERT INTO traffic_flows (src_device_id, src_mac, src_ip, src_port, dst_device_id, dst_mac, dst_ip, dst_port,
      ethertype, ip_protocol, application, first_seen, last_seen, packet_count, byte_count)
    SELECT s.id, s.mac_address, si.ip_address, 40000 + k, t.id, t.mac_address, ti.ip_address, 502,
      2048, 6, CASE WHEN e % 3 = 0 THEN 'modbus' END, now() - interval '1 hour', now(), 10 + e % 100, 1000 + e
    FROM generate_series(0, ${edges - 1}) AS e CROSS JOIN generate_series(0, ${flowsPerEdge - 1}) AS k
    JOIN devices s ON s.id = 1 + e % ${devices}
    JOIN devices t ON t.id = 1 + (e % ${devices} + 1 + e / ${devices}) % ${devices}
    JOIN device_ips si ON si.device_id = s.id JOIN device_ips ti ON ti.device_id = t.id;
    ANALYZE;`);
}

/** Runs the benchmark. */
export async function benchTopology(
  options: { url?: string; devices?: number; edges?: number; flowsPerEdge?: number; rounds?: number } = {},
): Promise<TopologyBenchResult> {
  const devices = options.devices ?? 5_000;
  const edges = options.edges ?? 50_000;
  const rounds = options.rounds ?? 7;
  const flowsPerEdge = options.flowsPerEdge ?? 1;
  const url = options.url ?? "postgres://postgres@127.0.0.1:5432/test";
  const name = `ns_bench_topology_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(url, { max: 1, onnotice() {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await PostgresDatabase.connect(target.toString());
  try {
    await migrate(db);
    await fill(db, devices, edges, flowsPerEdge);
    const cost = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
    const user = await createUser(db, {
      username: "bench",
      password: "bench-password-123",
      role: "viewer",
      mustChangePassword: false,
    }, cost);
    const { secret } = await createToken(db, { userId: user.id, name: "bench", scope: "read" });
    const app = createWebApp(apiDeps({ db, passwordCost: cost, log: () => {} }));
    const call = async (path = "/topology") => {
      const started = performance.now();
      const answer = await app.fetch(
        new Request(`http://localhost/api/v1${path}`, { headers: { authorization: `Bearer ${secret}` } }),
      );
      const text = await answer.text();
      if (answer.status !== 200) throw new Error(`Cannot bench the topology: ${answer.status} ${text}`);
      return { ms: performance.now() - started, text };
    };
    await call();
    const times: number[] = [];
    let last = "";
    for (let round = 0; round < rounds; round++) {
      const { ms, text } = await call();
      times.push(ms);
      last = text;
    }
    times.sort((a, b) => a - b);
    const medianOf = async (path: string) => {
      const runs: number[] = [];
      for (let round = 0; round < 3; round++) runs.push((await call(path)).ms);
      return runs.sort((a, b) => a - b)[1];
    };
    const zoneMs = await medianOf("/topology?level=zone");
    const matrixMs = await medianOf("/topology/matrix?by=zone");
    const doc = JSON.parse(last) as { nodes: unknown[]; edges: unknown[]; aggregated: boolean };
    return {
      devices,
      edges,
      flowsPerEdge,
      rounds,
      medianMs: times[Math.floor(times.length / 2)],
      minMs: times[0],
      maxMs: times[times.length - 1],
      nodes: doc.nodes.length,
      answeredEdges: doc.edges.length,
      aggregated: doc.aggregated,
      bytes: last.length,
      zoneMs,
      matrixMs,
    };
  } finally {
    await db.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** The result as one Markdown table row. */
export function topologyReport(result: TopologyBenchResult): string {
  return [
    "| topology (PostgreSQL) | devices | edges | answer | median | min–max | target |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    `| GET /topology, default aggregation | ${result.devices} | ${result.edges}${
      result.flowsPerEdge > 1 ? ` (${result.flowsPerEdge} flows each)` : ""
    } | ${result.nodes} nodes, ${result.answeredEdges} edges${result.aggregated ? " (by subnet)" : ""} | ${
      result.medianMs.toFixed(0)
    } ms | ${result.minMs.toFixed(0)}–${result.maxMs.toFixed(0)} ms | ${
      result.medianMs < 300 ? "< 300 ms: met" : "< 300 ms: missed"
    } |`,
    `| GET /topology?level=zone · GET /topology/matrix?by=zone | ${result.devices} | ${result.edges} | | ${
      result.zoneMs.toFixed(0)
    } ms · ${result.matrixMs.toFixed(0)} ms | | |`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      devices: { type: "string", default: "5000" },
      edges: { type: "string", default: "50000" },
      rounds: { type: "string", default: "7" },
      "flows-per-edge": { type: "string", default: "1" },
    },
  });
  const result = await benchTopology({
    url: Deno.env.get("DATABASE_URL") || undefined,
    devices: Number(values.devices),
    edges: Number(values.edges),
    rounds: Number(values.rounds),
    flowsPerEdge: Number(values["flows-per-edge"]),
  });
  console.log(topologyReport(result));
}
