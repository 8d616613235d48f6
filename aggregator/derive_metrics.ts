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
 * in the order of the bucket table (a device's sent row before its received row).
 *
 * @param flows the ends of each flow entry, `flows[i]` for entry `i`
 */
export function collectDeviceMinutes(
  inventory: Inventory,
  flows: readonly FlowEnds[],
): Map<number, DeviceMinute> {
  inventory.settleBuckets();
  const rows = new Map<number, DeviceMinute>();
  const keys = inventory.buckets.keys;
  const values = inventory.bucketValues;
  // Each unicast MAC gets a number once per flow end; a row is then found by a numeric key
  // (minute offset, MAC number, direction) instead of a string made for every bucket.
  const macs = new Map<string, number>();
  const macNumber = (mac: string | null) => {
    if (!isUnicastMacText(mac)) return -1;
    let number = macs.get(mac);
    if (number === undefined) macs.set(mac, number = macs.size);
    return number;
  };
  const out = new Int32Array(flows.length), into = new Int32Array(flows.length);
  for (let entry = 0; entry < flows.length; entry++) {
    out[entry] = macNumber(flows[entry].src_mac);
    into[entry] = macNumber(flows[entry].dst_mac);
  }
  let firstMinute = Infinity;
  for (let entry = 0; entry < inventory.buckets.size; entry++) {
    firstMinute = Math.min(firstMinute, keys[entry * 2 + 1]);
  }
  const stride = 2 * macs.size;
  for (let entry = 0; entry < inventory.buckets.size; entry++) {
    const flow = keys[entry * 2];
    const minute = keys[entry * 2 + 1];
    for (let direction = 0; direction < 2; direction++) {
      const number = direction === 0 ? out[flow] : into[flow];
      if (number < 0) continue;
      const id = (minute - firstMinute) * stride + number * 2 + direction;
      let row = rows.get(id);
      if (!row) {
        const ends = flows[flow];
        row = {
          type: direction === 0 ? "device_out" : "device_in",
          mac: (direction === 0 ? ends.src_mac : ends.dst_mac)!,
          minute,
          values: new Float64Array(BUCKET_VALUES),
        };
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
