/**
 * Flows of the API: one page of `traffic_flows`, filtered by device, address, port, protocol, VLAN
 * and time, sorted in SQL.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { Conditions, iso, num, type Page, pageOf, type PageRequest } from "./sql.ts";

/** A flow (unidirectional: src → dst). */
export interface FlowSummary {
  id: number;
  src_device_id: number | null;
  src_mac: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_device_id: number | null;
  dst_mac: string | null;
  dst_ip: string | null;
  dst_port: number | null;
  vlan_id: number | null;
  outer_vlan_id: number | null;
  ethertype: number | null;
  ip_protocol: number | null;
  application: string | null;
  application_source: string | null;
  first_seen: string;
  last_seen: string;
  packet_count: number;
  byte_count: number;
  tcp_flags_seen: number | null;
  tcp_syn_count: number;
  tcp_rst_count: number;
  tcp_fin_count: number;
}

/** Sort keys of the flow list; a leading `-` sorts descending. */
export const FLOW_SORTS: Record<string, string> = {
  bytes: "f.byte_count",
  packets: "f.packet_count",
  last_seen: "f.last_seen",
  first_seen: "f.first_seen",
};

/** Filters of {@linkcode listFlows}. */
export interface FlowQuery extends PageRequest {
  /** Source or destination device id. */
  device?: number;
  /** Source or destination address. */
  ip?: string;
  /** Source or destination port. */
  port?: number;
  /** Application name (`modbus`, `dns`…) or IP protocol number. */
  protocol?: string | number;
  vlan?: number;
  /** Flows seen at or after this ISO time. */
  from?: string;
  /** Flows seen at or before this ISO time. */
  to?: string;
  /** A key of {@linkcode FLOW_SORTS}, optionally prefixed by `-` (default `-bytes`). */
  sort?: string;
}

const COLUMNS = `${num("f.id", "id")}, ${num("f.src_device_id", "src_device_id")}, f.src_mac::text AS src_mac,
  host(f.src_ip) AS src_ip, f.src_port, ${
  num("f.dst_device_id", "dst_device_id")
}, f.dst_mac::text AS dst_mac,
  host(f.dst_ip) AS dst_ip, f.dst_port, f.vlan_id, f.outer_vlan_id, f.ethertype, f.ip_protocol, f.application,
  f.application_source, ${iso("f.first_seen", "first_seen")}, ${iso("f.last_seen", "last_seen")},
  ${num("f.packet_count", "packet_count")}, ${num("f.byte_count", "byte_count")}, f.tcp_flags_seen,
  ${num("f.tcp_syn_count", "tcp_syn_count")}, ${num("f.tcp_rst_count", "tcp_rst_count")},
  ${num("f.tcp_fin_count", "tcp_fin_count")}`;

function filters(query: FlowQuery): Conditions {
  const where = new Conditions();
  if (query.device !== undefined) {
    where.add(query.device, (p) => `(f.src_device_id = ${p} OR f.dst_device_id = ${p})`);
  }
  if (query.ip) where.add(query.ip, (p) => `(f.src_ip = ${p}::inet OR f.dst_ip = ${p}::inet)`);
  if (query.port !== undefined) where.add(query.port, (p) => `(f.src_port = ${p} OR f.dst_port = ${p})`);
  if (typeof query.protocol === "number") where.add(query.protocol, (p) => `f.ip_protocol = ${p}`);
  else if (query.protocol) where.add(query.protocol, (p) => `f.application = ${p}`);
  if (query.vlan !== undefined) where.add(query.vlan, (p) => `f.vlan_id = ${p}`);
  if (query.from) where.add(query.from, (p) => `f.last_seen >= ${p}::timestamptz`);
  if (query.to) where.add(query.to, (p) => `f.first_seen <= ${p}::timestamptz`);
  return where;
}

function order(sort = "-bytes"): string {
  const descending = sort.startsWith("-");
  const expression = FLOW_SORTS[descending ? sort.slice(1) : sort];
  if (!expression) throw new RangeError(`Cannot sort flows by "${sort}": unknown sort key`);
  return `${expression} ${descending ? "DESC" : "ASC"}, f.id ${descending ? "DESC" : "ASC"}`;
}

/** One page of flows. */
export async function listFlows(db: Queryable, query: FlowQuery): Promise<Page<FlowSummary>> {
  const sorted = order(query.sort);
  const where = filters(query);
  const total = (await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM traffic_flows f ${where.where()}`,
    where.params,
  ))[0].n;
  const limit = where.param(query.page_size);
  const offset = where.param((query.page - 1) * query.page_size);
  const items = await db.query<FlowSummary>(
    `SELECT ${COLUMNS} FROM traffic_flows f ${where.where()} ORDER BY ${sorted} LIMIT ${limit} OFFSET ${offset}`,
    where.params,
  );
  return pageOf(items, total, query);
}

/** One flow, or null. */
export async function getFlow(db: Queryable, id: number): Promise<FlowSummary | null> {
  return (await db.query<FlowSummary>(`SELECT ${COLUMNS} FROM traffic_flows f WHERE f.id = $1`, [id]))[0] ??
    null;
}
