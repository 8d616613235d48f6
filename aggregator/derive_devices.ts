/**
 * Devices, their IPs and VLANs, derived from flows and MAC↔IP sightings.
 *
 * - A device is a unicast MAC seen as the source or the destination of a frame, or in a payload
 *   sighting (ARP, NDP). Group (multicast/broadcast) MACs are destinations, never devices.
 * - A device's IPs are the source IPs of its frames (`traffic`) and the bindings it announced
 *   (`arp`, `ndp`), per VLAN. The unspecified addresses 0.0.0.0 and :: are not attributed (a DHCP
 *   client or a DAD probe uses them before it has an address).
 * - Gateway flag: the rule of `gateway_rule.ts` over the device's addresses.
 *
 * {@linkcode collectDevices} gathers the totals with times in µs (what storage writes);
 * {@linkcode deriveDevices} turns them into report rows (what `analyze` prints).
 *
 * @module
 */

import type { Inventory } from "./inventory.ts";
import type { Device, VlanRef } from "./inventory_types.ts";
import type { FlowKeyFields } from "../model/flow_key.ts";
import { formatIpv4, formatIpv6, formatMac, isUnicastMacText } from "../model/address.ts";
import { SIGHTING_KEY_WORDS } from "../model/flush_record.ts";
import { SightingSource } from "../dissectors/api.ts";
import { isoTime } from "./derive_flows.ts";
import { ouiVendor } from "./oui.ts";
import { gatewayReasons } from "./gateway_rule.ts";

export { GATEWAY_MIN_FOREIGN_IPS } from "./gateway_rule.ts";

/** The fields of a flow that say which devices it concerns (a report flow or a decoded key). */
export type FlowEnds = Pick<
  FlowKeyFields,
  "src_mac" | "dst_mac" | "src_ip" | "dst_ip" | "vlan_id" | "outer_vlan_id"
>;

/** One address of a collected device, on one VLAN; times in µs. */
export interface CollectedAddress {
  ip: string;
  version: 4 | 6;
  vlan: number | null;
  outer: number | null;
  firstUs: number;
  lastUs: number;
  packetsSent: number;
  bytesSent: number;
  /** Received at this address; only for addresses the device is known by (see `collectDevices`). */
  packetsReceived: number;
  bytesReceived: number;
  /** `traffic`, `arp`, `ndp`, `dhcp`, or `source-<n>` for another sighting source. */
  learnt: Set<string>;
}

/** One device's totals as collected from an inventory; times in µs. */
export interface CollectedDevice {
  mac: string;
  firstUs: number;
  lastUs: number;
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** By `ip|vlan|outer`, in the order first seen. */
  addresses: Map<string, CollectedAddress>;
  /** VLANs of its frames, by `vlan|outer`. */
  vlans: Map<string, VlanRef>;
}

const SIGHTING_LABELS: Record<number, string> = {
  [SightingSource.ARP]: "arp",
  [SightingSource.NDP]: "ndp",
  [SightingSource.DHCP]: "dhcp",
};

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

/** The key of an address in {@linkcode CollectedDevice.addresses}. */
export function addressKey(ip: string, vlan: number | null, outer: number | null): string {
  return `${ip}|${vlan}|${outer}`;
}

class DeviceCollector {
  readonly devices: Map<string, CollectedDevice> = new Map();

  device(mac: string, firstUs: number, lastUs: number): CollectedDevice {
    let device = this.devices.get(mac);
    if (!device) {
      device = {
        mac,
        firstUs,
        lastUs,
        packetsSent: 0,
        bytesSent: 0,
        packetsReceived: 0,
        bytesReceived: 0,
        addresses: new Map(),
        vlans: new Map(),
      };
      this.devices.set(mac, device);
    }
    if (firstUs < device.firstUs) device.firstUs = firstUs;
    if (lastUs > device.lastUs) device.lastUs = lastUs;
    return device;
  }

  address(
    device: CollectedDevice,
    ip: string,
    vlan: number | null,
    outer: number | null,
    firstUs: number,
    lastUs: number,
  ): CollectedAddress {
    const key = addressKey(ip, vlan, outer);
    let entry = device.addresses.get(key);
    if (!entry) {
      entry = {
        ip,
        version: ip.includes(":") ? 6 : 4,
        vlan,
        outer,
        firstUs,
        lastUs,
        packetsSent: 0,
        bytesSent: 0,
        packetsReceived: 0,
        bytesReceived: 0,
        learnt: new Set(),
      };
      device.addresses.set(key, entry);
    }
    if (firstUs < entry.firstUs) entry.firstUs = firstUs;
    if (lastUs > entry.lastUs) entry.lastUs = lastUs;
    return entry;
  }
}

function addFlows(collector: DeviceCollector, inventory: Inventory, flows: readonly FlowEnds[]): void {
  for (let entry = 0; entry < flows.length; entry++) {
    const flow = flows[entry];
    const firstUs = inventory.flowFirstUs[entry];
    const lastUs = inventory.flowLastUs[entry];
    const packets = inventory.flowPackets[entry];
    const bytes = inventory.flowBytes[entry];
    if (isUnicastMacText(flow.src_mac)) {
      const device = collector.device(flow.src_mac, firstUs, lastUs);
      device.packetsSent += packets;
      device.bytesSent += bytes;
      addVlan(device, flow);
      if (flow.src_ip !== null && !isUnspecified(flow.src_ip)) {
        const ip = collector.address(device, flow.src_ip, flow.vlan_id, flow.outer_vlan_id, firstUs, lastUs);
        ip.packetsSent += packets;
        ip.bytesSent += bytes;
        ip.learnt.add("traffic");
      }
    }
    if (isUnicastMacText(flow.dst_mac)) {
      const device = collector.device(flow.dst_mac, firstUs, lastUs);
      device.packetsReceived += packets;
      device.bytesReceived += bytes;
      addVlan(device, flow);
    }
  }
}

/**
 * Received counters go to addresses the device is known by, from its traffic or its ARP/NDP/DHCP
 * bindings (a router's MAC receives traffic for remote IPs it does not own: those do not become its
 * IPs). Run after {@linkcode addSightings}, so an address known only from a binding counts too.
 */
function addReceived(collector: DeviceCollector, inventory: Inventory, flows: readonly FlowEnds[]): void {
  for (let entry = 0; entry < flows.length; entry++) {
    const flow = flows[entry];
    if (!isUnicastMacText(flow.dst_mac) || flow.dst_ip === null) continue;
    const ip = collector.devices.get(flow.dst_mac)?.addresses.get(
      addressKey(flow.dst_ip, flow.vlan_id, flow.outer_vlan_id),
    );
    if (!ip) continue;
    ip.packetsReceived += inventory.flowPackets[entry];
    ip.bytesReceived += inventory.flowBytes[entry];
  }
}

function addVlan(device: CollectedDevice, flow: FlowEnds): void {
  if (flow.vlan_id === null) return;
  const key = `${flow.vlan_id}|${flow.outer_vlan_id}`;
  if (!device.vlans.has(key)) {
    device.vlans.set(key, { vlan_id: flow.vlan_id, outer_vlan_id: flow.outer_vlan_id });
  }
}

function addSightings(collector: DeviceCollector, inventory: Inventory): void {
  const keys = inventory.sightings.keys;
  for (let entry = 0; entry < inventory.sightings.size; entry++) {
    const k = entry * SIGHTING_KEY_WORDS;
    const mac = formatMac(keys[k], keys[k + 1] >>> 16);
    if (!isUnicastMacText(mac)) continue;
    const source = (keys[k + 1] >>> 8) & 0xff;
    const version = keys[k + 1] & 0xff;
    const ip = version === 4
      ? formatIpv4(keys[k + 2])
      : formatIpv6(keys[k + 2], keys[k + 3], keys[k + 4], keys[k + 5]);
    const outer = (keys[k + 6] >>> 16) - 1;
    const inner = (keys[k + 6] & 0xffff) - 1;
    const vlan = inner >= 0 ? inner : outer >= 0 ? outer : null;
    const outerVlan = inner >= 0 ? outer : null;
    const firstUs = inventory.sightingFirstUs[entry];
    const lastUs = inventory.sightingLastUs[entry];
    const device = collector.device(mac, firstUs, lastUs);
    collector.address(device, ip, vlan, outerVlan, firstUs, lastUs)
      .learnt.add(SIGHTING_LABELS[source] ?? `source-${source}`);
  }
}

/**
 * Every device of the inventory with its totals, addresses and VLANs, by MAC (in the order first
 * seen). Received counters of an address are those of flows to it while it is one of the
 * device's addresses in this inventory.
 *
 * @param flows the ends of each flow entry, `flows[i]` for entry `i` (report flows or decoded keys)
 */
export function collectDevices(
  inventory: Inventory,
  flows: readonly FlowEnds[],
): Map<string, CollectedDevice> {
  const collector = new DeviceCollector();
  addFlows(collector, inventory, flows);
  addSightings(collector, inventory);
  addReceived(collector, inventory, flows);
  return collector.devices;
}

/** The gateway rule's view of a device's addresses. */
export function gatewayAddresses(
  device: CollectedDevice,
): { ip: string; version: 4 | 6; packetsSent: number; learnt: string[] }[] {
  return [...device.addresses.values()].map((a) => ({
    ip: a.ip,
    version: a.version,
    packetsSent: a.packetsSent,
    learnt: [...a.learnt],
  }));
}

function toDevice(device: CollectedDevice): Device {
  const reasons = gatewayReasons(gatewayAddresses(device));
  const firstOctet = parseInt(device.mac.slice(0, 2), 16);
  return {
    mac_address: device.mac,
    oui_prefix: device.mac.slice(0, 8).toUpperCase(),
    oui_vendor: ouiVendor(device.mac),
    locally_administered: (firstOctet & 0x02) !== 0,
    first_seen: isoTime(device.firstUs),
    last_seen: isoTime(device.lastUs),
    total_packets_sent: device.packetsSent,
    total_packets_received: device.packetsReceived,
    total_bytes_sent: device.bytesSent,
    total_bytes_received: device.bytesReceived,
    is_gateway: reasons.length > 0,
    gateway_reasons: reasons,
    ips: [...device.addresses.values()]
      .sort((a, b) => a.version - b.version || a.ip.localeCompare(b.ip))
      .map((a) => ({
        ip_address: a.ip,
        ip_version: a.version,
        vlan_id: a.vlan,
        outer_vlan_id: a.outer,
        packets_sent: a.packetsSent,
        bytes_sent: a.bytesSent,
        packets_received: a.packetsReceived,
        bytes_received: a.bytesReceived,
        first_seen: isoTime(a.firstUs),
        last_seen: isoTime(a.lastUs),
        learnt_from: [...a.learnt].sort(),
      })),
    vlans: [...device.vlans.values()].sort((a, b) => a.vlan_id - b.vlan_id),
  };
}

/** Devices, sorted by MAC. */
export function deriveDevices(inventory: Inventory, flows: readonly FlowEnds[]): Device[] {
  return [...collectDevices(inventory, flows).values()]
    .sort((a, b) => a.mac.localeCompare(b.mac))
    .map(toDevice);
}
