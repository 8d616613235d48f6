/**
 * Test helper: `netsentinel aggregator` as a real process (what an operator runs), on a given
 * Redis stream and database, that tests kill with SIGKILL at chosen points; and the totals a
 * capture must end up as in the database.
 *
 * @module
 */

import { MAIN, runCli } from "./run_cli.ts";
import type { Database } from "../storage/database.ts";

/** Where an aggregator process reads and writes. */
export interface AggregatorSetup {
  redisUrl: string;
  stream: string;
  group: string;
  /** The PostgreSQL URL, or the PGlite folder. */
  database: { url: string } | { dataDir: string };
  /** Pending entries of a dead consumer are claimed after this long, ms. */
  claimIdleMs: number;
}

/** A running `netsentinel aggregator`. */
export interface AggregatorProcess {
  readonly name: string;
  /** Everything it wrote on standard error so far. */
  readonly log: () => string;
  /** SIGKILL, as a crash: nothing is flushed, nothing is acknowledged. */
  kill(): Promise<void>;
  /** SIGTERM: the aggregator finishes its batch and stops; resolves with its exit code. */
  stop(): Promise<number>;
}

/** Starts `netsentinel aggregator` as consumer `name` of the setup's group. */
export function startAggregatorProcess(setup: AggregatorSetup, name: string): AggregatorProcess {
  const database: Record<string, string> = "url" in setup.database
    ? { DATABASE_URL: setup.database.url }
    : { DATABASE_URL: "", NETSENTINEL_STORAGE_DATA_DIR: setup.database.dataDir };
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", MAIN, "aggregator"],
    env: {
      NO_COLOR: "1",
      NETSENTINEL_CONFIG: "",
      REDIS_URL: setup.redisUrl,
      ...database,
      NETSENTINEL_BUS_STREAM: setup.stream,
      NETSENTINEL_BUS_GROUP: setup.group,
      NETSENTINEL_BUS_CONSUMER: name,
      NETSENTINEL_BUS_BLOCK_MS: "100",
      NETSENTINEL_BUS_CLAIM_IDLE_MS: String(setup.claimIdleMs),
      NETSENTINEL_BUS_CLAIM_INTERVAL_MS: "200",
      NETSENTINEL_BUS_RETRY_MIN_MS: "10",
      NETSENTINEL_BUS_RETRY_MAX_MS: "200",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const reading = child.stderr.pipeTo(
    new WritableStream({ write: (chunk) => void (text += decoder.decode(chunk, { stream: true })) }),
  ).catch(() => {});
  let ended = false;
  const signal = (name: Deno.Signal) => {
    try {
      if (!ended) child.kill(name);
    } catch {
      // It ended on its own meanwhile (its status says how).
    }
  };
  const end = async () => {
    const status = await child.status;
    await reading;
    ended = true;
    return status.code;
  };
  return {
    name,
    log: () => text,
    async kill() {
      signal("SIGKILL");
      await end();
    },
    async stop() {
      signal("SIGTERM");
      return await end();
    },
  };
}

/**
 * Waits until `condition()` resolves true, checking every 20 ms; fails after `timeoutMs` with what
 * was awaited.
 */
export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Cannot wait for ${what}: still not true after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The totals that must match: flows, packets and bytes (flows and their per-minute buckets). */
export interface TrafficTotals {
  flows: number;
  packets: number;
  bytes: number;
  metricPackets: number;
  metricBytes: number;
}

/** What `netsentinel analyze --json` reports for the capture. */
export async function analyzeTotals(path: string): Promise<TrafficTotals> {
  const run = await runCli(["analyze", path, "--json"]);
  if (run.code !== 0) throw new Error(`Cannot analyze ${path}: ${run.stderr}`);
  const doc = JSON.parse(run.stdout);
  const flows = doc.flows as { packet_count: number; byte_count: number }[];
  const metrics = (doc.metrics as { metric_type: string; packet_count: number; byte_count: number }[])
    .filter((metric) => metric.metric_type === "flow");
  const sum = <T>(rows: T[], read: (row: T) => number) => rows.reduce((total, row) => total + read(row), 0);
  return {
    flows: flows.length,
    packets: sum(flows, (flow) => flow.packet_count),
    bytes: sum(flows, (flow) => flow.byte_count),
    metricPackets: sum(metrics, (metric) => metric.packet_count),
    metricBytes: sum(metrics, (metric) => metric.byte_count),
  };
}

/** The same totals, read from the database. */
export async function storedTotals(db: Database): Promise<TrafficTotals> {
  const [flows] = await db.query<{ flows: number; packets: number; bytes: number }>(
    `SELECT count(*)::float8 AS flows, coalesce(sum(packet_count), 0)::float8 AS packets,
       coalesce(sum(byte_count), 0)::float8 AS bytes FROM traffic_flows`,
  );
  const [metrics] = await db.query<{ packets: number; bytes: number }>(
    `SELECT coalesce(sum(packet_count), 0)::float8 AS packets, coalesce(sum(byte_count), 0)::float8 AS bytes
       FROM traffic_metrics WHERE metric_type = 'flow'`,
  );
  return { ...flows, metricPackets: metrics.packets, metricBytes: metrics.bytes };
}
