import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { deriveDevices } from "./derive_devices.ts";
import { deriveFlows } from "./derive_flows.ts";
import { Inventory } from "./inventory.ts";
import type { Device } from "./inventory_types.ts";
import { testEngine } from "../dissectors/_testing.ts";
import {
  ArpOp,
  dot1q,
  type EthernetHeader,
  type IpHeader,
  MAC_BROADCAST,
  parseIpv4,
  parseMac,
  qinq,
  udpPayloadOffset,
  writeArpFrame,
  writeUdpFrame,
} from "../samples/frames.ts";

// Locally administered unicast MACs (no vendor), and two group MACs that must never be devices.
const S = parseMac("02:00:00:00:00:05"); // only sends: broadcast and multicast
const A = parseMac("02:00:00:00:00:0a");
const B = parseMac("02:00:00:00:00:0b");
const C = parseMac("02:00:00:00:00:0c"); // on QinQ 300/30
const D = parseMac("02:00:00:00:00:0d"); // DHCP-style client from 0.0.0.0
const R = parseMac("02:00:00:00:00:fe"); // router: receives for a remote IP, announces its own by ARP
const MDNS_MAC = parseMac("01:00:5e:00:00:fb");

const T = 1_700_000_000;

function v4(src: string, dst: string): IpHeader {
  return { version: 4, src: parseIpv4(src), dst: parseIpv4(dst) };
}

function udp(eth: EthernetHeader, ip: IpHeader, payload: number): Uint8Array {
  const buf = new Uint8Array(1600);
  buf.fill(0x33, udpPayloadOffset({ eth, ip }), udpPayloadOffset({ eth, ip }) + payload);
  return buf.slice(0, writeUdpFrame(buf, 0, { eth, ip }, { srcPort: 40000, dstPort: 40001 }, payload));
}

const f1 = udp({ src: A, dst: B, tags: dot1q(10) }, v4("10.0.0.1", "10.0.0.2"), 10);
const f2 = udp({ src: B, dst: A, tags: dot1q(10) }, v4("10.0.0.2", "10.0.0.1"), 200);
const f3 = udp({ src: A, dst: B, tags: dot1q(20) }, v4("10.0.0.1", "10.0.0.2"), 20); // same IPs, VLAN 20
const f4 = udp({ src: A, dst: R, tags: dot1q(10) }, v4("10.0.0.1", "8.8.8.8"), 30);
const f5 = (() => {
  const buf = new Uint8Array(64);
  return buf.slice(
    0,
    writeArpFrame(buf, 0, { src: R, dst: A, tags: dot1q(10) }, {
      op: ArpOp.REPLY,
      senderMac: R,
      senderIp: parseIpv4("10.0.0.254"),
      targetMac: A,
      targetIp: parseIpv4("10.0.0.1"),
    }),
  );
})();
const f6 = udp({ src: S, dst: MAC_BROADCAST }, v4("10.0.0.99", "10.0.0.255"), 5);
const f7 = udp({ src: S, dst: MDNS_MAC }, v4("10.0.0.99", "224.0.0.251"), 40);
const f8 = udp({ src: D, dst: MAC_BROADCAST }, v4("0.0.0.0", "255.255.255.255"), 0);
const f9 = udp({ src: C, dst: MAC_BROADCAST, tags: qinq(300, 30) }, v4("192.168.1.5", "192.168.1.255"), 0);

/** Every frame with its capture time, seconds after T. */
const FRAMES: [Uint8Array, number][] = [
  [f6, 50],
  [f6, 51],
  [f8, 60],
  [f1, 100],
  [f1, 101],
  [f1, 102],
  [f5, 105],
  [f4, 110],
  [f4, 111],
  [f3, 120],
  [f2, 150],
  [f9, 200],
  [f7, 300],
];

/** Devices of frames dissected by the built-ins, each group of frames flushed as one record. */
function devicesOf(...groups: [Uint8Array, number][][]): Device[] {
  const inventory = new Inventory();
  for (const frames of groups) {
    const engine = testEngine();
    for (const [frame, second] of frames) engine.dissectFrame(frame, { tsSec: T + second });
    inventory.merge(engine.flush());
  }
  return deriveDevices(inventory, deriveFlows(inventory));
}

function time(second: number): string {
  return new Date((T + second) * 1000).toISOString();
}

/** A device as one line per fact, so a failure shows which fact differs. */
function summary(device: Device) {
  return {
    mac: device.mac_address,
    seen: `${device.first_seen} – ${device.last_seen}`,
    sent: `${device.total_packets_sent} packets, ${device.total_bytes_sent} bytes`,
    received: `${device.total_packets_received} packets, ${device.total_bytes_received} bytes`,
    ips: device.ips.map((ip) =>
      `${ip.ip_address} vlan ${ip.outer_vlan_id}/${ip.vlan_id} [${ip.learnt_from}] ${ip.first_seen} – ${ip.last_seen}` +
      ` sent ${ip.packets_sent}/${ip.bytes_sent} received ${ip.packets_received}/${ip.bytes_received}`
    ),
    vlans: device.vlans.map((vlan) => `${vlan.outer_vlan_id}/${vlan.vlan_id}`),
  };
}

const EXPECTED = [
  {
    mac: "02:00:00:00:00:05",
    seen: `${time(50)} – ${time(300)}`,
    sent: `3 packets, ${2 * f6.length + f7.length} bytes`,
    received: "0 packets, 0 bytes",
    ips: [
      `10.0.0.99 vlan null/null [traffic] ${time(50)} – ${time(300)} sent 3/${
        2 * f6.length + f7.length
      } received 0/0`,
    ],
    vlans: [],
  },
  {
    mac: "02:00:00:00:00:0a",
    seen: `${time(100)} – ${time(150)}`,
    sent: `6 packets, ${3 * f1.length + f3.length + 2 * f4.length} bytes`,
    received: `2 packets, ${f2.length + f5.length} bytes`,
    ips: [
      // Learnt from its own frames and from R's ARP reply; receives B's reply on VLAN 10 only.
      `10.0.0.1 vlan null/10 [arp,traffic] ${time(100)} – ${time(111)}` +
      ` sent 5/${3 * f1.length + 2 * f4.length} received 1/${f2.length}`,
      `10.0.0.1 vlan null/20 [traffic] ${time(120)} – ${time(120)} sent 1/${f3.length} received 0/0`,
    ],
    vlans: ["null/10", "null/20"],
  },
  {
    mac: "02:00:00:00:00:0b",
    seen: `${time(100)} – ${time(150)}`,
    sent: `1 packets, ${f2.length} bytes`,
    received: `4 packets, ${3 * f1.length + f3.length} bytes`,
    // B never sent on VLAN 20: what it received there is in its totals, not on an address.
    ips: [
      `10.0.0.2 vlan null/10 [traffic] ${time(150)} – ${time(150)} sent 1/${f2.length} received 3/${
        3 * f1.length
      }`,
    ],
    vlans: ["null/10", "null/20"],
  },
  {
    mac: "02:00:00:00:00:0c",
    seen: `${time(200)} – ${time(200)}`,
    sent: `1 packets, ${f9.length} bytes`,
    received: "0 packets, 0 bytes",
    ips: [`192.168.1.5 vlan 300/30 [traffic] ${time(200)} – ${time(200)} sent 1/${f9.length} received 0/0`],
    vlans: ["300/30"],
  },
  {
    mac: "02:00:00:00:00:0d",
    seen: `${time(60)} – ${time(60)}`,
    sent: `1 packets, ${f8.length} bytes`,
    received: "0 packets, 0 bytes",
    ips: [], // 0.0.0.0 is nobody's address
    vlans: [],
  },
  {
    mac: "02:00:00:00:00:fe",
    seen: `${time(105)} – ${time(111)}`,
    sent: `1 packets, ${f5.length} bytes`,
    received: `2 packets, ${2 * f4.length} bytes`,
    // Traffic for 8.8.8.8 reaches its MAC, but 8.8.8.8 is not its address.
    ips: [`10.0.0.254 vlan null/10 [arp] ${time(105)} – ${time(105)} sent 0/0 received 0/0`],
    vlans: ["null/10"],
  },
];

Deno.test("deriveDevices() counts what each MAC sent and received, per IP and VLAN, with first/last seen", () => {
  const devices = devicesOf(FRAMES);
  deepStrictEqual(devices.map(summary), EXPECTED);
  // Broadcast and multicast destinations are not devices.
  strictEqual(
    devices.some((d) => d.mac_address === "ff:ff:ff:ff:ff:ff" || d.mac_address.startsWith("01:")),
    false,
  );
  for (const device of devices) {
    strictEqual(device.locally_administered, true);
    strictEqual(device.oui_prefix, device.mac_address.slice(0, 8).toUpperCase());
  }
});

Deno.test("deriveDevices() gives the same devices when the frames come in several flushes", () => {
  // Every other frame in a second record: flows, sightings and times merge across flushes.
  const even = FRAMES.filter((_, i) => i % 2 === 0);
  const odd = FRAMES.filter((_, i) => i % 2 === 1);
  deepStrictEqual(devicesOf(odd, even).map(summary), EXPECTED);
});

Deno.test("deriveDevices() of an empty inventory is empty, and a group source MAC is no device", () => {
  deepStrictEqual(devicesOf([]), []);
  // A frame from a group MAC (invalid as a source, seen with broken gear) to a unicast one.
  const frame = udp({ src: MDNS_MAC, dst: A }, v4("10.0.0.7", "10.0.0.1"), 0);
  deepStrictEqual(devicesOf([[frame, 1]]).map((device) => device.mac_address), ["02:00:00:00:00:0a"]);
});
