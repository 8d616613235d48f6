/**
 * Cross-check of `analyze` against tshark on every public capture in ../shared/pcaps: the (MAC,
 * IP) pairs seen as sources, the VLAN ids (outer and inner), and every TCP/UDP flow's packet and
 * byte counts must be equal.
 *
 * Differences by design, named here and handled below:
 * - `unspecified-source`: NetSentinel does not attribute 0.0.0.0 or :: to a device (a DHCP
 *   client or a duplicate-address probe has no address yet), tshark lists the pair.
 *
 * @module
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { HAVE_SHARED_PCAPS, sharedCapture, sharedCaptureFiles, SKIP_REASON } from "./shared_pcaps.ts";
import { transportFlowKey, tsharkFrames } from "./tshark_oracle.ts";
import { analyzeCaptureFile } from "../capture/offline_analysis.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

function vlanText(vlans: number[]): string {
  return vlans.slice(0, 2).join("/");
}

async function inventoryOf(path: string): Promise<InventoryDocument> {
  const analysis = await analyzeCaptureFile(path);
  if (analysis.error) throw analysis.error;
  return buildInventoryDocument(analysis.inventory, { metrics: false });
}

interface Expected {
  frames: number;
  sourcePairs: Set<string>;
  vlans: Set<string>;
  flows: Map<string, { packets: number; bytes: number }>;
}

async function expectedFrom(path: string): Promise<Expected> {
  const sourcePairs = new Set<string>();
  const vlans = new Set<string>();
  const flows = new Map<string, { packets: number; bytes: number }>();
  const frames = await tsharkFrames(path);
  for (const frame of frames) {
    if (frame.srcMac && frame.srcIp && !isUnspecified(frame.srcIp)) {
      sourcePairs.add(`${frame.srcMac} ${frame.srcIp}`);
    }
    if (frame.vlans.length > 0) vlans.add(vlanText(frame.vlans));
    if (frame.ipProtocol === 6 || frame.ipProtocol === 17) {
      const key = transportFlowKey(frame, vlanText(frame.vlans));
      const flow = flows.get(key) ?? { packets: 0, bytes: 0 };
      flow.packets++;
      flow.bytes += frame.length;
      flows.set(key, flow);
    }
  }
  return { frames: frames.length, sourcePairs, vlans, flows };
}

function actualFrom(doc: InventoryDocument): Expected {
  const sourcePairs = new Set<string>();
  for (const device of doc.devices) {
    for (const ip of device.ips) {
      if (ip.learnt_from.includes("traffic")) sourcePairs.add(`${device.mac_address} ${ip.ip_address}`);
    }
  }
  const vlans = new Set<string>();
  const flows = new Map<string, { packets: number; bytes: number }>();
  for (const flow of doc.flows) {
    const tags = flow.vlan_id === null ? [] : flow.outer_vlan_id === null ? [flow.vlan_id] : [
      flow.outer_vlan_id,
      flow.vlan_id,
    ];
    if (tags.length > 0) vlans.add(vlanText(tags));
    if (flow.ip_protocol !== 6 && flow.ip_protocol !== 17) continue;
    const key = transportFlowKey({
      srcMac: flow.src_mac,
      dstMac: flow.dst_mac,
      srcIp: flow.src_ip,
      dstIp: flow.dst_ip,
      srcPort: flow.src_port === 0 && flow.dst_port === 0 ? null : flow.src_port,
      dstPort: flow.src_port === 0 && flow.dst_port === 0 ? null : flow.dst_port,
      ipProtocol: flow.ip_protocol,
    }, vlanText(tags));
    const known = flows.get(key) ?? { packets: 0, bytes: 0 };
    known.packets += flow.packet_count;
    known.bytes += flow.byte_count;
    flows.set(key, known);
  }
  return { frames: doc.summary.packets, sourcePairs, vlans, flows };
}

function sorted<T>(values: Iterable<T>): T[] {
  return [...values].sort();
}

Deno.test({
  name: `analyze agrees with tshark on every shared capture${HAVE_SHARED_PCAPS ? "" : ` (${SKIP_REASON})`}`,
  ignore: !HAVE_SHARED_PCAPS,
  async fn(t) {
    for (const name of sharedCaptureFiles()) {
      await t.step(name, async () => {
        const path = sharedCapture(name);
        const [expected, doc] = await Promise.all([expectedFrom(path), inventoryOf(path)]);
        const actual = actualFrom(doc);
        assertEquals(actual.frames, expected.frames, "frames");
        assertEquals(sorted(actual.sourcePairs), sorted(expected.sourcePairs), "source (MAC, IP) pairs");
        assertEquals(sorted(actual.vlans), sorted(expected.vlans), "VLAN ids (outer/inner)");
        assertEquals(
          Object.fromEntries(sorted(actual.flows.entries())),
          Object.fromEntries(sorted(expected.flows.entries())),
          "TCP/UDP flows with packet and byte counts",
        );
      });
    }
  },
});
