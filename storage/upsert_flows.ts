/**
 * Batched upserts of flows and of their per-minute buckets. The flow upsert returns each input
 * row's database id (joined back on the key, so no assumption on the order of RETURNING), which the
 * bucket upsert needs.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { BatchRows } from "./batch_rows.ts";

/** The flow key columns compared the way the unique index compares them. */
const KEY_MATCH = [
  "COALESCE(u.src_mac, '00:00:00:00:00:00'::macaddr) = COALESCE(i.src_mac, '00:00:00:00:00:00'::macaddr)",
  "COALESCE(u.src_ip, '0.0.0.0/0'::inet) = COALESCE(i.src_ip, '0.0.0.0/0'::inet)",
  "COALESCE(u.src_port, -1) = COALESCE(i.src_port, -1)",
  "COALESCE(u.dst_mac, '00:00:00:00:00:00'::macaddr) = COALESCE(i.dst_mac, '00:00:00:00:00:00'::macaddr)",
  "COALESCE(u.dst_ip, '0.0.0.0/0'::inet) = COALESCE(i.dst_ip, '0.0.0.0/0'::inet)",
  "COALESCE(u.dst_port, -1) = COALESCE(i.dst_port, -1)",
  "COALESCE(u.vlan_id, -1) = COALESCE(i.vlan_id, -1)",
  "COALESCE(u.outer_vlan_id, -1) = COALESCE(i.outer_vlan_id, -1)",
  "COALESCE(u.ethertype, -1) = COALESCE(i.ethertype, -1)",
  "COALESCE(u.ip_protocol, -1) = COALESCE(i.ip_protocol, -1)",
].join("\n    AND ");

const UPSERT_FLOWS = `
WITH i AS (
  SELECT * FROM unnest($1::macaddr[], $2::inet[], $3::integer[], $4::macaddr[], $5::inet[], $6::integer[],
    $7::smallint[], $8::smallint[], $9::integer[], $10::smallint[], $11::text[], $12::text[],
    $13::float8[], $14::float8[], $15::bigint[], $16::bigint[], $17::smallint[], $18::bigint[], $19::bigint[],
    $20::bigint[])
    WITH ORDINALITY AS i(src_mac, src_ip, src_port, dst_mac, dst_ip, dst_port, vlan_id, outer_vlan_id,
      ethertype, ip_protocol, application, application_source, first_us, last_us, packets, bytes, flags,
      syn, rst, fin, ord)
), u AS (
  INSERT INTO traffic_flows AS f (src_device_id, src_mac, src_ip, src_port, dst_device_id, dst_mac, dst_ip,
    dst_port, vlan_id, outer_vlan_id, ethertype, ip_protocol, application, application_source, first_seen,
    last_seen, packet_count, byte_count, tcp_flags_seen, tcp_syn_count, tcp_rst_count, tcp_fin_count)
  SELECT s.id, i.src_mac, i.src_ip, i.src_port, d.id, i.dst_mac, i.dst_ip, i.dst_port, i.vlan_id,
    i.outer_vlan_id, i.ethertype, i.ip_protocol, i.application, i.application_source,
    netsentinel_time(i.first_us), netsentinel_time(i.last_us), i.packets, i.bytes, i.flags, i.syn, i.rst, i.fin
  FROM i
  LEFT JOIN devices s ON s.mac_address = i.src_mac
  LEFT JOIN devices d ON d.mac_address = i.dst_mac
  ORDER BY i.ord
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
  RETURNING f.id, f.src_mac, f.src_ip, f.src_port, f.dst_mac, f.dst_ip, f.dst_port, f.vlan_id, f.outer_vlan_id,
    f.ethertype, f.ip_protocol
)
SELECT i.ord::float8 AS ord, u.id::float8 AS id FROM u JOIN i ON ${KEY_MATCH}`;

/**
 * Adds the flush's flow counters.
 *
 * @returns the database id of each flow of the document, indexed by its id - 1
 */
export async function upsertFlows(tx: Queryable, rows: BatchRows): Promise<Float64Array> {
  const flows = rows.document.flows;
  const ids = new Float64Array(flows.length);
  if (flows.length === 0) return ids;
  const result = await tx.query<{ ord: number; id: number }>(UPSERT_FLOWS, [
    flows.map((f) => f.src_mac),
    flows.map((f) => f.src_ip),
    flows.map((f) => f.src_port),
    flows.map((f) => f.dst_mac),
    flows.map((f) => f.dst_ip),
    flows.map((f) => f.dst_port),
    flows.map((f) => f.vlan_id),
    flows.map((f) => f.outer_vlan_id),
    flows.map((f) => f.ethertype),
    flows.map((f) => f.ip_protocol),
    flows.map((f) => f.application),
    flows.map((f) => f.application_source),
    flows.map((f) => rows.flowFirstUs[f.id - 1]),
    flows.map((f) => rows.flowLastUs[f.id - 1]),
    flows.map((f) => f.packet_count),
    flows.map((f) => f.byte_count),
    flows.map((f) => f.tcp_flags_seen),
    flows.map((f) => f.tcp_syn_count),
    flows.map((f) => f.tcp_rst_count),
    flows.map((f) => f.tcp_fin_count),
  ]);
  if (result.length !== flows.length) {
    throw new Error(`Cannot match flow ids: ${flows.length} flows upserted, ${result.length} ids matched`);
  }
  for (const row of result) ids[flows[row.ord - 1].id - 1] = row.id;
  return ids;
}

const UPSERT_METRICS = `
INSERT INTO traffic_metrics AS m (time, bucket_seconds, metric_type, flow_id, device_id, packet_count, byte_count,
  avg_packet_size, min_packet_size, max_packet_size, tcp_syn_count, tcp_rst_count, tcp_fin_count)
SELECT i.time, i.seconds, i.type, i.flow_id, d.id, i.packets, i.bytes, i.bytes::real / NULLIF(i.packets, 0),
  i.min_size, i.max_size, i.syn, i.rst, i.fin
FROM unnest($1::timestamptz[], $2::integer[], $3::text[], $4::bigint[], $5::macaddr[], $6::bigint[],
  $7::bigint[], $8::integer[], $9::integer[], $10::integer[], $11::integer[], $12::integer[])
  AS i(time, seconds, type, flow_id, mac, packets, bytes, min_size, max_size, syn, rst, fin)
LEFT JOIN devices d ON d.mac_address = i.mac
ON CONFLICT (time, metric_type, flow_id, device_id) DO UPDATE SET
  packet_count = m.packet_count + EXCLUDED.packet_count,
  byte_count = m.byte_count + EXCLUDED.byte_count,
  avg_packet_size = (m.byte_count + EXCLUDED.byte_count)::real / NULLIF(m.packet_count + EXCLUDED.packet_count, 0),
  min_packet_size = LEAST(m.min_packet_size, EXCLUDED.min_packet_size),
  max_packet_size = GREATEST(m.max_packet_size, EXCLUDED.max_packet_size),
  tcp_syn_count = m.tcp_syn_count + EXCLUDED.tcp_syn_count,
  tcp_rst_count = m.tcp_rst_count + EXCLUDED.tcp_rst_count,
  tcp_fin_count = m.tcp_fin_count + EXCLUDED.tcp_fin_count`;

/** Adds the flush's closed per-minute buckets (flow rows and device in/out rows). */
export async function upsertMetrics(tx: Queryable, rows: BatchRows, flowIds: Float64Array): Promise<void> {
  const metrics = rows.document.metrics;
  if (metrics.length === 0) return;
  await tx.query(UPSERT_METRICS, [
    metrics.map((m) => m.time),
    metrics.map((m) => m.bucket_seconds),
    metrics.map((m) => m.metric_type),
    metrics.map((m) => m.flow_id === null ? null : flowIds[m.flow_id - 1]),
    metrics.map((m) => m.device_mac),
    metrics.map((m) => m.packet_count),
    metrics.map((m) => m.byte_count),
    metrics.map((m) => m.min_packet_size),
    metrics.map((m) => m.max_packet_size),
    metrics.map((m) => m.tcp_syn_count),
    metrics.map((m) => m.tcp_rst_count),
    metrics.map((m) => m.tcp_fin_count),
  ]);
}
