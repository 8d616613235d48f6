/**
 * Devices keyed by IP: the hosts of frames that carry no MAC address (raw IP, BSD loopback, the
 * receiving side of a Linux cooked capture).
 *
 * - Each unicast IP at a side of a flow without a MAC there is a device, unless a device keyed by
 *   MAC already holds that IP (its MAC-less traffic is then the same host seen on another link).
 * - Group and special addresses are not hosts: IPv4 multicast (224.0.0.0/4) and the limited
 *   broadcast 255.255.255.255, IPv6 multicast (ff00::/8), and the unspecified 0.0.0.0 and ::.
 * - The database keeps devices by MAC: these devices are in the document (JSON, summary), and their
 *   flows are stored with their IPs, but they have no `devices` row.
 *
 * @module
 */

import type { Inventory } from "./inventory.ts";
import type { Device, Flow, IpDevice } from "./inventory_types.ts";
import { isoTime } from "./derive_flows.ts";

interface IpDeviceAccumulator {
  ip: string;
  firstUs: number;
  lastUs: number;
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
}

/** True for an address that names one host (not a group, broadcast or unspecified address). */
export function isUnicastIpText(ip: string): boolean {
  if (ip.includes(":")) return ip !== "::" && !ip.toLowerCase().startsWith("ff");
  const first = parseInt(ip, 10);
  return ip !== "0.0.0.0" && ip !== "255.255.255.255" && (first < 224 || first > 239);
}

/** Devices keyed by IP, sorted by IP version then address; `devices` are those keyed by MAC. */
export function deriveIpDevices(inventory: Inventory, flows: Flow[], devices: Device[]): IpDevice[] {
  const owned = new Set<string>();
  for (const device of devices) for (const ip of device.ips) owned.add(ip.ip_address);
  const found = new Map<string, IpDeviceAccumulator>();
  for (const flow of flows) {
    for (const side of ["src", "dst"] as const) {
      const mac = side === "src" ? flow.src_mac : flow.dst_mac;
      const ip = side === "src" ? flow.src_ip : flow.dst_ip;
      if (mac !== null || ip === null || owned.has(ip) || !isUnicastIpText(ip)) continue;
      const firstUs = inventory.flowFirstUs[flow.id - 1];
      const lastUs = inventory.flowLastUs[flow.id - 1];
      let device = found.get(ip);
      if (!device) {
        device = { ip, firstUs, lastUs, packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0 };
        found.set(ip, device);
      }
      device.firstUs = Math.min(device.firstUs, firstUs);
      device.lastUs = Math.max(device.lastUs, lastUs);
      if (side === "src") {
        device.packetsSent += flow.packet_count;
        device.bytesSent += flow.byte_count;
      } else {
        device.packetsReceived += flow.packet_count;
        device.bytesReceived += flow.byte_count;
      }
    }
  }
  return [...found.values()]
    .map((device): IpDevice => ({
      keyed_by: "ip",
      ip_address: device.ip,
      ip_version: device.ip.includes(":") ? 6 : 4,
      first_seen: isoTime(device.firstUs),
      last_seen: isoTime(device.lastUs),
      total_packets_sent: device.packetsSent,
      total_packets_received: device.packetsReceived,
      total_bytes_sent: device.bytesSent,
      total_bytes_received: device.bytesReceived,
    }))
    .sort((a, b) => a.ip_version - b.ip_version || a.ip_address.localeCompare(b.ip_address));
}
