/**
 * Per-minute metrics (`traffic_metrics`): one row per flow and minute (the inventory's bucket
 * table), and per device, direction and minute (summed from the device's flows).
 *
 * @module
 */

import { BUCKET_VALUES, BucketValue, type Inventory } from "./inventory.ts";
import { isUnicastMacText } from "../model/address.ts";
import type { Metric } from "./inventory_types.ts";
import type { FlowEnds } from "./derive_devices.ts";
import { BUCKET_MICROS } from "../dissectors/flow/flow_meter.ts";
import { isoTime } from "./derive_flows.ts";

/** A device's traffic in one minute: sent (`device_out`) or received (`device_in`). */
export interface DeviceMinute {
  type: "device_in" | "device_out";
  mac: string;
  /** Minutes since the epoch. */
  minute: number;
  /** Summed bucket values, columns {@linkcode BucketValue}. */
  values: Float64Array;
}

/** Adds bucket values `from[at…]` into `into[to…]` (sums, and min/max of the sizes). */
function addValues(into: Float64Array, to: number, from: Float64Array, at: number): void {
  into[to + BucketValue.PACKETS] += from[at + BucketValue.PACKETS];
  into[to + BucketValue.BYTES] += from[at + BucketValue.BYTES];
  into[to + BucketValue.MIN_SIZE] = Math.min(
    into[to + BucketValue.MIN_SIZE],
    from[at + BucketValue.MIN_SIZE],
  );
  into[to + BucketValue.MAX_SIZE] = Math.max(
    into[to + BucketValue.MAX_SIZE],
    from[at + BucketValue.MAX_SIZE],
  );
  into[to + BucketValue.SYN] += from[at + BucketValue.SYN];
  into[to + BucketValue.RST] += from[at + BucketValue.RST];
  into[to + BucketValue.FIN] += from[at + BucketValue.FIN];
}

/**
 * Each device's traffic per minute and direction, summed from its flows' buckets (settled first),
 * by `type|mac|minute` in the order of the bucket table.
 *
 * @param flows the ends of each flow entry, `flows[i]` for entry `i`
 */
export function collectDeviceMinutes(
  inventory: Inventory,
  flows: readonly FlowEnds[],
): Map<string, DeviceMinute> {
  inventory.settleBuckets();
  const rows = new Map<string, DeviceMinute>();
  const keys = inventory.buckets.keys;
  const values = inventory.bucketValues;
  for (let entry = 0; entry < inventory.buckets.size; entry++) {
    const flow = flows[keys[entry * 2]];
    const minute = keys[entry * 2 + 1];
    for (const [type, mac] of [["device_out", flow.src_mac], ["device_in", flow.dst_mac]] as const) {
      if (!isUnicastMacText(mac)) continue;
      const id = `${type}|${mac}|${minute}`;
      let row = rows.get(id);
      if (!row) {
        row = { type, mac, minute, values: new Float64Array(BUCKET_VALUES) };
        row.values[BucketValue.MIN_SIZE] = Infinity;
        rows.set(id, row);
      }
      addValues(row.values, 0, values, entry * BUCKET_VALUES);
    }
  }
  return rows;
}

function metric(
  type: Metric["metric_type"],
  minute: number,
  flowId: number | null,
  mac: string | null,
  values: Float64Array,
  v: number,
): Metric {
  const packets = values[v + BucketValue.PACKETS];
  const bytes = values[v + BucketValue.BYTES];
  return {
    time: isoTime(minute * BUCKET_MICROS),
    bucket_seconds: BUCKET_MICROS / 1e6,
    metric_type: type,
    flow_id: flowId,
    device_mac: mac,
    packet_count: packets,
    byte_count: bytes,
    avg_packet_size: Math.round(bytes / packets * 10) / 10,
    min_packet_size: values[v + BucketValue.MIN_SIZE],
    max_packet_size: values[v + BucketValue.MAX_SIZE],
    tcp_syn_count: values[v + BucketValue.SYN],
    tcp_rst_count: values[v + BucketValue.RST],
    tcp_fin_count: values[v + BucketValue.FIN],
  };
}

/** Flow rows then device rows, each sorted by time; flow ids are entry + 1. */
export function deriveMetrics(inventory: Inventory, flows: readonly FlowEnds[]): Metric[] {
  const devices = collectDeviceMinutes(inventory, flows);
  const keys = inventory.buckets.keys;
  const all: Metric[] = [];
  for (let entry = 0; entry < inventory.buckets.size; entry++) {
    all.push(
      metric(
        "flow",
        keys[entry * 2 + 1],
        keys[entry * 2] + 1,
        null,
        inventory.bucketValues,
        entry * BUCKET_VALUES,
      ),
    );
  }
  for (const row of devices.values()) all.push(metric(row.type, row.minute, null, row.mac, row.values, 0));
  return all.sort((a, b) => a.time.localeCompare(b.time));
}
