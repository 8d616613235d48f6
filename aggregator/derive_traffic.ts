/**
 * VLANs, protocol distributions and top talkers, derived from flows and devices.
 *
 * @module
 */

import type {
  Device,
  Flow,
  ProtocolDistribution,
  ProtocolShare,
  TopTalker,
  Vlan,
} from "./inventory_types.ts";
import type { Inventory } from "./inventory.ts";
import type { FlowEnds } from "./derive_devices.ts";
import { isUnicastMacText } from "../model/address.ts";
import { etherTypeName } from "../dissectors/ethertypes.ts";
import { ipProtocolName } from "./ip_protocols.ts";
import { isoTime } from "./derive_flows.ts";

/** One VLAN's totals as collected from an inventory; times in µs. */
export interface CollectedVlan {
  vlan_id: number;
  outer_vlan_id: number | null;
  firstUs: number;
  lastUs: number;
  packets: number;
  bytes: number;
  /** Unicast MACs of its frames. */
  macs: Set<string>;
}

/**
 * The VLANs of the inventory's flows (single tags, and QinQ inner/outer pairs), by `vlan|outer`.
 *
 * @param flows the ends of each flow entry, `flows[i]` for entry `i`
 */
export function collectVlans(inventory: Inventory, flows: readonly FlowEnds[]): Map<string, CollectedVlan> {
  const vlans = new Map<string, CollectedVlan>();
  for (let entry = 0; entry < flows.length; entry++) {
    const flow = flows[entry];
    if (flow.vlan_id === null) continue;
    const key = `${flow.vlan_id}|${flow.outer_vlan_id}`;
    const firstUs = inventory.flowFirstUs[entry];
    const lastUs = inventory.flowLastUs[entry];
    let vlan = vlans.get(key);
    if (!vlan) {
      vlan = {
        vlan_id: flow.vlan_id,
        outer_vlan_id: flow.outer_vlan_id,
        firstUs,
        lastUs,
        packets: 0,
        bytes: 0,
        macs: new Set(),
      };
      vlans.set(key, vlan);
    }
    if (firstUs < vlan.firstUs) vlan.firstUs = firstUs;
    if (lastUs > vlan.lastUs) vlan.lastUs = lastUs;
    vlan.packets += inventory.flowPackets[entry];
    vlan.bytes += inventory.flowBytes[entry];
    if (isUnicastMacText(flow.src_mac)) vlan.macs.add(flow.src_mac);
    if (isUnicastMacText(flow.dst_mac)) vlan.macs.add(flow.dst_mac);
  }
  return vlans;
}

/** VLANs (single tags, and QinQ inner/outer pairs), by VLAN id then outer id. */
export function deriveVlans(inventory: Inventory, flows: readonly FlowEnds[]): Vlan[] {
  return [...collectVlans(inventory, flows).values()]
    .sort((a, b) => a.vlan_id - b.vlan_id || (a.outer_vlan_id ?? -1) - (b.outer_vlan_id ?? -1))
    .map((vlan) => ({
      vlan_id: vlan.vlan_id,
      outer_vlan_id: vlan.outer_vlan_id,
      device_count: vlan.macs.size,
      first_seen: isoTime(vlan.firstUs),
      last_seen: isoTime(vlan.lastUs),
      total_packets: vlan.packets,
      total_bytes: vlan.bytes,
    }));
}

function share(map: Map<string, ProtocolShare>, id: number | string, name: string, flow: Flow): void {
  const key = String(id);
  let entry = map.get(key);
  if (!entry) {
    entry = { id, name, flows: 0, packets: 0, bytes: 0 };
    map.set(key, entry);
  }
  entry.flows++;
  entry.packets += flow.packet_count;
  entry.bytes += flow.byte_count;
}

function byBytes(map: Map<string, ProtocolShare>): ProtocolShare[] {
  return [...map.values()].sort((a, b) => b.bytes - a.bytes || String(a.id).localeCompare(String(b.id)));
}

/** Traffic per EtherType, IP protocol and application protocol. */
export function deriveProtocols(flows: Flow[]): ProtocolDistribution {
  const ethertypes = new Map<string, ProtocolShare>();
  const ipProtocols = new Map<string, ProtocolShare>();
  const applications = new Map<string, ProtocolShare>();
  for (const flow of flows) {
    share(ethertypes, flow.ethertype ?? -1, etherTypeName(flow.ethertype ?? -1), flow);
    if (flow.ip_protocol !== null) {
      share(ipProtocols, flow.ip_protocol, ipProtocolName(flow.ip_protocol), flow);
    }
    if (flow.application !== null) {
      const name = flow.application_source === "port" ? `${flow.application} (by port)` : flow.application;
      share(applications, name, name, flow);
    }
  }
  return {
    ethertypes: byBytes(ethertypes),
    ip_protocols: byBytes(ipProtocols),
    applications: byBytes(applications),
  };
}

/** The `count` devices that sent and received the most bytes. */
export function deriveTopTalkers(devices: Device[], count = 10): TopTalker[] {
  return devices
    .map((device) => ({
      mac_address: device.mac_address,
      ips: device.ips.filter((ip) =>
        ip.learnt_from.length > 1 || ip.learnt_from[0] !== "traffic" || !device.is_gateway
      )
        .map((ip) => ip.ip_address)
        .filter((ip, index, all) => all.indexOf(ip) === index)
        .slice(0, 4),
      bytes: device.total_bytes_sent + device.total_bytes_received,
      packets: device.total_packets_sent + device.total_packets_received,
    }))
    .sort((a, b) => b.bytes - a.bytes || a.mac_address.localeCompare(b.mac_address))
    .slice(0, count);
}
