/**
 * Placement on segments for the physical topology. A segment is what one sensor hears untagged (or
 * priority-tagged, VLAN 0): LLDP and CDP are link-local, so an announcement heard tagged was carried
 * across a trunk or a tunnel and says nothing about the link the sensor is on. When exactly two switch ports announce themselves on a segment, the sensor
 * sits on the link between them: a switch-to-switch link. When exactly one switch port does, every
 * end device that announced itself on the same segment (LLDP, PROFINET DCP) is behind that port.
 * On a segment with more switch ports (a SPAN of several ports) nothing is placed.
 *
 * @module
 */

import type { L2EndDevice, L2Link } from "./l2_topology.ts";

/** Both ends of a switch-to-switch link. */
export interface L2Peer {
  a: { device_id: number; port_id: string; chassis_id: string };
  b: { device_id: number; port_id: string; chassis_id: string };
  evidence: string;
}

/** A device heard announcing on a segment (other than through an LLDP/CDP link). */
export interface SegmentSighting {
  device_id: number;
  sensor_id: string | null;
  vlan_id: number | null;
}

/** The segment of an announcement, or null when it was heard tagged. */
function segmentOf(sensor: string | null, vlan: number | null): string | null {
  return vlan === null || vlan === 0 ? sensor ?? "" : null;
}

/** The one port a switch announced on a segment (LLDP's when both spoke), or null when it announced several. */
function onePort(links: L2Link[]): L2Link | null {
  for (const protocol of ["lldp", "cdp"]) {
    if (new Set(links.filter((link) => link.protocol === protocol).map((link) => link.port_id)).size > 1) {
      return null;
    }
  }
  return links.find((link) => link.protocol === "lldp") ?? links[0];
}

/**
 * Finds the switch-to-switch links and sets `behind` on the end devices a single switch port
 * explains (in place); returns the links.
 */
export function placeOnSegments(
  links: readonly L2Link[],
  switchIds: ReadonlySet<number>,
  endDevices: L2EndDevice[],
  sightings: readonly SegmentSighting[],
): L2Peer[] {
  const ports = new Map<string, Map<number, L2Link[]>>();
  const heard = new Map<string, Set<number>>();
  const note = (segment: string, device: number) => {
    const set = heard.get(segment) ?? new Set<number>();
    set.add(device);
    heard.set(segment, set);
  };
  for (const link of links) {
    if (link.device_id === null) continue;
    const segment = segmentOf(link.sensor_id, link.heard_on_vlan);
    if (segment === null) continue;
    if (switchIds.has(link.device_id)) {
      const onSegment = ports.get(segment) ?? new Map<number, L2Link[]>();
      onSegment.set(link.device_id, [...(onSegment.get(link.device_id) ?? []), link]);
      ports.set(segment, onSegment);
    } else note(segment, link.device_id);
  }
  for (const sighting of sightings) {
    const segment = segmentOf(sighting.sensor_id, sighting.vlan_id);
    if (segment !== null) note(segment, sighting.device_id);
  }
  const peers: L2Peer[] = [];
  const byDevice = new Map(endDevices.map((device) => [device.device_id, device]));
  for (const [segment, onSegment] of ports) {
    const announced = [...onSegment.values()].map(onePort);
    if (announced.includes(null)) continue;
    const end = (link: L2Link) => ({
      device_id: link.device_id!,
      port_id: link.port_id,
      chassis_id: link.chassis_id,
    });
    if (announced.length === 2) {
      const [a, b] = (announced as L2Link[]).sort((x, y) => x.device_id! - y.device_id!);
      peers.push({
        a: end(a),
        b: end(b),
        evidence: `both ends announced themselves on one segment (${a.protocol})`,
      });
    }
    if (announced.length !== 1) continue;
    const port = announced[0]!;
    for (const id of heard.get(segment) ?? []) {
      const device = byDevice.get(id);
      if (device) {
        device.behind = {
          device_id: port.device_id!,
          port_id: port.port_id,
          evidence: `heard on the segment where only this switch port announced itself (${port.protocol})`,
        };
      }
    }
  }
  return peers;
}
