/**
 * The rows one flush record contributes to the database, derived with the aggregator's own
 * definitions: the record is merged into a fresh {@linkcode Inventory} and turned into an
 * inventory document (`buildInventoryDocument`), exactly as `analyze` does. What is additive across
 * flushes (counters, first/last seen, learnt-from sets, VLAN memberships) comes from that document;
 * what is not (gateway flag, VLAN device counts) is recomputed from the database after the upserts.
 *
 * One addition: the traffic each MAC *received* per destination address, whether or not the address
 * is (yet) one of the device's. The inventory credits received counters only to addresses the device
 * is known by in the same inventory; an address learnt in a later flush must still get what it
 * received earlier, so the database keeps those counters for every (MAC, IP, VLAN) destination.
 *
 * @module
 */

import { Inventory } from "../aggregator/inventory.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";
import { isUnicastMacText } from "../model/address.ts";
import type { FlushRecord } from "../model/flush_record.ts";

/** One (device, address, VLAN) row: what was sent from it, received at it, and how it was learnt. */
export interface AddressRow {
  mac: string;
  ip: string;
  version: 4 | 6;
  vlan: number | null;
  outer: number | null;
  /** ISO times, null when the address was only a destination. */
  first: string | null;
  last: string | null;
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  learnt: string[];
}

/** What one flush record contributes. */
export interface BatchRows {
  /** The record's inventory document (metrics included); flow ids are entries + 1. */
  document: InventoryDocument;
  /** First and last seen of each flow, µs, by flow id - 1 (the document keeps milliseconds). */
  flowFirstUs: Float64Array;
  flowLastUs: Float64Array;
  /** Address rows sorted by (mac, ip, vlan, outer). */
  addresses: AddressRow[];
  /** UTC days (YYYY-MM-DD) of the metrics and events, for their partitions. */
  days: string[];
  /** Packets the record accounted (sum of its flows). */
  packets: number;
}

function addressKey(mac: string, ip: string, vlan: number | null, outer: number | null): string {
  return `${mac}|${ip}|${vlan ?? ""}|${outer ?? ""}`;
}

function addressRows(document: InventoryDocument): AddressRow[] {
  const rows = new Map<string, AddressRow>();
  for (const device of document.devices) {
    for (const ip of device.ips) {
      rows.set(addressKey(device.mac_address, ip.ip_address, ip.vlan_id, ip.outer_vlan_id), {
        mac: device.mac_address,
        ip: ip.ip_address,
        version: ip.ip_version,
        vlan: ip.vlan_id,
        outer: ip.outer_vlan_id,
        first: ip.first_seen,
        last: ip.last_seen,
        packetsSent: ip.packets_sent,
        bytesSent: ip.bytes_sent,
        packetsReceived: 0,
        bytesReceived: 0,
        learnt: ip.learnt_from,
      });
    }
  }
  for (const flow of document.flows) {
    if (!isUnicastMacText(flow.dst_mac) || flow.dst_ip === null) continue;
    const key = addressKey(flow.dst_mac, flow.dst_ip, flow.vlan_id, flow.outer_vlan_id);
    let row = rows.get(key);
    if (!row) {
      row = {
        mac: flow.dst_mac,
        ip: flow.dst_ip,
        version: flow.dst_ip.includes(":") ? 6 : 4,
        vlan: flow.vlan_id,
        outer: flow.outer_vlan_id,
        first: null,
        last: null,
        packetsSent: 0,
        bytesSent: 0,
        packetsReceived: 0,
        bytesReceived: 0,
        learnt: [],
      };
      rows.set(key, row);
    }
    row.packetsReceived += flow.packet_count;
    row.bytesReceived += flow.byte_count;
  }
  return [...rows.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0).map(([, row]) => row);
}

/** Derives the rows of one flush record from sensor `sensor`. */
export function deriveBatchRows(record: FlushRecord, sensor: string): BatchRows {
  const inventory = new Inventory();
  inventory.merge(record, sensor);
  const document = buildInventoryDocument(inventory, { metrics: true });
  const days = new Set<string>();
  for (const metric of document.metrics) days.add(metric.time.slice(0, 10));
  for (const event of document.events) days.add(String(event.first_seen).slice(0, 10));
  let packets = 0;
  for (const flow of document.flows) packets += flow.packet_count;
  return {
    document,
    flowFirstUs: inventory.flowFirstUs.slice(0, inventory.flows.size),
    flowLastUs: inventory.flowLastUs.slice(0, inventory.flows.size),
    addresses: addressRows(document),
    days: [...days].sort(),
    packets,
  };
}
