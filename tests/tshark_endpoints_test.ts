/**
 * Per-MAC traffic counters against tshark's `-z endpoints,eth`, on every shared capture and on the
 * sample plant: each device's packets and bytes sent and received (`total_packets_sent`…), and the
 * per-minute metrics `device_out` / `device_in` summed over the capture, must equal tshark's Tx and
 * Rx columns for that MAC. This is what catches a device's sent and received counters swapped
 * (aggregator/derive_devices.ts) or the metric directions swapped (aggregator/derive_metrics.ts):
 * the flow-level cross-check cannot see either.
 *
 * Deliberate differences, each checked rather than skipped:
 * - `group-mac`: tshark lists multicast and broadcast MACs as endpoints (they only receive);
 *   NetSentinel never makes them devices. They are left out of tshark's side, and no device may
 *   have a group MAC.
 * - `binding-only`: a MAC known only from a payload (an ARP target, a DHCP client hardware address)
 *   is a device with no traffic; tshark has no endpoint for it. Such devices must have all four
 *   counters at zero and no metric row.
 * - Both count the original frame length (`frame.len`), not the captured length. Captures without
 *   link-layer addresses (NULL/loopback) have neither devices nor Ethernet endpoints.
 *
 * @module
 */

import { deepStrictEqual, ok } from "node:assert/strict";
import { isUnicastMacText } from "../model/address.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";
import { inventoryOf, sorted, testOnEveryCapture } from "./tshark_oracle.ts";
import { tsharkEndpoints } from "./tshark_tables.ts";

/** Packets sent, bytes sent, packets received, bytes received. */
type Counters = [number, number, number, number];

interface Sides {
  doc: InventoryDocument;
  /** tshark's unicast Ethernet endpoints. */
  expected: Map<string, Counters>;
}

const analysed = new Map<string, Promise<Sides>>();

/** The inventory (with metrics) and tshark's endpoints of a capture, computed once per file. */
function sidesOf(path: string): Promise<Sides> {
  let sides = analysed.get(path);
  if (!sides) {
    sides = Promise.all([inventoryOf(path, { metrics: true }), tsharkEndpoints(path, ["endpoints,eth"])])
      .then(([doc, [eth]]) => {
        const expected = new Map<string, Counters>();
        for (const [mac, row] of eth) {
          if (isUnicastMacText(mac)) {
            expected.set(mac, [row.txPackets, row.txBytes, row.rxPackets, row.rxBytes]);
          }
        }
        return { doc, expected };
      });
    analysed.set(path, sides);
  }
  return sides;
}

function table(counters: Map<string, Counters>): Record<string, Counters> {
  return Object.fromEntries(sorted(counters.entries()));
}

async function assertDevicesAgree(path: string): Promise<void> {
  const { doc, expected } = await sidesOf(path);
  const withTraffic = new Map<string, Counters>();
  for (const device of doc.devices) {
    ok(isUnicastMacText(device.mac_address), `group-mac: ${device.mac_address} is a device`);
    const counters: Counters = [
      device.total_packets_sent,
      device.total_bytes_sent,
      device.total_packets_received,
      device.total_bytes_received,
    ];
    // binding-only devices have no traffic: leaving them out here fails if tshark saw frames of theirs.
    if (counters.some((n) => n !== 0)) withTraffic.set(device.mac_address, counters);
  }
  deepStrictEqual(
    table(withTraffic),
    table(expected),
    "per MAC: [packets sent, bytes sent, packets received, bytes received]",
  );
}

async function assertMetricsAgree(path: string): Promise<void> {
  const { doc, expected } = await sidesOf(path);
  const summed = new Map<string, Counters>();
  for (const metric of doc.metrics) {
    if (metric.metric_type === "flow") continue;
    const mac = String(metric.device_mac);
    const counters = summed.get(mac) ?? [0, 0, 0, 0];
    const at = metric.metric_type === "device_out" ? 0 : 2;
    counters[at] += metric.packet_count;
    counters[at + 1] += metric.byte_count;
    summed.set(mac, counters);
  }
  deepStrictEqual(
    table(summed),
    table(expected),
    "per MAC: device_out packets, bytes, device_in packets, bytes",
  );
}

testOnEveryCapture(
  "devices' packets and bytes sent and received equal tshark -z endpoints,eth",
  assertDevicesAgree,
);
testOnEveryCapture(
  "per-minute device_out / device_in metrics of each MAC add up to tshark -z endpoints,eth",
  assertMetricsAgree,
);
