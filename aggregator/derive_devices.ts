/**
 * Devices, their IPs and VLANs, derived from flows and MAC↔IP sightings.
 *
 * - A device is a unicast MAC seen as the source or the destination of a frame, or in a payload
 *   sighting (ARP, NDP). Group (multicast/broadcast) MACs are destinations, never devices.
 * - A device's IPs are the source IPs of its frames (`traffic`) and the bindings it announced
 *   (`arp`, `ndp`), per VLAN. The unspecified addresses 0.0.0.0 and :: are not attributed (a DHCP
 *   client or a DAD probe uses them before it has an address).
 * - Gateway flag: a MAC that sends from {@linkcode GATEWAY_MIN_FOREIGN_IPS} or more IPs outside its
 *   own subnets is forwarding for others. Its own subnets are the /24 (IPv4) or /64 (IPv6) of the
 *   addresses it announced in ARP/NDP, or else of its busiest source address.
 *
 * @module
 */

import type { Inventory } from "./inventory.ts";
import type { Device, DeviceIp, Flow } from "./inventory_types.ts";
import { formatIpv4, formatIpv6, formatMac, isUnicastMacText } from "../model/address.ts";
import { SIGHTING_KEY_WORDS } from "../model/flush_record.ts";
import { SightingSource } from "../dissectors/api.ts";
import { isoTime } from "./derive_flows.ts";
import { ouiVendor } from "./oui.ts";

/** Foreign source IPs from which a MAC counts as a gateway. */
export const GATEWAY_MIN_FOREIGN_IPS = 3;

interface IpAccumulator extends Omit<DeviceIp, "first_seen" | "last_seen" | "learnt_from"> {
  firstUs: number;
  lastUs: number;
  learnt: Set<string>;
}

interface DeviceAccumulator {
  mac: string;
  firstUs: number;
  lastUs: number;
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  ips: Map<string, IpAccumulator>;
  vlans: Map<string, { vlan_id: number; outer_vlan_id: number | null }>;
}

const SIGHTING_LABELS: Record<number, string> = {
  [SightingSource.ARP]: "arp",
  [SightingSource.NDP]: "ndp",
  [SightingSource.DHCP]: "dhcp",
};

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

function ipKey(ip: string, vlan: number | null, outer: number | null): string {
  return `${ip}|${vlan}|${outer}`;
}

class DeviceBuilder {
  readonly devices: Map<string, DeviceAccumulator> = new Map();

  device(mac: string, firstUs: number, lastUs: number): DeviceAccumulator {
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
        ips: new Map(),
        vlans: new Map(),
      };
      this.devices.set(mac, device);
    }
    device.firstUs = Math.min(device.firstUs, firstUs);
    device.lastUs = Math.max(device.lastUs, lastUs);
    return device;
  }

  ip(
    device: DeviceAccumulator,
    ip: string,
    vlan: number | null,
    outer: number | null,
    times: [number, number],
  ) {
    const key = ipKey(ip, vlan, outer);
    let entry = device.ips.get(key);
    if (!entry) {
      entry = {
        ip_address: ip,
        ip_version: ip.includes(":") ? 6 : 4,
        vlan_id: vlan,
        outer_vlan_id: outer,
        firstUs: times[0],
        lastUs: times[1],
        packets_sent: 0,
        bytes_sent: 0,
        packets_received: 0,
        bytes_received: 0,
        learnt: new Set(),
      };
      device.ips.set(key, entry);
    }
    entry.firstUs = Math.min(entry.firstUs, times[0]);
    entry.lastUs = Math.max(entry.lastUs, times[1]);
    return entry;
  }
}

function addFlows(builder: DeviceBuilder, inventory: Inventory, flows: Flow[]): void {
  for (const flow of flows) {
    const times: [number, number] = [inventory.flowFirstUs[flow.id - 1], inventory.flowLastUs[flow.id - 1]];
    for (const side of ["src", "dst"] as const) {
      const mac = side === "src" ? flow.src_mac : flow.dst_mac;
      if (!isUnicastMacText(mac)) continue;
      const device = builder.device(mac, times[0], times[1]);
      if (side === "src") {
        device.packetsSent += flow.packet_count;
        device.bytesSent += flow.byte_count;
      } else {
        device.packetsReceived += flow.packet_count;
        device.bytesReceived += flow.byte_count;
      }
      if (flow.vlan_id !== null) {
        device.vlans.set(`${flow.vlan_id}|${flow.outer_vlan_id}`, {
          vlan_id: flow.vlan_id,
          outer_vlan_id: flow.outer_vlan_id,
        });
      }
      if (side === "src" && flow.src_ip !== null && !isUnspecified(flow.src_ip)) {
        const ip = builder.ip(device, flow.src_ip, flow.vlan_id, flow.outer_vlan_id, times);
        ip.packets_sent += flow.packet_count;
        ip.bytes_sent += flow.byte_count;
        ip.learnt.add("traffic");
      }
    }
  }
}

/**
 * Received counters go to addresses the device is known by, from its traffic or its ARP/NDP/DHCP
 * bindings (a router's MAC receives traffic for remote IPs it does not own: those do not become its
 * IPs). Run after {@linkcode addSightings}, so an address known only from a binding counts too.
 */
function addReceived(builder: DeviceBuilder, flows: Flow[]): void {
  for (const flow of flows) {
    if (!isUnicastMacText(flow.dst_mac) || flow.dst_ip === null) continue;
    const ip = builder.devices.get(flow.dst_mac)?.ips.get(
      ipKey(flow.dst_ip, flow.vlan_id, flow.outer_vlan_id),
    );
    if (!ip) continue;
    ip.packets_received += flow.packet_count;
    ip.bytes_received += flow.byte_count;
  }
}

function addSightings(builder: DeviceBuilder, inventory: Inventory): void {
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
    const times: [number, number] = [inventory.sightingFirstUs[entry], inventory.sightingLastUs[entry]];
    const device = builder.device(mac, times[0], times[1]);
    builder.ip(device, ip, vlan, outerVlan, times).learnt.add(SIGHTING_LABELS[source] ?? `source-${source}`);
  }
}

function subnetOf(ip: string): string {
  if (!ip.includes(":")) return ip.split(".").slice(0, 3).join(".") + ".0/24";
  const groups = formatIpv6Groups(ip);
  return groups.slice(0, 4).join(":") + "::/64";
}

function formatIpv6Groups(ip: string): string[] {
  const [head, tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...new Array(tail !== undefined ? missing : 0).fill("0"), ...right];
}

/** Sets the gateway flag and reasons of one device. */
function gatewayReasons(ips: IpAccumulator[]): string[] {
  const reasons: string[] = [];
  for (const version of [4, 6]) {
    const mine = ips.filter((ip) => ip.ip_version === version && !ip.ip_address.startsWith("fe80:"));
    const announced = mine.filter((ip) =>
      ip.learnt.has("arp") || ip.learnt.has("ndp") || ip.learnt.has("dhcp")
    );
    const traffic = mine.filter((ip) => ip.learnt.has("traffic"));
    if (traffic.length < GATEWAY_MIN_FOREIGN_IPS) continue;
    const busiest = [...traffic].sort((a, b) => b.packets_sent - a.packets_sent)[0];
    const own = new Set((announced.length > 0 ? announced : [busiest]).map((ip) => subnetOf(ip.ip_address)));
    const foreign = new Set(
      traffic.filter((ip) => !own.has(subnetOf(ip.ip_address))).map((ip) => ip.ip_address),
    );
    if (foreign.size >= GATEWAY_MIN_FOREIGN_IPS) {
      reasons.push(
        `sends from ${foreign.size} IPv${version} addresses outside its own subnet ${[...own].join(", ")}`,
      );
    }
  }
  return reasons;
}

function toDevice(device: DeviceAccumulator): Device {
  const ips = [...device.ips.values()];
  const reasons = gatewayReasons(ips);
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
    ips: ips
      .sort((a, b) => a.ip_version - b.ip_version || a.ip_address.localeCompare(b.ip_address))
      .map(({ firstUs, lastUs, learnt, ...rest }) => ({
        ...rest,
        first_seen: isoTime(firstUs),
        last_seen: isoTime(lastUs),
        learnt_from: [...learnt].sort(),
      })),
    vlans: [...device.vlans.values()].sort((a, b) => a.vlan_id - b.vlan_id),
  };
}

/** Devices, sorted by MAC. */
export function deriveDevices(inventory: Inventory, flows: Flow[]): Device[] {
  const builder = new DeviceBuilder();
  addFlows(builder, inventory, flows);
  addSightings(builder, inventory);
  addReceived(builder, flows);
  return [...builder.devices.values()].sort((a, b) => a.mac.localeCompare(b.mac)).map(toDevice);
}
