/**
 * Builds the {@linkcode InventoryDocument} from the aggregator's merged state.
 *
 * @module
 */

import type { Inventory } from "./inventory.ts";
import type { InventoryDocument, SensorCounters } from "./inventory_types.ts";
import { deriveFlows, isoTime } from "./derive_flows.ts";
import { deriveDevices } from "./derive_devices.ts";
import { deriveIpDevices } from "./derive_ip_devices.ts";
import { deriveProtocols, deriveTopTalkers, deriveVlans } from "./derive_traffic.ts";
import { deriveMetrics } from "./derive_metrics.ts";
import { VERSION } from "../model/version.ts";
import { sensorCounters } from "./sensor_counters.ts";
import { identify, trackDhcp } from "./identify/mod.ts";
import { eventFact, identityFact } from "./derive_observations.ts";

/** Options of {@linkcode buildInventoryDocument}. */
export interface DocumentOptions {
  /** What was analysed (file path, format, interfaces…). */
  source?: Record<string, unknown>;
  /** Include per-minute metrics (default true; they are the bulk of a large document). */
  metrics?: boolean;
  /** DHCP servers allowed on the network; any other that answers is rogue (default: none configured). */
  allowedDhcpServers?: string[];
}

/** The inventory as one JSON-able document. */
export function buildInventoryDocument(
  inventory: Inventory,
  options: DocumentOptions = {},
): InventoryDocument {
  const flows = deriveFlows(inventory);
  const devices = deriveDevices(inventory, flows);
  const ipDevices = deriveIpDevices(inventory, flows, devices);
  const vlans = deriveVlans(inventory, flows);
  const stats: Record<string, SensorCounters> = {};
  for (const [sensor, counters] of inventory.sensorStats) stats[sensor] = sensorCounters(counters);
  let packets = 0, bytes = 0, malformed = 0, truncated = 0, firstUs = Infinity, lastUs = -Infinity;
  for (const sensor of inventory.sensorStats.values()) {
    packets += sensor.packets;
    bytes += sensor.bytes;
    malformed += sensor.malformed;
    truncated += sensor.truncated;
    firstUs = Math.min(firstUs, sensor.firstUs);
    lastUs = Math.max(lastUs, sensor.lastUs);
  }
  const doc: InventoryDocument = {
    netsentinel: { version: VERSION, generated_at: new Date().toISOString() },
    source: options.source ?? {},
    summary: {
      packets,
      bytes,
      first_seen: Number.isFinite(firstUs) ? isoTime(firstUs) : null,
      last_seen: Number.isFinite(lastUs) ? isoTime(lastUs) : null,
      devices: devices.length,
      ip_devices: ipDevices.length,
      flows: flows.length,
      vlans: vlans.length,
      malformed,
      truncated,
    },
    devices,
    ip_devices: ipDevices,
    flows,
    vlans,
    protocols: deriveProtocols(flows),
    top_talkers: deriveTopTalkers(devices),
    identities: [...inventory.identities.values()].map(identityFact),
    events: [...inventory.events.values()].map(eventFact),
    metrics: options.metrics === false ? [] : deriveMetrics(inventory, flows),
    stats,
  };
  const found = identify(doc);
  doc.ot_assets = found.ot_assets;
  doc.classification = found.classification;
  doc.display_names = Object.fromEntries(found.display_names);
  doc.dhcp = trackDhcp(doc, { allowedServers: options.allowedDhcpServers });
  return doc;
}
