/**
 * Persistence benchmark: how fast the aggregator commits sensor flushes to the database, with
 * 50 000 active flows and 5 000 devices, each flush covering 60 s (the default flush interval) of a
 * sensor at 1.49 Mpps (1 Gbit/s of 64-byte frames). It keeps up when a flush commits in less than
 * the interval it covers; the lag does not grow when the commit time does not grow run after run.
 * At the end it measures the disk each table takes per row (storage/README.md, "Sizing").
 *
 * ```sh
 * deno run -A bench/persistence.ts [--driver postgres|pglite] [--flows 50000] [--devices 5000]
 *   [--batches 6] [--churn 0.1] [--aligned] [--json]
 * deno run -A bench/persistence.ts --case [--runs 3] [--before DIR]
 * ```
 *
 * `deno task bench` (and `--case` alone) runs {@linkcode persistenceCase}: each driver three times, each run in a fresh
 * process and database, and reports the flow rows committed per second (flows of a flush divided
 * by its derivation and commit time, median of the flushes after the first, then median of the
 * runs) next to the target — and the same figures for another checkout (`--before DIR`) measured
 * in the same run.
 *
 * PostgreSQL: a scratch database (`ns_bench_…`) on the server of DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), dropped at the end. PGlite: a temporary folder.
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import type { Database } from "../storage/database.ts";
import { PostgresDatabase } from "../storage/postgres.ts";
import { PgliteDatabase } from "../storage/pglite.ts";
import { migrate } from "../storage/migrate.ts";
import { Persistence } from "../storage/persistence.ts";
import { SyntheticSensor } from "./synthetic_flush.ts";

/** Options of {@linkcode benchPersistence}. */
export interface PersistenceBenchOptions {
  driver: "postgres" | "pglite";
  /** PostgreSQL server (a scratch database is created on it). */
  url?: string;
  flows: number;
  devices: number;
  /** Flushes to commit (each covers `flushSeconds`). */
  batches: number;
  packetsPerSecond: number;
  flushSeconds: number;
  churn: number;
  /** Flushes start on minute boundaries (each minute of a flow in one flush: no bucket updates). */
  aligned?: boolean;
}

/** One committed flush. */
export interface BatchMeasure {
  flows: number;
  metrics: number;
  observations: number;
  packets: number;
  deriveMs: number;
  transactionMs: number;
}

/** Disk and rows of one table at the end of the run. */
export interface TableSize {
  table: string;
  rows: number;
  bytes: number;
  bytesPerRow: number;
}

/** What {@linkcode benchPersistence} measured. */
export interface PersistenceBenchResult {
  options: PersistenceBenchOptions;
  batches: BatchMeasure[];
  sizes: TableSize[];
}

async function scratch(
  options: PersistenceBenchOptions,
): Promise<{ db: Database; dispose(): Promise<void> }> {
  if (options.driver === "pglite") {
    const dir = await Deno.makeTempDir({ prefix: "netsentinel-bench-" });
    const db = await PgliteDatabase.open(dir);
    return {
      db,
      async dispose() {
        await db.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  }
  const url = options.url ?? "postgres://postgres@127.0.0.1:5432/test";
  const name = `ns_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(url, { max: 1, onnotice() {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await PostgresDatabase.connect(target.toString());
  return {
    db,
    async dispose() {
      await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Heap, indexes and TOAST of each table, partitions included. */
const SIZES = `
SELECT t.name AS table, (pg_total_relation_size(t.name::regclass) + coalesce((
  SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i WHERE i.inhparent = t.name::regclass), 0))::float8 AS bytes
FROM unnest($1::text[]) AS t(name)`;

const TABLES = [
  "traffic_metrics",
  "traffic_flows",
  "devices",
  "device_ips",
  "device_vlans",
  "ingested_batches",
];

/** Runs the benchmark. */
export async function benchPersistence(options: PersistenceBenchOptions): Promise<PersistenceBenchResult> {
  const { db, dispose } = await scratch(options);
  try {
    await migrate(db);
    const persistence = new Persistence(db);
    const sensor = new SyntheticSensor({
      devices: options.devices,
      flows: options.flows,
      packetsPerSecond: options.packetsPerSecond,
      flushSeconds: options.flushSeconds,
      churn: options.churn,
      frameBytes: 64,
      offsetSeconds: options.aligned ? 0 : 30,
    });
    const boot = crypto.randomUUID();
    const batches: BatchMeasure[] = [];
    for (let seq = 0; seq < options.batches; seq++) {
      const record = sensor.next();
      await persistence.apply({ sensor: "bench/eth0", boot, seq, record });
      const last = persistence.lastApply!;
      let packets = 0;
      for (const count of record.flows.packets) packets += count;
      batches.push({
        flows: last.flows,
        metrics: last.metrics,
        observations: record.flows.count + record.buckets.length / 9 + record.sightings.count,
        packets,
        deriveMs: last.deriveMs,
        transactionMs: last.transactionMs,
      });
    }
    await db.exec("VACUUM ANALYZE");
    const sizes: TableSize[] = [];
    for (const row of await db.query<{ table: string; bytes: number }>(SIZES, [TABLES])) {
      const count = await db.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${row.table}`);
      const rows = count[0].n;
      sizes.push({ table: row.table, rows, bytes: row.bytes, bytesPerRow: rows ? row.bytes / rows : 0 });
    }
    return { options, batches, sizes };
  } finally {
    await dispose();
  }
}

/** Flow rows committed per second by the targets of the persistence case. */
export const FLOW_ROWS_TARGET = { postgres: 50_000, pglite: 20_000 } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Flow rows committed per second in one run: median of its flushes after the first. */
export function flowRowsPerSecond(result: { batches: BatchMeasure[] }): number {
  return median(result.batches.slice(1).map((b) => b.flows / ((b.deriveMs + b.transactionMs) / 1000)));
}

/** Seconds per flush (derive + commit) in one run: median of its flushes after the first. */
function secondsPerFlush(result: { batches: BatchMeasure[] }): number {
  return median(result.batches.slice(1).map((b) => (b.deriveMs + b.transactionMs) / 1000));
}

/** One driver of the persistence case, for one checkout. */
export interface PersistenceCaseRow {
  checkout: string;
  driver: "postgres" | "pglite";
  runs: PersistenceBenchResult[];
  flowRowsPerSecond: number;
  secondsPerFlush: number;
}

/** Runs `bench/persistence.ts` of `checkout` in a fresh process and returns its measures. */
async function runOnce(checkout: string, driver: string, batches: number): Promise<PersistenceBenchResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${checkout}/bench/persistence.ts`,
      "--driver",
      driver,
      "--batches",
      String(batches),
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(
      `Cannot run ${checkout}/bench/persistence.ts: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/**
 * The persistence case of `deno task bench`: every driver `runs` times (each a fresh process and
 * database, `batches` flushes of 50 000 flows), for this checkout and, when given, `before` (the
 * path of another checkout), alternating them so both see the same machine.
 */
export async function persistenceCase(
  options: { before?: string; runs?: number; batches?: number; log?: (line: string) => void },
): Promise<PersistenceCaseRow[]> {
  const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const checkouts = options.before ? [here, options.before] : [here];
  const rows: PersistenceCaseRow[] = [];
  for (const driver of ["postgres", "pglite"] as const) {
    const runs = new Map<string, PersistenceBenchResult[]>(checkouts.map((c) => [c, []]));
    for (let run = 0; run < (options.runs ?? 3); run++) {
      for (const checkout of checkouts) {
        options.log?.(`bench: persistence on ${driver}, ${checkout}, run ${run + 1}…`);
        runs.get(checkout)!.push(await runOnce(checkout, driver, options.batches ?? 4));
      }
    }
    for (const checkout of checkouts) {
      const list = runs.get(checkout)!;
      rows.push({
        checkout,
        driver,
        runs: list,
        flowRowsPerSecond: median(list.map(flowRowsPerSecond)),
        secondsPerFlush: median(list.map(secondsPerFlush)),
      });
    }
  }
  return rows;
}

/** The persistence case as a Markdown table. */
export function persistenceCaseTable(rows: PersistenceCaseRow[]): string {
  const here = rows[0]?.checkout;
  const lines = [
    "| persistence (50 000 flows, 5 000 devices, 60 s flushes at 1.49 Mpps) | checkout | flow rows/s committed (median of " +
    `${rows[0]?.runs.length ?? 0} runs) | target | per flush (derive + commit) | meets target |`,
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of rows) {
    const target = FLOW_ROWS_TARGET[row.driver];
    lines.push(
      `| ${row.driver} | ${row.checkout === here ? "this one" : `before (${row.checkout})`} | ` +
        `${Math.round(row.flowRowsPerSecond)} | ≥ ${target} | ${row.secondsPerFlush.toFixed(2)} s | ` +
        `${row.flowRowsPerSecond >= target ? "yes" : "no"} |`,
    );
  }
  return lines.join("\n");
}

function report(result: PersistenceBenchResult): string {
  const o = result.options;
  const lines = [
    `Persistence on ${o.driver}: ${o.flows} active flows, ${o.devices} devices, flush every ${o.flushSeconds} s ` +
    `of ${(o.packetsPerSecond / 1e6).toFixed(2)} Mpps, churn ${o.churn * 100} % a flush` +
    (o.aligned ? ", flushes on minute boundaries" : ", flushes split minutes"),
    "batch  flows  metric rows  derive ms  commit ms  flow rows/s  observations/s  packets/s committed",
  ];
  result.batches.forEach((b, i) => {
    const seconds = (b.deriveMs + b.transactionMs) / 1000;
    lines.push(
      `${String(i).padStart(5)}  ${String(b.flows).padStart(5)}  ${String(b.metrics).padStart(11)}  ${
        b.deriveMs.toFixed(0).padStart(9)
      }  ${b.transactionMs.toFixed(0).padStart(9)}  ${(b.flows / seconds).toFixed(0).padStart(11)}  ${
        (b.observations / seconds).toFixed(0).padStart(14)
      }  ${(b.packets / seconds / 1e6).toFixed(1).padStart(16)} M`,
    );
  });
  const steady = result.batches.slice(1);
  lines.push(
    `Flow rows committed per second (median after the first flush): ${
      Math.round(flowRowsPerSecond(result))
    } ` +
      `(target ≥ ${FLOW_ROWS_TARGET[o.driver]})`,
  );
  const worst = Math.max(...steady.map((b) => b.deriveMs + b.transactionMs)) / 1000;
  lines.push(
    `Slowest flush after the first: ${worst.toFixed(2)} s for ${o.flushSeconds} s of traffic: ` +
      (worst < o.flushSeconds
        ? `keeps up (${(o.flushSeconds / worst).toFixed(0)}× headroom)`
        : "DOES NOT keep up"),
  );
  for (const size of result.sizes) {
    lines.push(
      `${size.table.padEnd(17)} ${String(size.rows).padStart(9)} rows ${
        (size.bytes / 1e6).toFixed(1).padStart(8)
      } MB ` +
        `${size.bytesPerRow.toFixed(0).padStart(5)} B/row`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      driver: { type: "string", default: "postgres" },
      flows: { type: "string", default: "50000" },
      devices: { type: "string", default: "5000" },
      batches: { type: "string", default: "6" },
      churn: { type: "string", default: "0.1" },
      aligned: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      case: { type: "boolean", default: false },
      before: { type: "string" },
      runs: { type: "string", default: "3" },
    },
  });
  if (values.case) {
    const rows = await persistenceCase({
      before: values.before,
      runs: Number(values.runs),
      log: (line) => console.error(line),
    });
    console.log(persistenceCaseTable(rows));
    Deno.exit(0);
  }
  if (values.driver !== "postgres" && values.driver !== "pglite") {
    console.error(`Cannot run the benchmark: --driver must be postgres or pglite, got "${values.driver}"`);
    Deno.exit(2);
  }
  const result = await benchPersistence({
    driver: values.driver,
    url: Deno.env.get("DATABASE_URL") || undefined,
    flows: Number(values.flows),
    devices: Number(values.devices),
    batches: Number(values.batches),
    packetsPerSecond: 1_488_095,
    flushSeconds: 60,
    churn: Number(values.churn),
    aligned: values.aligned,
  });
  console.log(values.json ? JSON.stringify(result, null, 2) : report(result));
}
