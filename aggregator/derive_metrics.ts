/**
 * Per-minute metrics (`traffic_metrics`): one row per flow and minute, and per device, direction
 * and minute (summed from the device's flows).
 *
 * @module
 */

import type { Inventory } from "./inventory.ts";
import { isUnicastMacText } from "../model/address.ts";
import type { Flow, Metric } from "./inventory_types.ts";
import { BUCKET_MICROS } from "../dissectors/flow/flow_meter.ts";
import { isoTime } from "./derive_flows.ts";

function row(type: Metric["metric_type"], minute: number, flowId: number | null, mac: string | null): Metric {
  return {
    time: isoTime(minute * BUCKET_MICROS),
    bucket_seconds: BUCKET_MICROS / 1e6,
    metric_type: type,
    flow_id: flowId,
    device_mac: mac,
    packet_count: 0,
    byte_count: 0,
    avg_packet_size: 0,
    min_packet_size: Infinity,
    max_packet_size: 0,
    tcp_syn_count: 0,
    tcp_rst_count: 0,
    tcp_fin_count: 0,
  };
}

function add(metric: Metric, values: Float64Array, v: number): void {
  metric.packet_count += values[v];
  metric.byte_count += values[v + 1];
  metric.min_packet_size = Math.min(metric.min_packet_size, values[v + 2]);
  metric.max_packet_size = Math.max(metric.max_packet_size, values[v + 3]);
  metric.tcp_syn_count += values[v + 4];
  metric.tcp_rst_count += values[v + 5];
  metric.tcp_fin_count += values[v + 6];
}

/** Flow rows then device rows, each sorted by time. */
export function deriveMetrics(inventory: Inventory, flows: Flow[]): Metric[] {
  const flowRows: Metric[] = [];
  const deviceRows = new Map<string, Metric>();
  inventory.settleBuckets();
  const keys = inventory.buckets.keys;
  for (let entry = 0; entry < inventory.buckets.size; entry++) {
    const flow = flows[keys[entry * 2]];
    const minute = keys[entry * 2 + 1];
    const v = entry * 7;
    const flowRow = row("flow", minute, flow.id, null);
    add(flowRow, inventory.bucketValues, v);
    flowRows.push(flowRow);
    for (const [type, mac] of [["device_out", flow.src_mac], ["device_in", flow.dst_mac]] as const) {
      if (!isUnicastMacText(mac)) continue;
      const id = `${type}|${mac}|${minute}`;
      let deviceRow = deviceRows.get(id);
      if (!deviceRow) deviceRows.set(id, deviceRow = row(type, minute, null, mac));
      add(deviceRow, inventory.bucketValues, v);
    }
  }
  const all = [...flowRows, ...deviceRows.values()];
  for (const metric of all) {
    metric.avg_packet_size = Math.round(metric.byte_count / metric.packet_count * 10) / 10;
  }
  return all.sort((a, b) => a.time.localeCompare(b.time));
}
