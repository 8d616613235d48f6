/**
 * Nothing is lost when an aggregator dies. A mixed capture of the project's benchmark generator
 * (timestamps of 2024: older than the 30 days of retention, as an imported capture is) is published
 * to a throw-away Redis in batches; `netsentinel aggregator` processes commit them to PostgreSQL
 * (or PGlite) and are killed with SIGKILL before a commit (waiting for its first read of the
 * database), during one (blocked inside its transaction), and after one (committed, its XACK held
 * back by `CLIENT PAUSE WRITE`), then started again. The database must end with exactly the flows,
 * packets and bytes of `analyze` of the same file, and as many packets as tshark counts frames.
 *
 * Before the retention fix, the first restart deleted what had been committed (flows last seen
 * more than 30 days before now, their metric partition): this test lost about a fifth of the packets.
 *
 * @module
 */

import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { writeBenchCapture } from "../samples/bench_capture.ts";
import { DRIVERS, flushRecordsOf } from "../storage/_testing.ts";
import { PgliteDatabase } from "../storage/pglite.ts";
import type { Database } from "../storage/database.ts";
import { RedisBus } from "../bus/redis_bus.ts";
import { BatchNumberer } from "../model/sensor_batch.ts";
import { freePort, killRedisServer, redisCommand, startRedisServer, uniqueNames } from "../bus/_testing.ts";
import { tsharkFrames } from "./tshark_oracle.ts";
import {
  type AggregatorSetup,
  analyzeTotals,
  startAggregatorProcess,
  storedTotals,
  type TrafficTotals,
  waitUntil,
} from "./_aggregator_process.ts";

/** 24 000 frames in batches of about 2 000 packets: 12 batches, about 2 700 flows. */
const FRAMES = 24_000;
const PACKETS_PER_BATCH = 2_000;
const MINUTE = 60_000;

const POSTGRES = DRIVERS.find((driver) => driver.name === "postgres")!;

interface Fixture {
  path: string;
  expected: TrafficTotals;
  frames: number;
  batches: number;
  redisUrl: string;
  stream: string;
  group: string;
  dispose(): Promise<void>;
}

/** The capture, its expected totals, and its batches waiting on a throw-away Redis. */
async function fixture(): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-crash-" });
  const path = `${dir}/mix.pcap`;
  await writeBenchCapture(path, { frames: FRAMES });
  const [expected, frames, records] = await Promise.all([
    analyzeTotals(path),
    tsharkFrames(path).then((list) => list.length),
    flushRecordsOf(path, PACKETS_PER_BATCH),
  ]);
  const port = freePort();
  const server = await startRedisServer(port);
  const redisUrl = `redis://127.0.0.1:${port}`;
  const { stream, group } = uniqueNames();
  const sensor = new RedisBus({ url: redisUrl, stream, group, log: () => {} });
  const numberer = new BatchNumberer("crash-test");
  for (const record of records) await sensor.publish(numberer.next(record));
  await sensor.stop();
  return {
    path,
    expected,
    frames,
    batches: records.length,
    redisUrl,
    stream,
    group,
    async dispose() {
      await killRedisServer(server);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function committed(db: Database): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM ingested_batches");
  return row.n;
}

async function pending(f: Fixture): Promise<number> {
  const summary = await redisCommand(["XPENDING", f.stream, f.group], f.redisUrl) as [number];
  return Number(summary[0]);
}

/** Backends of this database waiting for a lock (the aggregators blocked behind `holding`). */
async function lockWaiters(db: Database): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
  );
  return row.n;
}

/** Runs `body` while this test holds `lock` on `table` (in a transaction of its own). */
async function holding(db: Database, table: string, lock: string, body: () => Promise<void>): Promise<void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => locked = resolve);
  const transaction = db.transaction(async (tx) => {
    await tx.query(`LOCK TABLE ${table} IN ${lock} MODE`);
    locked();
    await released;
  });
  await Promise.race([isLocked, transaction]);
  try {
    await body();
  } finally {
    release();
    await transaction;
  }
}

/** Waits until every batch is committed and acknowledged. */
async function drained(db: Database, f: Fixture, what: string): Promise<void> {
  await waitUntil(
    async () => await committed(db) === f.batches && await pending(f) === 0,
    5 * MINUTE,
    `${f.batches} batches committed and acknowledged (${what})`,
  );
}

Deno.test({
  name: "a killed aggregator loses nothing: killed before, during and after a commit [postgres]" +
    (POSTGRES.skip ? ` (${POSTGRES.skip})` : ""),
  ignore: POSTGRES.skip !== null,
  async fn() {
    const f = await fixture();
    const scratch = await POSTGRES.open();
    const db = scratch.db;
    const setup: AggregatorSetup = { ...f, database: scratch.location, claimIdleMs: MINUTE };
    let aggregator = startAggregatorProcess(setup, "a1");
    try {
      await waitUntil(async () => await committed(db) >= 2, 2 * MINUTE, "2 batches committed");

      // Before a commit: it read its next batch from Redis and waits for its first read of the database.
      await holding(db, "ingested_batches", "ACCESS EXCLUSIVE", async () => {
        await waitUntil(
          async () => await lockWaiters(db) >= 1,
          MINUTE,
          "the aggregator waiting for the database",
        );
        await aggregator.kill();
      });
      aggregator = startAggregatorProcess(setup, "a1");
      const beforeDuring = await committed(db);
      await waitUntil(
        async () => await committed(db) > beforeDuring,
        2 * MINUTE,
        "a commit after the restart",
      );

      // During a commit: blocked inside its transaction, at the flows (past its start: see below).
      await holding(db, "traffic_flows", "EXCLUSIVE", async () => {
        await waitUntil(
          async () => await lockWaiters(db) >= 1,
          MINUTE,
          "the aggregator inside a transaction",
        );
        await aggregator.kill();
      });
      aggregator = startAggregatorProcess(setup, "a1");

      // After a commit: the transaction commits, the XACK that follows is held back. (Past its start
      // first: at start the aggregator migrates and applies retention, which the lock would block too.)
      const restarted = await committed(db);
      await waitUntil(async () => await committed(db) > restarted, 2 * MINUTE, "a commit after the restart");
      let held = 0;
      await holding(db, "traffic_flows", "EXCLUSIVE", async () => {
        await waitUntil(
          async () => await lockWaiters(db) >= 1,
          2 * MINUTE,
          "the aggregator inside a transaction",
        );
        held = await committed(db);
        await redisCommand(["CLIENT", "PAUSE", String(5 * MINUTE), "WRITE"], f.redisUrl);
      });
      try {
        await waitUntil(async () => await committed(db) > held, MINUTE, "the commit whose XACK is held");
        await aggregator.kill();
      } finally {
        await redisCommand(["CLIENT", "UNPAUSE"], f.redisUrl);
      }
      aggregator = startAggregatorProcess(setup, "a1");

      await drained(db, f, "after three kills");
      strictEqual(await aggregator.stop(), 0);
      // The batch committed before the kill came back, and was recognised.
      match(aggregator.log(), /aggregator stopped: \d+ batches committed, [1-9]\d* duplicates skipped/);
      deepStrictEqual(await storedTotals(db), f.expected);
      strictEqual(f.expected.packets, f.frames, "analyze accounts every frame tshark reads");
    } catch (error) {
      console.error(`last aggregator:\n${aggregator.log()}`);
      throw error;
    } finally {
      await aggregator.kill();
      await scratch.dispose();
      await f.dispose();
    }
  },
});

Deno.test({
  name:
    "two aggregators in one group: one killed during a commit, the other takes over, the first comes back " +
    `[postgres]${POSTGRES.skip ? ` (${POSTGRES.skip})` : ""}`,
  ignore: POSTGRES.skip !== null,
  async fn() {
    const f = await fixture();
    const scratch = await POSTGRES.open();
    const db = scratch.db;
    const setup: AggregatorSetup = { ...f, database: scratch.location, claimIdleMs: 1_000 };
    let first = startAggregatorProcess(setup, "a1");
    const second = startAggregatorProcess(setup, "a2");
    const pendingOf = async (name: string) => {
      const consumers = await redisCommand(
        ["XINFO", "CONSUMERS", f.stream, f.group],
        f.redisUrl,
      ) as unknown[][];
      const fields = consumers.find((entry) => entry[1] === name);
      return fields === undefined ? 0 : Number(fields[fields.indexOf("pending") + 1]);
    };
    try {
      await waitUntil(async () => await committed(db) >= 2, 2 * MINUTE, "2 batches committed");
      // Both inside a transaction (behind the lock, or behind each other's rows): a1 dies with batches read.
      await holding(db, "traffic_flows", "EXCLUSIVE", async () => {
        await waitUntil(
          async () => await lockWaiters(db) >= 2,
          2 * MINUTE,
          "both aggregators inside a transaction",
        );
        await first.kill();
      });
      strictEqual(await pendingOf("a1") > 0, true, "a1 died with batches read and not acknowledged");
      // a2 claims what a1 left pending once it has been idle for a second, and commits it.
      await waitUntil(async () => await pendingOf("a1") === 0, 2 * MINUTE, "a2 taking over a1's batches");
      const taken = await committed(db);
      await waitUntil(async () => await committed(db) > taken, 2 * MINUTE, "a commit by a2 alone");
      // a1 comes back (as after a reboot) and shares the rest again.
      first = startAggregatorProcess(setup, "a1");
      await drained(db, f, "a1 back beside a2");
      strictEqual(await first.stop(), 0);
      strictEqual(await second.stop(), 0);
      deepStrictEqual(await storedTotals(db), f.expected);
      strictEqual(f.expected.packets, f.frames);
    } catch (error) {
      console.error(`a1:\n${first.log()}\na2:\n${second.log()}`);
      throw error;
    } finally {
      await first.kill();
      await second.kill();
      await scratch.dispose();
      await f.dispose();
    }
  },
});

Deno.test({
  name: "a killed aggregator loses nothing [pglite]",
  async fn() {
    const f = await fixture();
    const scratch = await DRIVERS.find((driver) => driver.name === "pglite")!.open();
    await scratch.db.close(); // the aggregator process opens the folder; one process at a time
    const setup: AggregatorSetup = { ...f, database: scratch.location, claimIdleMs: MINUTE };
    const acked = async () => {
      const groups = await redisCommand(["XINFO", "GROUPS", f.stream], f.redisUrl) as unknown[][];
      const fields = groups[0];
      if (fields === undefined) return 0; // the aggregator has not created its group yet
      return Number(fields[fields.indexOf("entries-read") + 1]) -
        Number(fields[fields.indexOf("pending") + 1]);
    };
    let aggregator = startAggregatorProcess(setup, "a1");
    try {
      // Right after a commit (and its XACK), then while a batch is being committed.
      await waitUntil(async () => await acked() >= 3, 2 * MINUTE, "3 batches acknowledged");
      await aggregator.kill();
      aggregator = startAggregatorProcess(setup, "a1");
      const before = await acked();
      await waitUntil(
        async () => await acked() > before && await pending(f) > 0,
        2 * MINUTE,
        "a batch in progress",
      );
      await aggregator.kill();
      aggregator = startAggregatorProcess(setup, "a1");
      await waitUntil(
        async () => await acked() === f.batches,
        5 * MINUTE,
        `${f.batches} batches acknowledged`,
      );
      strictEqual(await aggregator.stop(), 0);
      const db = await PgliteDatabase.open((scratch.location as { dataDir: string }).dataDir);
      try {
        strictEqual(await committed(db), f.batches);
        deepStrictEqual(await storedTotals(db), f.expected);
      } finally {
        await db.close();
      }
    } catch (error) {
      console.error(`last aggregator:\n${aggregator.log()}`);
      throw error;
    } finally {
      await aggregator.kill();
      await scratch.dispose();
      await f.dispose();
    }
  },
});
