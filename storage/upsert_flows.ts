/**
 * Batched upserts of flows and of their per-minute buckets, from the batch inventory's arrays
 * (times in µs, converted by `netsentinel_time`). The flow upsert returns each flow's database id,
 * which the bucket upsert needs.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { BatchRows } from "./batch_rows.ts";
import type { FlowKeyFields } from "../model/flow_key.ts";
import { FLOW_KEY_WORDS } from "../model/flow_key.ts";
import { BUCKET_VALUES, BucketValue } from "../aggregator/inventory.ts";
import { BUCKET_MICROS } from "../dissectors/flow/flow_meter.ts";
import { isUnicastMacText } from "../model/address.ts";
import { deviceId, type DeviceIds } from "./upsert_inventory.ts";

/**
 * One row per flow of the batch (keys are distinct: the batch's inventory merged them). Rows come
 * back in the order of the arrays (the executor returns each row as it inserts or updates it; a
 * plain scan of `unnest` feeds it in order), which `upsertFlows` checks.
 */
const UPSERT_FLOWS = `
INSERT INTO traffic_flows AS f (src_device_id, src_mac, src_ip, src_port, dst_device_id, dst_mac, dst_ip,
  dst_port, vlan_id, outer_vlan_id, ethertype, ip_protocol, application, application_source, first_seen,
  last_seen, packet_count, byte_count, tcp_flags_seen, tcp_syn_count, tcp_rst_count, tcp_fin_count)
SELECT src_device, src_mac, src_ip, src_port, dst_device, dst_mac, dst_ip, dst_port, vlan_id, outer_vlan_id,
  ethertype, ip_protocol, application, application_source, netsentinel_time(first_us), netsentinel_time(last_us),
  packets, bytes, flags, syn, rst, fin
FROM unnest($1::bigint[], $2::macaddr[], $3::inet[], $4::integer[], $5::bigint[], $6::macaddr[], $7::inet[],
  $8::integer[], $9::smallint[], $10::smallint[], $11::integer[], $12::smallint[], $13::text[], $14::text[],
  $15::float8[], $16::float8[], $17::bigint[], $18::bigint[], $19::smallint[], $20::bigint[], $21::bigint[],
  $22::bigint[])
  AS i(src_device, src_mac, src_ip, src_port, dst_device, dst_mac, dst_ip, dst_port, vlan_id, outer_vlan_id,
    ethertype, ip_protocol, application, application_source, first_us, last_us, packets, bytes, flags, syn, rst,
    fin)
ON CONFLICT (
  (COALESCE(src_mac, '00:00:00:00:00:00'::macaddr)), (COALESCE(src_ip, '0.0.0.0/0'::inet)),
  (COALESCE(src_port, -1)), (COALESCE(dst_mac, '00:00:00:00:00:00'::macaddr)),
  (COALESCE(dst_ip, '0.0.0.0/0'::inet)), (COALESCE(dst_port, -1)), (COALESCE(vlan_id, -1)),
  (COALESCE(outer_vlan_id, -1)), (COALESCE(ethertype, -1)), (COALESCE(ip_protocol, -1))
) DO UPDATE SET
  first_seen = LEAST(f.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(f.last_seen, EXCLUDED.last_seen),
  packet_count = f.packet_count + EXCLUDED.packet_count,
  byte_count = f.byte_count + EXCLUDED.byte_count,
  tcp_flags_seen = CASE WHEN f.tcp_flags_seen IS NULL AND EXCLUDED.tcp_flags_seen IS NULL THEN NULL
    ELSE COALESCE(f.tcp_flags_seen, 0) | COALESCE(EXCLUDED.tcp_flags_seen, 0) END,
  tcp_syn_count = f.tcp_syn_count + EXCLUDED.tcp_syn_count,
  tcp_rst_count = f.tcp_rst_count + EXCLUDED.tcp_rst_count,
  tcp_fin_count = f.tcp_fin_count + EXCLUDED.tcp_fin_count,
  application = CASE WHEN EXCLUDED.application_source = 'dissector' OR f.application_source IS DISTINCT FROM
    'dissector' THEN EXCLUDED.application ELSE f.application END,
  application_source = CASE WHEN EXCLUDED.application_source = 'dissector' OR f.application_source IS DISTINCT
    FROM 'dissector' THEN EXCLUDED.application_source ELSE f.application_source END
RETURNING f.id::float8 AS id, f.src_port, f.dst_port, f.ethertype, f.ip_protocol`;

function sameKey(row: FlowIdRow, key: FlowKeyFields): boolean {
  return row.src_port === key.src_port && row.dst_port === key.dst_port && row.ethertype === key.ethertype &&
    row.ip_protocol === key.ip_protocol;
}

interface FlowIdRow {
  id: number;
  src_port: number | null;
  dst_port: number | null;
  ethertype: number | null;
  ip_protocol: number | null;
}

/**
 * The flow entries in the order of their packed keys: two aggregators that update the same flows
 * lock their rows in the same order (no deadlock).
 */
function keyOrder(packed: Uint32Array, count: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, entry) => entry);
  return order.sort((a, b) => {
    for (let word = 0; word < FLOW_KEY_WORDS; word++) {
      const difference = packed[a * FLOW_KEY_WORDS + word] - packed[b * FLOW_KEY_WORDS + word];
      if (difference !== 0) return difference;
    }
    return 0;
  });
}

/**
 * Adds the flush's flow counters.
 *
 * @returns the database id of each flow entry of the batch
 */
export async function upsertFlows(tx: Queryable, rows: BatchRows, devices: DeviceIds): Promise<Float64Array> {
  const { inventory, keys, applications } = rows;
  const count = keys.length;
  const ids = new Float64Array(count);
  if (count === 0) return ids;
  const order = keyOrder(inventory.flows.keys, count);
  const column = <T>(read: (entry: number) => T): T[] => {
    const values: T[] = new Array(count);
    for (let row = 0; row < count; row++) values[row] = read(order[row]);
    return values;
  };
  const deviceOf = (mac: string | null) => (isUnicastMacText(mac) ? devices.byMac.get(mac) ?? null : null);
  const result = await tx.query<FlowIdRow>(UPSERT_FLOWS, [
    column((e) => deviceOf(keys[e].src_mac)),
    column((e) => keys[e].src_mac),
    column((e) => keys[e].src_ip),
    column((e) => keys[e].src_port),
    column((e) => deviceOf(keys[e].dst_mac)),
    column((e) => keys[e].dst_mac),
    column((e) => keys[e].dst_ip),
    column((e) => keys[e].dst_port),
    column((e) => keys[e].vlan_id),
    column((e) => keys[e].outer_vlan_id),
    column((e) => keys[e].ethertype),
    column((e) => keys[e].ip_protocol),
    column((e) => applications[e].application),
    column((e) => applications[e].application_source),
    column((e) => inventory.flowFirstUs[e]),
    column((e) => inventory.flowLastUs[e]),
    column((e) => inventory.flowPackets[e]),
    column((e) => inventory.flowBytes[e]),
    column((e) => (keys[e].ip_protocol === 6 ? inventory.flowTcpFlags[e] : null)),
    column((e) => inventory.flowSyn[e]),
    column((e) => inventory.flowRst[e]),
    column((e) => inventory.flowFin[e]),
  ]);
  if (result.length !== count || result.some((row, at) => !sameKey(row, keys[order[at]]))) {
    throw new Error(
      `Cannot match flow ids: ${count} flows upserted, ${result.length} rows came back out of order`,
    );
  }
  for (let row = 0; row < count; row++) ids[order[row]] = result[row].id;
  return ids;
}

const UPSERT_METRICS = `
INSERT INTO traffic_metrics AS m (time, bucket_seconds, metric_type, flow_id, device_id, packet_count, byte_count,
  avg_packet_size, min_packet_size, max_packet_size, tcp_syn_count, tcp_rst_count, tcp_fin_count)
SELECT netsentinel_time(minute * $12::float8), $13::integer, type, flow_id, device_id, packets, bytes,
  bytes::real / NULLIF(packets, 0), min_size, max_size, syn, rst, fin
FROM unnest($1::float8[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::integer[],
  $8::integer[], $9::integer[], $10::integer[], $11::integer[]) AS i(minute, type, flow_id, device_id, packets, bytes,
  min_size, max_size, syn, rst, fin)
ON CONFLICT (time, metric_type, flow_id, device_id) DO UPDATE SET
  packet_count = m.packet_count + EXCLUDED.packet_count,
  byte_count = m.byte_count + EXCLUDED.byte_count,
  avg_packet_size = (m.byte_count + EXCLUDED.byte_count)::real / NULLIF(m.packet_count + EXCLUDED.packet_count, 0),
  min_packet_size = LEAST(m.min_packet_size, EXCLUDED.min_packet_size),
  max_packet_size = GREATEST(m.max_packet_size, EXCLUDED.max_packet_size),
  tcp_syn_count = m.tcp_syn_count + EXCLUDED.tcp_syn_count,
  tcp_rst_count = m.tcp_rst_count + EXCLUDED.tcp_rst_count,
  tcp_fin_count = m.tcp_fin_count + EXCLUDED.tcp_fin_count`;

/**
 * Adds the flush's closed per-minute buckets: one row per flow and minute, per device, direction
 * and minute. Rows go in (flow or device id, type, minute) order, so that two aggregators adding to
 * the same minutes (adjacent batches share the minute of their boundary) lock them in one order.
 */
export async function upsertMetrics(
  tx: Queryable,
  rows: BatchRows,
  flowIds: Float64Array,
  devices: DeviceIds,
): Promise<void> {
  const { inventory, deviceMinutes } = rows;
  const flowRows = inventory.buckets.size;
  const count = flowRows + deviceMinutes.length;
  if (count === 0) return;
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
  const order = Int32Array.from({ length: count }, (_, at) => at).sort((a, b) =>
    (a < flowRows ? 0 : 1) - (b < flowRows ? 0 : 1) || idOf[a] - idOf[b] ||
    (typeOf(a) < typeOf(b) ? -1 : typeOf(a) > typeOf(b) ? 1 : 0) || minuteOf[a] - minuteOf[b]
  );
  const minute = new Array<number>(count), type = new Array<string>(count);
  const flow = new Array<number | null>(count), device = new Array<number | null>(count);
  const values = [0, 1, 2, 3, 4, 5, 6].map(() => new Array<number>(count));
  order.forEach((at, row) => {
    const isFlow = at < flowRows;
    const from = isFlow ? inventory.bucketValues : deviceMinutes[at - flowRows].values;
    const v = isFlow ? at * BUCKET_VALUES : 0;
    minute[row] = minuteOf[at];
    type[row] = typeOf(at);
    flow[row] = isFlow ? idOf[at] : null;
    device[row] = isFlow ? null : idOf[at];
    values[0][row] = from[v + BucketValue.PACKETS];
    values[1][row] = from[v + BucketValue.BYTES];
    values[2][row] = from[v + BucketValue.MIN_SIZE];
    values[3][row] = from[v + BucketValue.MAX_SIZE];
    values[4][row] = from[v + BucketValue.SYN];
    values[5][row] = from[v + BucketValue.RST];
    values[6][row] = from[v + BucketValue.FIN];
  });
  await tx.query(UPSERT_METRICS, [minute, type, flow, device, ...values, BUCKET_MICROS, BUCKET_MICROS / 1e6]);
}
