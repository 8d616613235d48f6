/**
 * The rows one flush record contributes to the database, read from the inventory's own arrays:
 * the record is merged into a fresh {@linkcode Inventory} (which merges repeated keys) and each
 * table's rows are collected with the aggregator's own definitions (`collectDevices`,
 * `collectVlans`, `collectDeviceMinutes`, `flowApplication`), times kept in µs — what `analyze`
 * formats for its report, storage writes as it is. What is additive across flushes (counters,
 * first/last seen, learnt-from sets, VLAN memberships) comes from here; what is not (gateway
 * flag, VLAN device counts, identification) is recomputed from the database after the upserts.
 *
 * One addition: the traffic each MAC *received* per destination address, whether or not the address
 * is (yet) one of the device's. The inventory credits received counters only to addresses the device
 * is known by in the same inventory; an address learnt in a later flush must still get what it
 * received earlier, so the database keeps those counters for every (MAC, IP, VLAN) destination.
 *
 * @module
 */

import { Inventory } from "../aggregator/inventory.ts";
import { type FlowApplication, flowApplication, flowKeys } from "../aggregator/derive_flows.ts";
import { addressKey, collectDevices, type CollectedDevice } from "../aggregator/derive_devices.ts";
import { type CollectedVlan, collectVlans } from "../aggregator/derive_traffic.ts";
import { collectDeviceMinutes, type DeviceMinute } from "../aggregator/derive_metrics.ts";
import type { FlowKeyFields } from "../model/flow_key.ts";
import { BUCKET_MICROS } from "../dissectors/flow/flow_meter.ts";
import { isUnicastMacText } from "../model/address.ts";
import type { EventRecord, IdentityRecord } from "../model/flush_record.ts";
import type { FlushRecord } from "../model/flush_record.ts";

/** One (device, address, VLAN) row: what was sent from it, received at it, and how it was learnt. */
export interface AddressRow {
  mac: string;
  ip: string;
  version: 4 | 6;
  vlan: number | null;
  outer: number | null;
  /** µs; null when the address was only a destination. */
  firstUs: number | null;
  lastUs: number | null;
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  learnt: string[];
}

/** What one flush record contributes. */
export interface BatchRows {
  /** The record merged into a fresh inventory, buckets settled: flows and buckets by entry. */
  inventory: Inventory;
  /** Decoded key of each flow entry. */
  keys: FlowKeyFields[];
  /** Application of each flow entry. */
  applications: FlowApplication[];
  /** Devices sorted by MAC (the order rows are locked in). */
  devices: CollectedDevice[];
  /** Address rows sorted by (mac, ip, vlan, outer). */
  addresses: AddressRow[];
  /** VLANs sorted by (vlan, outer). */
  vlans: CollectedVlan[];
  /** Device rows of the per-minute metrics. */
  deviceMinutes: DeviceMinute[];
  identities: IdentityRecord[];
  events: EventRecord[];
  /** UTC days (YYYY-MM-DD) of the metrics and events, for their partitions. */
  days: string[];
  /** Packets the record accounted (sum of its flows). */
  packets: number;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function addressRows(devices: CollectedDevice[], inventory: Inventory, keys: FlowKeyFields[]): AddressRow[] {
  const rows = new Map<string, AddressRow>();
  for (const device of devices) {
    for (const a of device.addresses.values()) {
      rows.set(`${device.mac}|${addressKey(a.ip, a.vlan, a.outer)}`, {
        mac: device.mac,
        ip: a.ip,
        version: a.version,
        vlan: a.vlan,
        outer: a.outer,
        firstUs: a.firstUs,
        lastUs: a.lastUs,
        packetsSent: a.packetsSent,
        bytesSent: a.bytesSent,
        packetsReceived: 0,
        bytesReceived: 0,
        learnt: [...a.learnt].sort(),
      });
    }
  }
  for (let entry = 0; entry < keys.length; entry++) {
    const key = keys[entry];
    if (!isUnicastMacText(key.dst_mac) || key.dst_ip === null) continue;
    const id = `${key.dst_mac}|${addressKey(key.dst_ip, key.vlan_id, key.outer_vlan_id)}`;
    let row = rows.get(id);
    if (!row) {
      row = {
        mac: key.dst_mac,
        ip: key.dst_ip,
        version: key.dst_ip.includes(":") ? 6 : 4,
        vlan: key.vlan_id,
        outer: key.outer_vlan_id,
        firstUs: null,
        lastUs: null,
        packetsSent: 0,
        bytesSent: 0,
        packetsReceived: 0,
        bytesReceived: 0,
        learnt: [],
      };
      rows.set(id, row);
    }
    row.packetsReceived += inventory.flowPackets[entry];
    row.bytesReceived += inventory.flowBytes[entry];
  }
  return [...rows.entries()].sort((a, b) => compareText(a[0], b[0])).map(([, row]) => row);
}

function utcDay(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);
}

/** Derives the rows of one flush record from sensor `sensor`. */
export function deriveBatchRows(record: FlushRecord, sensor: string): BatchRows {
  const inventory = new Inventory();
  inventory.merge(record, sensor);
  inventory.settleBuckets();
  const keys = flowKeys(inventory);
  const applications = keys.map((key, entry) => flowApplication(inventory, entry, key));
  const devices = [...collectDevices(inventory, keys).values()].sort((a, b) => compareText(a.mac, b.mac));
  const vlans = [...collectVlans(inventory, keys).values()]
    .sort((a, b) => a.vlan_id - b.vlan_id || (a.outer_vlan_id ?? -1) - (b.outer_vlan_id ?? -1));
  const deviceMinutes = [...collectDeviceMinutes(inventory, keys).values()];
  const identities = [...inventory.identities.values()];
  const events = [...inventory.events.values()];
  const days = new Set<string>();
  const bucketKeys = inventory.buckets.keys;
  const minutes = new Set<number>();
  for (let entry = 0; entry < inventory.buckets.size; entry++) minutes.add(bucketKeys[entry * 2 + 1]);
  for (const minute of minutes) days.add(utcDay(minute * BUCKET_MICROS));
  for (const event of events) days.add(utcDay(event.first_seen_us));
  let packets = 0;
  for (let entry = 0; entry < keys.length; entry++) packets += inventory.flowPackets[entry];
  return {
    inventory,
    keys,
    applications,
    devices,
    addresses: addressRows(devices, inventory, keys),
    vlans,
    deviceMinutes,
    identities,
    events,
    days: [...days].sort(),
    packets,
  };
}
