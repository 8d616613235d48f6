/**
 * Persistence of sensor batches: each flush record is committed in ONE transaction, once.
 *
 * The transaction first records the batch id (sensor, boot, seq) in `ingested_batches`; if it is
 * already there the batch was committed before (redelivered after a crash) and nothing else happens.
 * Then, with one batched statement per table: devices, their addresses and VLANs, flows, per-minute
 * buckets, identity attributes, protocol events, OT activity, DHCP leases, the sensor's counters;
 * last, the values that are not additive (gateway flags, VLAN device counts, and the type, display
 * name, OT role and Purdue level of the devices whose evidence changed: `identification.ts`) are
 * recomputed from the database state.
 *
 * @example
 * ```ts ignore
 * import { openDatabase } from "./database.ts";
 * import { migrate } from "./migrate.ts";
 * import { Persistence } from "./persistence.ts";
 * const db = await openDatabase({ url: Deno.env.get("DATABASE_URL") });
 * await migrate(db);
 * const persistence = new Persistence(db);
 * const result = await persistence.apply({ sensor: "local", boot: crypto.randomUUID(), seq: 0, record });
 * // "applied"; the same batch again: "duplicate"
 * ```
 *
 * @module
 */

import type { Database } from "./database.ts";
import type { ApplyResult, BatchSink, SensorBatch } from "../model/sensor_batch.ts";
import { deriveBatchRows } from "./batch_rows.ts";
import { StorageError } from "./errors.ts";
import { upsertAddresses, upsertDevices, upsertVlans } from "./upsert_inventory.ts";
import { type FlowWrite, upsertFlows } from "./upsert_flows.ts";
import { upsertMetrics } from "./upsert_metrics.ts";
import { FlowIdCache } from "./flow_ids.ts";
import { insertEvents, upsertIdentities, upsertSensor } from "./insert_observations.ts";
import { refreshGateways } from "./gateway.ts";
import { Changed, refreshIdentification, upsertActivity, upsertLeases } from "./identification.ts";

/**
 * The transaction-level advisory lock every batch transaction takes first: batch transactions of
 * all aggregators on one database run one after the other (see the module comment).
 */
const BATCH_LOCK = 0x6e73_7401; // "ns", "t", 1

/** Time-series tables whose daily partitions a batch may need. */
const TIME_SERIES = ["traffic_metrics", "protocol_events"] as const;

/** What the last {@linkcode Persistence.apply} did and how long it took. */
export interface ApplyTiming {
  result: ApplyResult;
  flows: number;
  devices: number;
  metrics: number;
  /** Devices identified again (their evidence changed). */
  identified: number;
  /** Flows updated by a known id, and flows upserted by key. */
  flowsById: number;
  flowsByKey: number;
  /** Milliseconds deriving the rows from the record (outside the transaction). */
  deriveMs: number;
  /** Milliseconds from the start of the transaction to its commit. */
  transactionMs: number;
}

const DUPLICATE: ApplyTiming = {
  result: "duplicate",
  flows: 0,
  devices: 0,
  metrics: 0,
  identified: 0,
  flowsById: 0,
  flowsByKey: 0,
  deriveMs: 0,
  transactionMs: 0,
};

function checkBatch(batch: SensorBatch): void {
  const id = `${batch.sensor}/${batch.boot}/${batch.seq}`;
  for (const field of ["sensor", "boot"] as const) {
    const value = batch[field];
    if (typeof value !== "string" || value.length === 0 || value.length > 200) {
      throw new TypeError(
        `Cannot apply batch ${id}: ${field} must be a non-empty string of at most 200 characters, got ${
          JSON.stringify(value)
        }`,
      );
    }
  }
  if (!Number.isSafeInteger(batch.seq) || batch.seq < 0) {
    throw new RangeError(`Cannot apply batch ${id}: seq must be a non-negative integer, got ${batch.seq}`);
  }
}

/** Commits sensor batches to a database (migrated: see `migrate`). */
export class Persistence implements BatchSink {
  readonly #db: Database;
  readonly #flowIds: FlowIdCache = new FlowIdCache();
  #queue: Promise<unknown> = Promise.resolve();
  #last: ApplyTiming | null = null;

  constructor(db: Database) {
    this.#db = db;
  }

  /** What the last apply did, for logs and the benchmark. */
  get lastApply(): ApplyTiming | null {
    return this.#last;
  }

  /**
   * Commits one batch, or recognises it as committed before. Calls are serialised.
   *
   * @returns "applied", or "duplicate" when (sensor, boot, seq) was committed before (nothing changed)
   * @throws {TypeError | RangeError} when the batch id is malformed
   * @throws {StorageError} when the database fails; nothing of the batch is committed (apply it again)
   */
  apply(batch: SensorBatch): Promise<ApplyResult> {
    const run = this.#queue.then(() => this.#apply(batch));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #apply(batch: SensorBatch): Promise<ApplyResult> {
    checkBatch(batch);
    const key = [batch.sensor, batch.boot, batch.seq];
    const seen = await this.#db.query(
      "SELECT 1 FROM ingested_batches WHERE sensor_id = $1 AND boot = $2 AND seq = $3",
      key,
    );
    if (seen.length > 0) return this.#record(DUPLICATE);
    let started = performance.now();
    const rows = deriveBatchRows(batch.record, batch.sensor);
    const deriveMs = performance.now() - started;
    started = performance.now();
    let result: ApplyResult;
    let identified = 0;
    let flows: FlowWrite = { keys: [], ids: new Float64Array(0), byId: 0, byKey: 0 };
    try {
      result = await this.#db.transaction(async (tx) => {
        // First, before any row lock: one batch transaction at a time on this database.
        await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [BATCH_LOCK]);
        const claimed = await tx.query(
          `INSERT INTO ingested_batches (sensor_id, boot, seq, flows, packets) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING RETURNING 1`,
          [...key, rows.keys.length, rows.packets],
        );
        if (claimed.length === 0) return "duplicate";
        // Sorts and hash joins of 50 000-row batches fit in memory instead of spilling to disk.
        await tx.query("SET LOCAL work_mem = '32MB'");
        if (rows.days.length > 0) {
          for (const table of TIME_SERIES) {
            await tx.query("SELECT netsentinel_ensure_day_partitions($1::regclass, $2::date[])", [
              table,
              rows.days,
            ]);
          }
        }
        const devices = await upsertDevices(tx, rows);
        const changed = new Changed();
        changed.add(devices.inserted.map((mac) => ({ mac, ip: null })));
        changed.add(await upsertAddresses(tx, rows, devices));
        await upsertVlans(tx, rows, devices);
        flows = await upsertFlows(tx, rows, devices, this.#flowIds);
        await upsertMetrics(tx, rows, flows.ids, devices);
        changed.add(await upsertIdentities(tx, rows));
        await insertEvents(tx, rows, batch.sensor);
        await upsertSensor(tx, batch);
        changed.add(await refreshGateways(tx, [...devices.byMac.values()]));
        changed.add(await upsertActivity(tx, rows));
        await upsertLeases(tx, rows);
        identified = await refreshIdentification(tx, changed);
        return "applied";
      });
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new StorageError(
        "query",
        `Cannot apply batch ${key.join("/")}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (result === "duplicate") return this.#record(DUPLICATE);
    this.#flowIds.remember(flows.keys, flows.ids);
    return this.#record({
      result,
      flows: rows.keys.length,
      devices: rows.devices.length,
      metrics: rows.inventory.buckets.size + rows.deviceMinutes.length,
      identified,
      flowsById: flows.byId,
      flowsByKey: flows.byKey,
      deriveMs,
      transactionMs: performance.now() - started,
    });
  }

  #record(timing: ApplyTiming): ApplyResult {
    this.#last = timing;
    return timing.result;
  }
}
