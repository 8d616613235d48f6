/**
 * The flush's closed per-minute buckets: one `traffic_metrics` row per flow and minute, per device,
 * direction and minute. A minute no row of the database has yet (the usual case: the minutes this
 * flush opened) is loaded with `COPY`, which cannot conflict; the rows of a minute that earlier
 * flushes already wrote (a minute split across two flushes, or shared with another sensor) are
 * updated, and those not found inserted. Deciding "no row yet" and copying are safe because
 * batch transactions are serialised (`persistence.ts`): no other batch can write that minute
 * meanwhile.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { BatchRows } from "./batch_rows.ts";
import { BUCKET_VALUES, BucketValue } from "../aggregator/inventory.ts";
import { BUCKET_MICROS } from "../dissectors/flow/flow_meter.ts";
import { deviceId, type DeviceIds } from "./upsert_inventory.ts";
import { CopyRows } from "./copy_text.ts";
import { withIndexJoins } from "./index_joins.ts";

/**
 * Adds rows to minutes that already have rows: the rows that exist are updated (found through the
 * unique index), the others inserted — no conflict is possible, batch transactions being
 * serialised. Cheaper than `INSERT … ON CONFLICT DO UPDATE` for rows that mostly exist (a minute
 * split across two flushes). One statement for flow rows, one for device rows (`flow_id` or
 * `device_id` is NULL: each is matched with `IS NULL`, which the unique index serves).
 */
function updateThenInsert(rows: "flow" | "device"): string {
  const match = rows === "flow"
    ? "m.flow_id = i.id AND m.device_id IS NULL"
    : "m.flow_id IS NULL AND m.device_id = i.id";
  return `
WITH i AS (
  SELECT * FROM unnest($1::float8[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::integer[],
    $7::integer[], $8::integer[], $9::integer[], $10::integer[])
    WITH ORDINALITY AS i(minute, type, id, packets, bytes, min_size, max_size, syn, rst, fin, ord)
), updated AS (
  UPDATE traffic_metrics AS m SET
    packet_count = m.packet_count + i.packets,
    byte_count = m.byte_count + i.bytes,
    avg_packet_size = (m.byte_count + i.bytes)::real / NULLIF(m.packet_count + i.packets, 0),
    min_packet_size = LEAST(m.min_packet_size, i.min_size),
    max_packet_size = GREATEST(m.max_packet_size, i.max_size),
    tcp_syn_count = m.tcp_syn_count + i.syn,
    tcp_rst_count = m.tcp_rst_count + i.rst,
    tcp_fin_count = m.tcp_fin_count + i.fin
  FROM i
  WHERE m.time = netsentinel_time(i.minute * $11::float8) AND m.metric_type = i.type AND ${match}
  RETURNING i.ord
)
INSERT INTO traffic_metrics (time, bucket_seconds, metric_type, flow_id, device_id, packet_count, byte_count,
  avg_packet_size, min_packet_size, max_packet_size, tcp_syn_count, tcp_rst_count, tcp_fin_count)
SELECT netsentinel_time(i.minute * $11::float8), $12::integer, i.type, ${
    rows === "flow" ? "i.id, NULL" : "NULL, i.id"
  }, i.packets, i.bytes, i.bytes::real / NULLIF(i.packets, 0), i.min_size, i.max_size, i.syn, i.rst, i.fin
FROM i WHERE i.ord NOT IN (SELECT ord FROM updated)
ORDER BY i.ord`;
}

const UPDATE_FLOW_METRICS = updateThenInsert("flow");
const UPDATE_DEVICE_METRICS = updateThenInsert("device");

/** The minutes among `$1` that already have rows (any flow, device or sensor). */
const WRITTEN_MINUTES = `
SELECT m::float8 AS minute FROM unnest($1::float8[]) AS m
WHERE EXISTS (SELECT 1 FROM traffic_metrics t WHERE t.time = netsentinel_time(m * $2::float8))`;

const COPY_METRICS =
  `COPY traffic_metrics (time, bucket_seconds, metric_type, flow_id, device_id, packet_count,
  byte_count, avg_packet_size, min_packet_size, max_packet_size, tcp_syn_count, tcp_rst_count, tcp_fin_count)
FROM STDIN`;

/** The rows of one flush's metrics, in (flow or device id, type, minute) order. */
interface MetricRows {
  minute: number[];
  type: string[];
  flow: (number | null)[];
  device: (number | null)[];
  /** PACKETS, BYTES, MIN_SIZE, MAX_SIZE, SYN, RST, FIN of each row. */
  values: number[][];
}

function metricRows(rows: BatchRows, flowIds: Float64Array, devices: DeviceIds): MetricRows {
  const { inventory, deviceMinutes } = rows;
  const flowRows = inventory.buckets.size;
  const count = flowRows + deviceMinutes.length;
  const keys = inventory.buckets.keys;
  const minuteOf = new Float64Array(count), idOf = new Float64Array(count);
  for (let entry = 0; entry < flowRows; entry++) {
    minuteOf[entry] = keys[entry * 2 + 1];
    idOf[entry] = flowIds[keys[entry * 2]];
  }
  deviceMinutes.forEach((row, index) => {
    minuteOf[flowRows + index] = row.minute;
    idOf[flowRows + index] = deviceId(devices, row.mac);
  });
  const typeOf = (at: number) => (at < flowRows ? "flow" : deviceMinutes[at - flowRows].type);
  // Flow rows first, then by id, type (device_in before device_out) and minute.
  const rank = new Int8Array(count);
  for (let at = flowRows; at < count; at++) rank[at] = typeOf(at) === "device_in" ? 1 : 2;
  const order = Int32Array.from({ length: count }, (_, at) => at).sort((a, b) =>
    rank[a] - rank[b] === 0 || (rank[a] > 0 && rank[b] > 0)
      ? idOf[a] - idOf[b] || rank[a] - rank[b] || minuteOf[a] - minuteOf[b]
      : rank[a] - rank[b]
  );
  const out: MetricRows = {
    minute: new Array(count),
    type: new Array(count),
    flow: new Array(count),
    device: new Array(count),
    values: [0, 1, 2, 3, 4, 5, 6].map(() => new Array<number>(count)),
  };
  const fields = [
    BucketValue.PACKETS,
    BucketValue.BYTES,
    BucketValue.MIN_SIZE,
    BucketValue.MAX_SIZE,
    BucketValue.SYN,
    BucketValue.RST,
    BucketValue.FIN,
  ];
  order.forEach((at, row) => {
    const isFlow = at < flowRows;
    const from = isFlow ? inventory.bucketValues : deviceMinutes[at - flowRows].values;
    const v = isFlow ? at * BUCKET_VALUES : 0;
    out.minute[row] = minuteOf[at];
    out.type[row] = typeOf(at);
    out.flow[row] = isFlow ? idOf[at] : null;
    out.device[row] = isFlow ? null : idOf[at];
    fields.forEach((field, column) => out.values[column][row] = from[v + field]);
  });
  return out;
}

/** `bytes::real / NULLIF(packets, 0)` as PostgreSQL computes it (single precision, rounded once). */
function averageSize(packets: number, bytes: number): number | null {
  return packets === 0 ? null : Math.fround(Math.fround(bytes) / Math.fround(packets));
}

/** Adds the flush's closed per-minute buckets (see the module comment). */
export async function upsertMetrics(
  tx: Queryable,
  rows: BatchRows,
  flowIds: Float64Array,
  devices: DeviceIds,
): Promise<void> {
  const metrics = metricRows(rows, flowIds, devices);
  const count = metrics.minute.length;
  if (count === 0) return;
  const minutes = [...new Set(metrics.minute)];
  const written = new Set(
    (await tx.query<{ minute: number }>(WRITTEN_MINUTES, [minutes, BUCKET_MICROS])).map((row) => row.minute),
  );
  const upsert: number[] = [];
  const copy = new CopyRows();
  const seconds = BUCKET_MICROS / 1e6;
  const [packets, bytes, minSize, maxSize, syn, rst, fin] = metrics.values;
  const times = new Map(minutes.map((m) => [m, new Date(m * (BUCKET_MICROS / 1000)).toISOString()]));
  for (let row = 0; row < count; row++) {
    if (written.has(metrics.minute[row])) {
      upsert.push(row);
      continue;
    }
    copy.add([
      times.get(metrics.minute[row])!,
      seconds,
      metrics.type[row],
      metrics.flow[row],
      metrics.device[row],
      packets[row],
      bytes[row],
      averageSize(packets[row], bytes[row]),
      minSize[row],
      maxSize[row],
      syn[row],
      rst[row],
      fin[row],
    ]);
  }
  if (copy.count > 0) await tx.copyFrom(COPY_METRICS, copy.text());
  if (upsert.length > 0) await withIndexJoins(tx, () => updateThenInsertAll(tx, metrics, upsert));
}

/** Adds the rows `upsert` (of minutes already written): flow rows, then device rows. */
async function updateThenInsertAll(tx: Queryable, metrics: MetricRows, upsert: number[]): Promise<void> {
  const statements = [[UPDATE_FLOW_METRICS, metrics.flow], [UPDATE_DEVICE_METRICS, metrics.device]] as const;
  for (const [statement, rowsOf] of statements) {
    const chosen = upsert.filter((row) => rowsOf[row] !== null);
    if (chosen.length === 0) continue;
    const pick = <T>(column: T[]) => chosen.map((row) => column[row]);
    await tx.query(statement, [
      pick(metrics.minute),
      pick(metrics.type),
      pick(rowsOf),
      ...metrics.values.map(pick),
      BUCKET_MICROS,
      BUCKET_MICROS / 1e6,
    ]);
  }
}
