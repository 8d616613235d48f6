/**
 * Test helper: the parts of an inventory document that the database must reproduce, in a form
 * where equal inventories compare equal (flow ids replaced by flow keys, lists sorted, times of
 * generation dropped).
 *
 * @module
 */

import type { Flow, InventoryDocument } from "../aggregator/inventory_types.ts";

/** JSON with object keys sorted (PostgreSQL's jsonb does not keep key order). */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item) =>
      item && typeof item === "object" && !Array.isArray(item)
        ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : item,
  );
}

function byJson<T>(items: T[]): T[] {
  return items.map((item) => [canonical(item), item] as const)
    .sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
    .map(([, item]) => item);
}

function flowKey(flow: Flow): string {
  return [
    flow.src_mac,
    flow.src_ip,
    flow.src_port,
    flow.dst_mac,
    flow.dst_ip,
    flow.dst_port,
    flow.vlan_id,
    flow.outer_vlan_id,
    flow.ethertype,
    flow.ip_protocol,
  ].join("|");
}

/** Options of {@linkcode comparable}. */
export interface ComparableOptions {
  /** Compare per-minute metrics too (the document must have been built with them). */
  metrics?: boolean;
}

/** The comparable content of `doc`. */
export function comparable(doc: InventoryDocument, options: ComparableOptions = {}) {
  const keys = new Map(doc.flows.map((flow) => [flow.id, flowKey(flow)]));
  const { packets, bytes, first_seen, last_seen, devices, flows, vlans, malformed, truncated } = doc.summary;
  return {
    summary: { packets, bytes, first_seen, last_seen, devices, flows, vlans, malformed, truncated },
    devices: doc.devices.map((device) => ({
      ...device,
      ips: byJson(device.ips),
      vlans: byJson(device.vlans),
    })),
    flows: byJson(doc.flows.map(({ id: _id, ...flow }) => flow)),
    vlans: doc.vlans,
    protocols: doc.protocols,
    top_talkers: doc.top_talkers,
    identities: byJson(doc.identities),
    events: byJson(doc.events),
    metrics: options.metrics
      ? byJson(doc.metrics.map(({ flow_id, ...metric }) => ({
        ...metric,
        flow: flow_id === null ? null : keys.get(flow_id),
      })))
      : [],
  };
}
