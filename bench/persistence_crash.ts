/**
 * The crash reproduction at scale (too slow for the test suite, whose small version is
 * tests/persistence_crash_test.ts): the 2 M-frame benchmark capture (mixed sizes, about 120 000
 * flows and 8 000 hosts) is published by `netsentinel sensor --file` with a 0.05 s flush interval
 * (tens of batches) to a throw-away Redis; `netsentinel aggregator` commits them to a scratch
 * PostgreSQL database and is killed with SIGKILL four times, spread over the run — right after its
 * 3rd commit, inside a transaction once a third of the batches are committed, 1.5 s after that
 * restart, inside a transaction at two thirds — and started again each time. At the end the stored
 * flows, packets and bytes (flows and their per-minute buckets) must equal `analyze` of the same
 * file exactly.
 *
 * ```sh
 * deno task bench:crash [--frames 2000000] [--capture bench/out/bench-mixed.pcap]
 * ```
 *
 * Prints `exact: yes` or `exact: no` with both sets of counts; exits 1 when they differ.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { writeBenchCapture } from "../samples/bench_capture.ts";
import { PostgresDatabase } from "../storage/postgres.ts";
import type { Database } from "../storage/database.ts";
import { migrate } from "../storage/migrate.ts";
import { freePort, killRedisServer, redisCommand, startRedisServer, uniqueNames } from "../bus/_testing.ts";
import { MAIN } from "../tests/run_cli.ts";
import {
  type AggregatorProcess,
  type AggregatorSetup,
  analyzeTotals,
  startAggregatorProcess,
  storedTotals,
  type TrafficTotals,
  waitUntil,
} from "../tests/_aggregator_process.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MINUTE = 60_000;

/** What {@linkcode benchPersistenceCrash} found. */
export interface CrashBenchResult {
  capture: string;
  batches: number;
  kills: string[];
  expected: TrafficTotals;
  stored: TrafficTotals;
  exact: boolean;
  seconds: number;
}

async function committed(db: Database): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM ingested_batches");
  return row.n;
}

/** True while an aggregator's transaction is open on the database. */
async function inTransaction(db: Database): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND application_name = 'netsentinel' AND xact_start IS NOT NULL
       AND state IN ('active', 'idle in transaction') AND query NOT LIKE '%pg_stat_activity%'`,
  );
  return rows.length > 0;
}

async function scratchDatabase(
  url: string,
): Promise<{ db: Database; url: string; dispose(): Promise<void> }> {
  const name = `ns_crash_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(url, { max: 1, onnotice() {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await PostgresDatabase.connect(target.toString());
  await migrate(db);
  return {
    db,
    url: target.toString(),
    async dispose() {
      await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** `netsentinel sensor --file` publishing to the setup's stream; resolves with the batches published. */
async function publish(path: string, setup: AggregatorSetup): Promise<number> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", MAIN, "sensor", "--file", path],
    env: {
      NO_COLOR: "1",
      NETSENTINEL_CONFIG: "",
      REDIS_URL: setup.redisUrl,
      NETSENTINEL_BUS_STREAM: setup.stream,
      NETSENTINEL_BUS_GROUP: setup.group,
      NETSENTINEL_SENSOR_ID: "crash-bench",
      NETSENTINEL_AGGREGATOR_FLUSH_INTERVAL_S: "0.05",
    },
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(output.stderr);
  const published = /sensor published (\d+) batches/.exec(log);
  if (!output.success || published === null) throw new Error(`Cannot publish ${path}: ${log}`);
  return Number(published[1]);
}

/** Runs the crash reproduction on `path` against the PostgreSQL server of `url`. */
export async function benchPersistenceCrash(path: string, url: string): Promise<CrashBenchResult> {
  const started = performance.now();
  const expected = await analyzeTotals(path);
  const port = freePort();
  const server = await startRedisServer(port);
  const scratch = await scratchDatabase(url);
  const db = scratch.db;
  const { stream, group } = uniqueNames();
  const setup: AggregatorSetup = {
    redisUrl: `redis://127.0.0.1:${port}`,
    stream,
    group,
    database: { url: scratch.url },
    claimIdleMs: MINUTE,
  };
  const kills: string[] = [];
  let aggregator: AggregatorProcess = startAggregatorProcess(setup, "a1");
  const restart = async (why: string) => {
    await aggregator.kill();
    kills.push(`${why} (${await committed(db)} batches committed)`);
    console.error(`bench:crash: killed the aggregator ${kills.at(-1)}`);
    aggregator = startAggregatorProcess(setup, "a1");
  };
  try {
    const publishing = publish(path, setup);
    await waitUntil(async () => await committed(db) >= 3, 5 * MINUTE, "3 batches committed");
    await restart("right after its 3rd commit");
    const batches = await publishing;
    const duringTransaction = async (share: number, round: number) => {
      const at = Math.ceil(batches * share);
      await waitUntil(async () => await committed(db) >= at, 30 * MINUTE, `${at} batches committed`);
      await waitUntil(() => inTransaction(db), 5 * MINUTE, "a transaction in progress");
      await restart(`during a transaction (${round})`);
    };
    await duringTransaction(1 / 3, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await restart("1.5 s after a restart");
    await duringTransaction(2 / 3, 2);
    await waitUntil(
      async () => {
        const summary = await redisCommand(["XPENDING", stream, group], setup.redisUrl) as [number];
        return await committed(db) === batches && Number(summary[0]) === 0;
      },
      30 * MINUTE,
      `${batches} batches committed and acknowledged`,
    );
    if (await aggregator.stop() !== 0) throw new Error(`The aggregator failed:\n${aggregator.log()}`);
    const stored = await storedTotals(db);
    const exact = JSON.stringify(stored) === JSON.stringify(expected);
    return {
      capture: path,
      batches,
      kills,
      expected,
      stored,
      exact,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    console.error(`last aggregator:\n${aggregator.log()}`);
    throw error;
  } finally {
    await aggregator.kill();
    await scratch.dispose();
    await killRedisServer(server);
  }
}

/** The result as the bench prints it. */
export function crashReport(result: CrashBenchResult): string {
  const line = (t: TrafficTotals) =>
    `${t.flows} flows, ${t.packets} packets, ${t.bytes} bytes (per-minute buckets: ${t.metricPackets} packets, ` +
    `${t.metricBytes} bytes)`;
  return [
    `crash reproduction: ${result.batches} batches, aggregator killed ${result.kills.length} times (SIGKILL): ` +
    result.kills.join("; "),
    `analyze: ${line(result.expected)}`,
    `stored:  ${line(result.stored)}`,
    `exact: ${result.exact ? "yes" : "no"} (${result.seconds.toFixed(0)} s)`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      frames: { type: "string", default: "2000000" },
      capture: { type: "string" },
    },
  });
  const frames = Number(values.frames);
  const path = values.capture ?? join(ROOT, "bench", "out", "bench-mixed.pcap");
  let present = false;
  try {
    present = Deno.statSync(path).size > 0;
  } catch { /* missing: generate it */ }
  if (!present) {
    await Deno.mkdir(join(path, ".."), { recursive: true });
    const summary = await writeBenchCapture(path, { frames });
    console.error(`bench:crash: generated ${path}: ${summary.frames} frames, ${summary.hosts} hosts`);
  }
  const result = await benchPersistenceCrash(
    path,
    Deno.env.get("DATABASE_URL") || "postgres://postgres@127.0.0.1:5432/test",
  );
  console.log(crashReport(result));
  if (!result.exact) Deno.exit(1);
}
