/**
 * Sensor → Redis → aggregator → PostgreSQL, end to end, against the machine's real Redis and
 * PostgreSQL:
 * - every shared capture: the database totals equal `analyze` of the same file;
 * - crash test: the aggregator process is killed with SIGKILL while it commits a large capture's
 *   batches and started again; at the end the totals equal the offline analysis exactly (nothing
 *   lost, nothing counted twice).
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "./shared_pcaps.ts";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import { openDatabase } from "../storage/database.ts";
import { readTotals } from "../storage/totals.ts";
import { comparable } from "../storage/_compare.ts";
import { TEST_DATABASE_URL } from "../storage/_testing.ts";
import { RedisBus } from "../bus/redis_bus.ts";
import { deleteStreams, REDIS_URL, redisCommand, uniqueNames } from "../bus/_testing.ts";
import { waitFor } from "./wait.ts";
import { SensorPublisher } from "../sensor/publisher.ts";
import { startAggregator } from "../appliance/aggregator_service.ts";
import { writeBenchCapture } from "../samples/bench_capture.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** A fresh PostgreSQL database; returns its URL and a function that drops it. */
async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ns_pipe_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function totalsOf(url: string) {
  const db = await openDatabase({ url });
  try {
    return comparable(await readTotals(db));
  } finally {
    await db.close();
  }
}

Deno.test({
  name: `sensor → Redis → aggregator → PostgreSQL equals analyze on every shared capture${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    for (const name of sharedCaptureFiles()) {
      await t.step(name, async () => {
        const scratch = await scratchDatabase();
        const names = uniqueNames();
        const options = {
          url: REDIS_URL,
          stream: names.stream,
          group: names.group,
          eventsChannel: names.channel,
        };
        const sensorBus = new RedisBus({ ...options, consumer: "sensor" });
        const aggregatorBus = new RedisBus({ ...options, consumer: "aggregator" });
        const db = await openDatabase({ url: scratch.url });
        try {
          const aggregator = await startAggregator({ db, bus: aggregatorBus, retentionDays: 30 });
          const publisher = new SensorPublisher(sensorBus, `test/${name}`);
          const analysis = await analyzeCaptureFile(sharedCapture(name), {
            onFlush: (r) => publisher.publish(r),
          });
          await publisher.drain();
          await waitFor(
            () => aggregator.counts.applied >= publisher.published,
            300_000,
            `the aggregator to apply the ${publisher.published} published batches`,
          );
          await aggregator.stop();
          await sensorBus.stop();
          const expected = comparable(buildInventoryDocument(analysis.inventory, { metrics: false }));
          const actual = comparable(await readTotals(db));
          deepStrictEqual(actual.devices, expected.devices, "devices");
          deepStrictEqual(actual.flows, expected.flows, "flows");
          deepStrictEqual(actual.vlans, expected.vlans, "VLANs");
        } finally {
          await db.close();
          await deleteStreams(names.stream, `${names.stream}:dead`);
          await scratch.drop();
        }
      });
    }
  },
});

function spawn(args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Environment of the sensor and aggregator processes of a crash test. */
function processEnv(databaseUrl: string, names: ReturnType<typeof uniqueNames>, sensorId: string) {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    NETSENTINEL_BUS_STREAM: names.stream,
    NETSENTINEL_BUS_GROUP: names.group,
    NETSENTINEL_BUS_CONSUMER: "aggregator-1",
    NETSENTINEL_BUS_MAXLEN: "0",
    // Many small batches: a flush every 20 ms of wall time.
    NETSENTINEL_AGGREGATOR_FLUSH_INTERVAL_S: "0.02",
    NETSENTINEL_SENSOR_ID: sensorId,
    // The generated captures are dated 2024: keep them (retention counts capture time, not import time).
    NETSENTINEL_STORAGE_RETENTION_DAYS: "3650",
    NO_COLOR: "1",
  };
}

async function committedBatches(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`SELECT count(*)::int AS n FROM ingested_batches`.catch(() => [{ n: 0 }]);
    return rows[0].n as number;
  } finally {
    await sql.end();
  }
}

/**
 * Waits until `count` batches are committed, failing when the aggregator process exits first or
 * after ten minutes (a deadline, not a speed check: over three minutes on a loaded 2-vCPU machine).
 */
async function waitForCommits(url: string, aggregator: Deno.ChildProcess, count: number, what: string) {
  let exited: Deno.CommandStatus | undefined;
  aggregator.status.then((status) => exited = status);
  await waitFor(
    async () => {
      if (exited) throw new Error(`Cannot wait for ${what}: the aggregator exited with ${exited.code}`);
      return (await committedBatches(url)) >= count;
    },
    600_000,
    what,
    50,
  );
}

Deno.test({
  name: "crash test: kill -9 of the aggregator mid-run loses nothing and counts nothing twice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const scratch = await scratchDatabase();
    const names = uniqueNames();
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    const env = processEnv(scratch.url, names, "crash-test");
    try {
      await writeBenchCapture(path, { frames: 400_000, seed: 5 });
      const expected = comparable(
        buildInventoryDocument((await analyzeCaptureFile(path)).inventory, { metrics: false }),
      );
      // The sensor publishes everything first (Redis keeps it), then the aggregator commits.
      const sensor = await spawn(["sensor", "--file", path], env).output();
      const sensorLog = new TextDecoder().decode(sensor.stderr);
      strictEqual(sensor.success, true, sensorLog);
      const published = Number(/published (\d+) batches/.exec(sensorLog)?.[1]);
      strictEqual(published > 3, true, `several batches published: ${sensorLog}`);

      const first = spawn(["aggregator"], env);
      await waitForCommits(scratch.url, first, 1, "the first aggregator's first commit");
      first.kill("SIGKILL");
      await first.status;
      const before = await committedBatches(scratch.url);
      strictEqual(before < published, true, `killed mid-run (${before} of ${published} committed)`);

      const second = spawn(["aggregator"], env);
      await waitForCommits(
        scratch.url,
        second,
        published,
        `the second aggregator to commit all ${published}`,
      );
      second.kill("SIGTERM");
      const secondLog = new TextDecoder().decode((await second.output()).stderr);
      strictEqual(await committedBatches(scratch.url), published, secondLog);

      const actual = await totalsOf(scratch.url);
      deepStrictEqual(actual.summary.flows, expected.summary.flows, "flow count");
      deepStrictEqual(actual.flows, expected.flows, "flows with packets and bytes");
      deepStrictEqual(actual.devices, expected.devices, "devices");
      deepStrictEqual(actual.vlans, expected.vlans, "VLANs");
    } finally {
      await Deno.remove(path).catch(() => {});
      await deleteStreams(names.stream, `${names.stream}:dead`);
      await scratch.drop();
    }
  },
});

Deno.test({
  name: "crash test: kill -9 of the sensor between batches keeps what it had sent",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      await writeBenchCapture(path, { frames: 2_000_000, tinyFrames: true, seed: 9 });
      // The sensor flushes every 20 ms of wall time, from its start: on a loaded machine its first
      // batches can come before its worker read a frame. Kill it later each time until what it had
      // sent carries traffic (a run that proves something), at most three times.
      for (const entries of [2, 8, 32]) {
        const carried = await killSensorAfter(path, entries);
        if (carried > 0) return;
      }
      throw new Error("Cannot test a killed sensor: its first 32 batches carried no packet");
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  },
});

/** Kills a sensor once `entries` batches are in Redis, commits them, checks them; returns their packets. */
async function killSensorAfter(path: string, entries: number): Promise<number> {
  const scratch = await scratchDatabase();
  const names = uniqueNames();
  const env = processEnv(scratch.url, names, "killed-sensor");
  try {
    const sensor = spawn(["sensor", "--file", path], env);
    await waitFor(
      async () => Number(await redisCommand(["XLEN", names.stream])) >= entries,
      300_000,
      `${entries} batches from the sensor in Redis`,
      20,
    );
    sensor.kill("SIGKILL");
    await sensor.status;
    const inRedis = Number(await redisCommand(["XLEN", names.stream]));
    const aggregator = spawn(["aggregator"], env);
    await waitForCommits(scratch.url, aggregator, inRedis, `the aggregator to commit all ${inRedis}`);
    aggregator.kill("SIGTERM");
    await aggregator.output();
    strictEqual(await committedBatches(scratch.url), inRedis, "every batch the sensor had sent is committed");
    const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
    let carried: number;
    try {
      const [row] = await sql`SELECT coalesce(sum(packets), 0)::bigint AS packets FROM ingested_batches`;
      carried = Number(row.packets);
    } finally {
      await sql.end();
    }
    const totals = await totalsOf(scratch.url);
    const stored = totals.flows.reduce((sum, flow) => sum + flow.packet_count, 0);
    strictEqual(stored, carried, "the flows hold exactly the packets of the committed batches");
    return carried;
  } finally {
    await deleteStreams(names.stream, `${names.stream}:dead`);
    await scratch.drop();
  }
}
