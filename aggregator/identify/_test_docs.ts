/**
 * Test helpers: inventory documents from real captures (dissected in-process) and hand-made ones.
 *
 * @module
 */

import { dissectFile } from "../../dissectors/dissect_file.ts";
import { Inventory } from "../inventory.ts";
import { buildInventoryDocument } from "../inventory_view.ts";
import type { Device, InventoryDocument } from "../inventory_types.ts";
import { writePlantSample } from "../../samples/plant.ts";
import type { EventFact, IdentityFact } from "./evidence.ts";

/** The document of a capture file, dissected in this process by the built-in dissectors. */
export async function documentOfCapture(path: string): Promise<InventoryDocument> {
  const inventory = new Inventory();
  for (const record of await dissectFile(path, { batchPackets: 256 })) inventory.merge(record);
  return buildInventoryDocument(inventory, { metrics: false });
}

/** The document of the project's plant sample (written to a temporary file). */
export async function plantDocument(): Promise<InventoryDocument> {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/plant.pcap`;
    await writePlantSample(path);
    return await documentOfCapture(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A document with only the given devices, identities and events. */
export function handMade(
  devices: Device[],
  identities: Partial<IdentityFact>[] = [],
  events: Partial<EventFact>[] = [],
): InventoryDocument {
  return {
    netsentinel: { version: "test", generated_at: "2026-01-01T00:00:00.000Z" },
    source: {},
    summary: {
      packets: 0,
      bytes: 0,
      first_seen: null,
      last_seen: null,
      devices: devices.length,
      flows: 0,
      vlans: 0,
      malformed: 0,
      truncated: 0,
    },
    devices,
    flows: [],
    vlans: [],
    protocols: { ethertypes: [], ip_protocols: [], applications: [] },
    top_talkers: [],
    identities: identities.map((fact) => ({
      key: "",
      value: "",
      source: "test",
      mac: null,
      ip: null,
      vlan_id: null,
      confidence: 80,
      count: 1,
      first_seen: "2026-01-01T00:00:00.000Z",
      last_seen: "2026-01-01T00:00:00.000Z",
      ...fact,
    })),
    events: events.map((event) => ({
      type: "",
      first_seen: "2026-01-01T00:00:00.000Z",
      severity: "info",
      kind: "event",
      source: "dhcp",
      mac: null,
      ip: null,
      src_mac: null,
      dst_mac: null,
      src_ip: null,
      dst_ip: null,
      vlan_id: null,
      fields: {},
      count: 1,
      ...event,
      last_seen: event.last_seen ?? event.first_seen ?? "2026-01-01T00:00:00.000Z",
    })),
    metrics: [],
    stats: {},
  };
}

/** A device with defaults; `ips` are (address, learnt_from, first, last). */
export function device(
  mac: string,
  options: { ips?: [string, string[], string?, string?][]; gatewayReasons?: string[]; vendor?: string } = {},
): Device {
  const start = "2026-01-01T00:00:00.000Z";
  return {
    mac_address: mac,
    oui_prefix: mac.slice(0, 8).toUpperCase(),
    oui_vendor: options.vendor ?? null,
    locally_administered: false,
    first_seen: start,
    last_seen: start,
    total_packets_sent: 1,
    total_packets_received: 0,
    total_bytes_sent: 60,
    total_bytes_received: 0,
    is_gateway: (options.gatewayReasons ?? []).length > 0,
    gateway_reasons: options.gatewayReasons ?? [],
    ips: (options.ips ?? []).map(([ip, learnt, first, last]) => ({
      ip_address: ip,
      ip_version: ip.includes(":") ? 6 as const : 4 as const,
      vlan_id: null,
      outer_vlan_id: null,
      first_seen: first ?? start,
      last_seen: last ?? first ?? start,
      packets_sent: 1,
      bytes_sent: 60,
      packets_received: 0,
      bytes_received: 0,
      learnt_from: learnt,
    })),
    vlans: [],
  };
}

/** ISO time `seconds` after 2026-01-01T00:00:00Z. */
export function at(seconds: number): string {
  return new Date(Date.parse("2026-01-01T00:00:00.000Z") + seconds * 1000).toISOString();
}
