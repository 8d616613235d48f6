/**
 * Reads the database back as an inventory document — the same shape `analyze --json` prints —
 * so tests can check that the database totals equal the offline analysis, and the API can serve
 * the stored inventory. Protocol distributions and top talkers are derived from the stored flows and
 * devices with the aggregator's own functions.
 *
 * Flow ids are the database's. Everything is read at once: fine for tests and for an inventory of
 * thousands of devices; the API will want paging for hundreds of thousands of flows.
 *
 * @module
 */

import type { Database, Row } from "./database.ts";
import type {
  Device,
  DeviceIp,
  Flow,
  InventoryDocument,
  Metric,
  SensorCounters,
  Vlan,
} from "../aggregator/inventory_types.ts";
import { isoTime } from "../aggregator/derive_flows.ts";
import { deriveProtocols, deriveTopTalkers } from "../aggregator/derive_traffic.ts";
import { sensorCounters } from "../aggregator/sensor_counters.ts";
import { VERSION } from "../model/version.ts";
import { canonicalIp } from "./addresses.ts";
import * as Q from "./totals_queries.ts";

/** Options of {@linkcode readTotals}. */
export interface TotalsOptions {
  /** Read the per-minute metrics too (default false: they are the bulk of the data). */
  metrics?: boolean;
  /** Put in the document's `source` (e.g. the database location). */
  source?: Record<string, unknown>;
}

// deno-lint-ignore no-explicit-any
type Any = any;

function time(us: number | null): string {
  return us === null ? "" : isoTime(us);
}

function toDevice(row: Any, ips: DeviceIp[], vlans: Device["vlans"]): Device {
  return {
    mac_address: row.mac,
    oui_prefix: row.oui_prefix.trim(),
    oui_vendor: row.oui_vendor ?? null,
    locally_administered: row.locally_administered,
    first_seen: time(row.first_seen),
    last_seen: time(row.last_seen),
    total_packets_sent: row.ps,
    total_packets_received: row.pr,
    total_bytes_sent: row.bs,
    total_bytes_received: row.br,
    is_gateway: row.is_gateway,
    gateway_reasons: row.reasons ? String(row.reasons).split("\n") : [],
    ips: ips.sort((a, b) =>
      a.ip_version - b.ip_version || a.ip_address.localeCompare(b.ip_address) ||
      (a.vlan_id ?? -1) - (b.vlan_id ?? -1) || (a.outer_vlan_id ?? -1) - (b.outer_vlan_id ?? -1)
    ),
    vlans,
  };
}

function toIp(row: Any): DeviceIp {
  return {
    ip_address: canonicalIp(row.ip) ?? row.ip,
    ip_version: row.ip_version,
    vlan_id: row.vlan_id,
    outer_vlan_id: row.outer_vlan_id,
    first_seen: time(row.first_seen),
    last_seen: time(row.last_seen),
    packets_sent: row.ps,
    bytes_sent: row.bs,
    packets_received: row.pr,
    bytes_received: row.br,
    learnt_from: String(row.learnt).split(",").sort(),
  };
}

function toFlow(row: Any): Flow {
  return {
    id: row.id,
    src_mac: row.src_mac,
    dst_mac: row.dst_mac,
    src_ip: canonicalIp(row.src_ip),
    dst_ip: canonicalIp(row.dst_ip),
    src_port: row.src_port,
    dst_port: row.dst_port,
    vlan_id: row.vlan_id,
    outer_vlan_id: row.outer_vlan_id,
    ethertype: row.ethertype,
    ip_protocol: row.ip_protocol,
    application: row.application,
    application_source: row.application_source,
    first_seen: time(row.first_seen),
    last_seen: time(row.last_seen),
    packet_count: row.packets,
    byte_count: row.bytes,
    tcp_flags_seen: row.tcp_flags_seen,
    tcp_syn_count: row.syn,
    tcp_rst_count: row.rst,
    tcp_fin_count: row.fin,
  };
}

function toVlan(row: Any): Vlan {
  return {
    vlan_id: row.vlan_id,
    outer_vlan_id: row.outer_vlan_id,
    device_count: row.device_count,
    first_seen: time(row.first_seen),
    last_seen: time(row.last_seen),
    total_packets: row.packets,
    total_bytes: row.bytes,
  };
}

function toMetric(row: Any): Metric {
  return {
    time: time(row.time),
    bucket_seconds: row.bucket_seconds,
    metric_type: row.metric_type,
    flow_id: row.flow_id,
    device_mac: row.mac,
    packet_count: row.packets,
    byte_count: row.bytes,
    avg_packet_size: Math.round(row.bytes / row.packets * 10) / 10,
    min_packet_size: row.min_packet_size,
    max_packet_size: row.max_packet_size,
    tcp_syn_count: row.tcp_syn_count,
    tcp_rst_count: row.tcp_rst_count,
    tcp_fin_count: row.tcp_fin_count,
  };
}

/** An identity or event row as the document's record (times as ISO text, addresses as NetSentinel writes them). */
function toObservation(row: Any): Any {
  const { first_seen, last_seen, fields, ...rest } = row;
  const observation: Record<string, unknown> = {
    ...rest,
    first_seen: time(first_seen),
    last_seen: time(last_seen),
  };
  for (const key of ["ip", "src_ip", "dst_ip"]) {
    if (key in observation) observation[key] = canonicalIp(observation[key] as string);
  }
  if (fields !== undefined) observation.fields = JSON.parse(fields);
  return observation;
}

function groupBy<T>(rows: Row[], make: (row: Any) => T): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const id = row.device_id as number;
    const list = groups.get(id);
    if (list) list.push(make(row));
    else groups.set(id, [make(row)]);
  }
  return groups;
}

/** Sums the latest engine counters of every sensor boot. */
function sensorSummary(rows: Row[]) {
  const stats: Record<string, SensorCounters> = {};
  let packets = 0, bytes = 0, malformed = 0, truncated = 0, firstUs = Infinity, lastUs = -Infinity;
  const boots = new Map<string, number>();
  for (const row of rows) boots.set(row.sensor_id as string, (boots.get(row.sensor_id as string) ?? 0) + 1);
  for (const row of rows) {
    const raw = JSON.parse(row.stats as string);
    const counters = sensorCounters({ ...raw, dissectorNames: raw.dissectorNames ?? [] });
    const name = boots.get(row.sensor_id as string)! > 1
      ? `${row.sensor_id}@${row.boot}`
      : String(row.sensor_id);
    stats[name] = counters;
    packets += counters.packets;
    bytes += counters.bytes;
    malformed += counters.malformed;
    truncated += counters.truncated;
    if (typeof raw.firstUs === "number") firstUs = Math.min(firstUs, raw.firstUs);
    if (typeof raw.lastUs === "number") lastUs = Math.max(lastUs, raw.lastUs);
  }
  return { stats, packets, bytes, malformed, truncated, firstUs, lastUs };
}

/**
 * Reads the stored inventory as an {@linkcode InventoryDocument}.
 *
 * @throws {StorageError} when the database fails
 */
export async function readTotals(db: Database, options: TotalsOptions = {}): Promise<InventoryDocument> {
  // One snapshot: a batch committed while reading shows entirely or not at all.
  const [
    deviceRows,
    addressRows,
    vlanLinks,
    flowRows,
    vlanRows,
    identityRows,
    eventRows,
    bootRows,
    metricRows,
  ] = await db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const queries = [Q.DEVICES, Q.ADDRESSES, Q.DEVICE_VLANS, Q.FLOWS, Q.VLANS, Q.IDENTITIES, Q.EVENTS];
    const rows: Row[][] = [];
    for (const sql of [...queries, Q.SENSOR_BOOTS]) rows.push(await tx.query(sql));
    rows.push(options.metrics ? await tx.query(Q.METRICS) : []);
    return rows;
  });
  const ips = groupBy(addressRows, toIp);
  const deviceVlans = groupBy(
    vlanLinks,
    (row) => ({ vlan_id: row.vlan_id, outer_vlan_id: row.outer_vlan_id }),
  );
  const devices = deviceRows
    .map((row) => toDevice(row, ips.get(row.id as number) ?? [], deviceVlans.get(row.id as number) ?? []))
    .sort((a, b) => a.mac_address.localeCompare(b.mac_address));
  const flows = flowRows.map(toFlow);
  const vlans = vlanRows.map(toVlan);
  const metrics = metricRows.map(toMetric);
  const sensors = sensorSummary(bootRows);
  return {
    netsentinel: { version: VERSION, generated_at: new Date().toISOString() },
    source: options.source ?? {},
    summary: {
      packets: sensors.packets,
      bytes: sensors.bytes,
      first_seen: Number.isFinite(sensors.firstUs) ? isoTime(sensors.firstUs) : null,
      last_seen: Number.isFinite(sensors.lastUs) ? isoTime(sensors.lastUs) : null,
      devices: devices.length,
      flows: flows.length,
      vlans: vlans.length,
      malformed: sensors.malformed,
      truncated: sensors.truncated,
    },
    devices,
    flows,
    vlans,
    protocols: deriveProtocols(flows),
    top_talkers: deriveTopTalkers(devices),
    identities: identityRows.map(toObservation),
    events: eventRows.map(toObservation),
    metrics,
    stats: sensors.stats,
  };
}
