/**
 * Per-address counters of each device against tshark's `-z endpoints,ip` and `-z endpoints,ipv6`,
 * on every shared capture and on the sample plant. For each device MAC `M`, tshark counts the IP
 * endpoints of the frames sent by `M` (table filter `eth.src == M`) and of the frames sent to `M`
 * (`eth.dst == M`); NetSentinel's `devices[].ips[]` of `M`, summed over VLANs, must say the same:
 * - sent: every source address of `M`'s frames, with its packets and bytes (Tx of the first table);
 * - received: for every address `M` is known by, its packets and bytes (Rx of the second table).
 *
 * Deliberate differences:
 * - `unspecified-source`: 0.0.0.0 and :: are never a device's address (a DHCP client or a
 *   duplicate-address probe has none yet); tshark lists them.
 * - `not-its-address`: frames sent to `M` for an address `M` neither sends from nor announces (a
 *   router's MAC receiving traffic for remote hosts) are counted for no address of `M`; tshark's
 *   second table lists those addresses, and they are not compared.
 * - Addresses are compared per MAC: an address reached through two MACs (asymmetric routing) is
 *   two entries on both sides. Captures without link-layer addresses (NULL/loopback) have no devices,
 *   so nothing is compared here; their IP traffic is in the flows (tshark_crosscheck_test.ts).
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import type { Device } from "../aggregator/inventory_types.ts";
import { inventoryOf, sorted, testOnEveryCapture } from "./tshark_oracle.ts";
import { type EndpointRow, tsharkEndpoints } from "./tshark_tables.ts";

/** Packets and bytes, per address. */
type PerAddress = Record<string, [number, number]>;

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

function tables(mac: string): string[] {
  return ["ip", "ipv6"].flatMap((
    table,
  ) => [`endpoints,${table},eth.src == ${mac}`, `endpoints,${table},eth.dst == ${mac}`]);
}

/** What tshark says `device` sent from and received at each of its addresses. */
function expected(
  device: Device,
  rows: Map<string, EndpointRow>[],
): { sent: PerAddress; received: PerAddress } {
  const sent: PerAddress = {};
  const received: PerAddress = {};
  const own = new Set(device.ips.map((ip) => ip.ip_address));
  for (const [fromM, toM] of [[rows[0], rows[1]], [rows[2], rows[3]]]) {
    for (const [ip, row] of fromM) {
      if (row.txPackets > 0 && !isUnspecified(ip)) sent[ip] = [row.txPackets, row.txBytes];
    }
    for (const [ip, row] of toM) if (own.has(ip)) received[ip] = [row.rxPackets, row.rxBytes];
  }
  for (const ip of own) received[ip] ??= [0, 0];
  return { sent, received };
}

/** What NetSentinel says, summed over the VLANs of each address. */
function actual(device: Device): { sent: PerAddress; received: PerAddress } {
  const sent: PerAddress = {};
  const received: PerAddress = {};
  for (const ip of device.ips) {
    const s = sent[ip.ip_address] ?? [0, 0];
    const r = received[ip.ip_address] ?? [0, 0];
    sent[ip.ip_address] = [s[0] + ip.packets_sent, s[1] + ip.bytes_sent];
    received[ip.ip_address] = [r[0] + ip.packets_received, r[1] + ip.bytes_received];
  }
  for (const [ip, [packets]] of Object.entries(sent)) if (packets === 0) delete sent[ip];
  return { sent, received };
}

function ordered(values: PerAddress): PerAddress {
  return Object.fromEntries(sorted(Object.entries(values)));
}

async function assertAddressesAgree(path: string): Promise<void> {
  const doc = await inventoryOf(path);
  const devices = doc.devices.filter((d) => d.total_packets_sent + d.total_packets_received > 0);
  const rows = await tsharkEndpoints(path, devices.flatMap((device) => tables(device.mac_address)));
  devices.forEach((device, i) => {
    const want = expected(device, rows.slice(4 * i, 4 * i + 4));
    const got = actual(device);
    deepStrictEqual(
      ordered(got.sent),
      ordered(want.sent),
      `${device.mac_address}: [packets, bytes] sent per address`,
    );
    deepStrictEqual(
      ordered(got.received),
      ordered(want.received),
      `${device.mac_address}: [packets, bytes] received per address`,
    );
  });
}

testOnEveryCapture(
  "devices' addresses sent and received what tshark -z endpoints,ip/ipv6 count",
  assertAddressesAgree,
);
