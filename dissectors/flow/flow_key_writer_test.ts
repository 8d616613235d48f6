import { deepStrictEqual, notDeepStrictEqual, strictEqual } from "node:assert/strict";
import { FLOW_KEY_WORDS, type FlowKeyFields, flowKeyFields } from "../../model/flow_key.ts";
import { writeFlowKey } from "./flow_key_writer.ts";
import { Packet } from "../packet.ts";
import { testEngine } from "../_testing.ts";
import { LinkType } from "../../capture/batch.ts";
import {
  arpRequest,
  dot1q,
  type EthernetHeader,
  type IpHeader,
  MAC_BROADCAST,
  parseIpv4,
  parseIpv6,
  parseMac,
  qinq,
  STP_MULTICAST,
  TcpFlags,
  udpPayloadOffset,
  writeArpFrame,
  writeIcmpEchoFrame,
  writeRstpFrame,
  writeTcpFrame,
  writeUdpFrame,
} from "../../samples/frames.ts";

// MACs and IPv6 addresses whose bytes all differ, so a byte or word taken from the wrong place
// shows in the text.
const A = parseMac("02:1a:2b:3c:4d:5e");
const B = parseMac("00:6f:70:81:92:a3");
const A6 = parseIpv6("2001:db8:1111:2222:3333:4444:5555:6666");
const B6 = parseIpv6("fd00:7777:8888:9999:aaaa:bbbb:cccc:dddd");

function udp(eth: EthernetHeader, ip: IpHeader, srcPort: number, dstPort: number): Uint8Array {
  const buf = new Uint8Array(256);
  buf.fill(0xee, udpPayloadOffset({ eth, ip }), udpPayloadOffset({ eth, ip }) + 4);
  return buf.slice(0, writeUdpFrame(buf, 0, { eth, ip }, { srcPort, dstPort }, 4));
}

function tcp(eth: EthernetHeader, ip: IpHeader, srcPort: number, dstPort: number): Uint8Array {
  const buf = new Uint8Array(256);
  const header = { srcPort, dstPort, seq: 1, ack: 0, flags: TcpFlags.SYN };
  return buf.slice(0, writeTcpFrame(buf, 0, { eth, ip }, header, 0));
}

function ping(eth: EthernetHeader, ip: IpHeader): Uint8Array {
  const buf = new Uint8Array(256);
  return buf.slice(0, writeIcmpEchoFrame(buf, 0, { eth, ip }, { reply: false, id: 7, seq: 1 }, 0));
}

/** The key's fields of a frame decoded by the built-in dissectors. */
function fieldsOf(frame: Uint8Array, linkType: number = LinkType.ETHERNET): FlowKeyFields {
  const packet = testEngine().dissectFrame(frame, { linkType });
  const key = new Uint32Array(FLOW_KEY_WORDS);
  writeFlowKey(packet, key);
  return flowKeyFields(key, 0);
}

const NO_L3 = {
  src_ip: null,
  dst_ip: null,
  src_port: null,
  dst_port: null,
  ip_protocol: null,
  ip_version: null,
};
const AB = { src_mac: "02:1a:2b:3c:4d:5e", dst_mac: "00:6f:70:81:92:a3" };
const V4 = { version: 4, src: parseIpv4("10.1.2.3"), dst: parseIpv4("192.168.200.254") } as const;
const V4_TEXT = { src_ip: "10.1.2.3", dst_ip: "192.168.200.254", ip_version: 4 };
const V6 = { version: 6, src: A6, dst: B6 } as const;
const V6_TEXT = {
  src_ip: "2001:db8:1111:2222:3333:4444:5555:6666",
  dst_ip: "fd00:7777:8888:9999:aaaa:bbbb:cccc:dddd",
  ip_version: 6,
};

Deno.test("writeFlowKey() and flowKeyFields() give back every field of decoded frames", () => {
  const arp = new Uint8Array(64);
  const arpLength = writeArpFrame(
    arp,
    0,
    { dst: MAC_BROADCAST, src: A, tags: dot1q(7) },
    arpRequest(A, parseIpv4("10.0.0.1"), parseIpv4("10.0.0.2")),
  );
  const stp = new Uint8Array(64);
  const stpLength = writeRstpFrame(stp, 0, {
    srcMac: B,
    rootPriority: 32768,
    rootMac: B,
    rootPathCost: 0,
    bridgePriority: 32768,
    bridgeMac: B,
    portId: 0x8001,
    flags: 0x3c,
  });
  const rawV6 = udp({ dst: B, src: A }, V6, 5353, 53).slice(14);
  const cases: [string, Uint8Array, number, FlowKeyFields][] = [
    ["IPv4 TCP, ports 1 → 65535, untagged", tcp({ dst: B, src: A }, V4, 1, 65535), LinkType.ETHERNET, {
      ...AB,
      ...V4_TEXT,
      src_port: 1,
      dst_port: 65535,
      vlan_id: null,
      outer_vlan_id: null,
      ethertype: 0x0800,
      ip_protocol: 6,
    }],
    [
      "IPv6 UDP, ports 65535 → 0, VLAN 0 (priority tag)",
      udp({ dst: B, src: A, tags: dot1q(0, 5) }, V6, 65535, 0),
      1,
      {
        ...AB,
        ...V6_TEXT,
        src_port: 65535,
        dst_port: 0,
        vlan_id: 0,
        outer_vlan_id: null,
        ethertype: 0x86dd,
        ip_protocol: 17,
      },
    ],
    ["IPv4 ICMP on VLAN 4095: no ports", ping({ dst: B, src: A, tags: dot1q(4095) }, V4), 1, {
      ...AB,
      ...V4_TEXT,
      src_port: null,
      dst_port: null,
      vlan_id: 4095,
      outer_vlan_id: null,
      ethertype: 0x0800,
      ip_protocol: 1,
    }],
    ["QinQ outer 4095, inner 0", udp({ dst: B, src: A, tags: qinq(4095, 0) }, V4, 502, 40000), 1, {
      ...AB,
      ...V4_TEXT,
      src_port: 502,
      dst_port: 40000,
      vlan_id: 0,
      outer_vlan_id: 4095,
      ethertype: 0x0800,
      ip_protocol: 17,
    }],
    ["QinQ outer 0, inner 4095", udp({ dst: B, src: A, tags: qinq(0, 4095) }, V6, 1, 2), 1, {
      ...AB,
      ...V6_TEXT,
      src_port: 1,
      dst_port: 2,
      vlan_id: 4095,
      outer_vlan_id: 0,
      ethertype: 0x86dd,
      ip_protocol: 17,
    }],
    ["ARP on VLAN 7 to broadcast: no IP layer", arp.slice(0, arpLength), 1, {
      src_mac: "02:1a:2b:3c:4d:5e",
      dst_mac: "ff:ff:ff:ff:ff:ff",
      ...NO_L3,
      vlan_id: 7,
      outer_vlan_id: null,
      ethertype: 0x0806,
    }],
    ["802.3 LLC (STP): no EtherType", stp.slice(0, stpLength), 1, {
      src_mac: "00:6f:70:81:92:a3",
      dst_mac: [...STP_MULTICAST].map((b) => b.toString(16).padStart(2, "0")).join(":"),
      ...NO_L3,
      vlan_id: null,
      outer_vlan_id: null,
      ethertype: null,
    }],
    ["raw IPv6: no MACs", rawV6, LinkType.RAW, {
      src_mac: null,
      dst_mac: null,
      ...V6_TEXT,
      src_port: 5353,
      dst_port: 53,
      vlan_id: null,
      outer_vlan_id: null,
      ethertype: 0x86dd,
      ip_protocol: 17,
    }],
  ];
  for (const [name, frame, linkType, expected] of cases) {
    deepStrictEqual(fieldsOf(frame, linkType), expected, name);
  }
});

/** A packet context set by hand over `bytes`: MACs at 0 and 6, source IP at 12, destination at 28. */
function handPacket(bytes: Uint8Array, version: 0 | 4 | 6): Packet {
  const packet = new Packet();
  packet.reset(bytes, new DataView(bytes.buffer), 0, bytes.length);
  packet.dstMacOffset = 0;
  packet.srcMacOffset = 6;
  packet.ipVersion = version;
  packet.srcIpOffset = 12;
  packet.dstIpOffset = 28;
  packet.ethertype = version === 6 ? 0x86dd : 0x0800;
  packet.ipProto = 17;
  packet.srcPort = 1000;
  packet.dstPort = 2000;
  return packet;
}

function keyOf(packet: Packet): Uint32Array {
  const key = new Uint32Array(FLOW_KEY_WORDS);
  writeFlowKey(packet, key);
  return key;
}

Deno.test("flowKeyFields() keeps the extreme values of each field: all ones and all zeros", () => {
  const ones = new Uint8Array(44).fill(0xff);
  ones[0] = 0xfe; // a unicast destination MAC of ones but the I/G bit
  const packet = handPacket(ones, 6);
  packet.ipProto = 132; // SCTP: has ports
  packet.srcPort = packet.dstPort = 65535;
  packet.outerVlan = packet.innerVlan = 4095;
  packet.ethertype = 0xfffe;
  deepStrictEqual(flowKeyFields(keyOf(packet), 0), {
    src_mac: "ff:ff:ff:ff:ff:ff",
    dst_mac: "fe:ff:ff:ff:ff:ff",
    src_ip: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    dst_ip: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    src_port: 65535,
    dst_port: 65535,
    vlan_id: 4095,
    outer_vlan_id: 4095,
    ethertype: 0xfffe,
    ip_protocol: 132,
    ip_version: 6,
  });
  packet.ipProto = 255;
  strictEqual(flowKeyFields(keyOf(packet), 0).ip_protocol, 255);
  strictEqual(flowKeyFields(keyOf(packet), 0).src_port, null, "protocol 255 has no ports");

  const zeros = handPacket(new Uint8Array(44), 4);
  zeros.srcMacOffset = zeros.dstMacOffset = -1;
  zeros.ipProto = 0;
  zeros.srcPort = zeros.dstPort = 0;
  zeros.outerVlan = zeros.innerVlan = 0;
  zeros.ethertype = 0;
  deepStrictEqual(flowKeyFields(keyOf(zeros), 0), {
    src_mac: null,
    dst_mac: null,
    src_ip: "0.0.0.0",
    dst_ip: "0.0.0.0",
    src_port: null,
    dst_port: null,
    vlan_id: 0,
    outer_vlan_id: 0,
    ethertype: 0,
    ip_protocol: 0,
    ip_version: 4,
  });
});

Deno.test("writeFlowKey(): changing one field of a packet changes its key and that field alone", () => {
  const bytes = new Uint8Array(44);
  bytes.set(B, 0);
  bytes.set(A, 6);
  bytes.set(A6, 12);
  bytes.set(B6, 28);
  const base = flowKeyFields(keyOf(handPacket(bytes, 6)), 0);
  const baseKey = keyOf(handPacket(bytes, 6));
  // Each change: what to alter (a copy of the bytes, or a packet field), and the fields it must move.
  const changes: [string, (bytes: Uint8Array, packet: Packet) => void, (keyof FlowKeyFields)[]][] = [];
  for (let i = 0; i < 6; i++) {
    changes.push([`destination MAC byte ${i}`, (b) => b[i] ^= 0x10, ["dst_mac"]]);
    changes.push([`source MAC byte ${i}`, (b) => b[6 + i] ^= 0x10, ["src_mac"]]);
  }
  for (let i = 0; i < 16; i++) {
    changes.push([`source IPv6 byte ${i}`, (b) => b[12 + i] ^= 0x01, ["src_ip"]]);
    changes.push([`destination IPv6 byte ${i}`, (b) => b[28 + i] ^= 0x01, ["dst_ip"]]);
  }
  changes.push(
    ["source port", (_, p) => p.srcPort = 1001, ["src_port"]],
    ["destination port", (_, p) => p.dstPort = 2001, ["dst_port"]],
    ["a single VLAN tag", (_, p) => p.outerVlan = 100, ["vlan_id"]],
    ["QinQ tags", (_, p) => (p.outerVlan = 200, p.innerVlan = 100), ["vlan_id", "outer_vlan_id"]],
    ["EtherType", (_, p) => p.ethertype = 0x88b5, ["ethertype"]],
    ["IP protocol", (_, p) => p.ipProto = 6, ["ip_protocol"]],
    ["IP protocol without ports", (_, p) => p.ipProto = 58, ["ip_protocol", "src_port", "dst_port"]],
  );
  const seen = new Set<string>([baseKey.join()]);
  for (const [name, change, moved] of changes) {
    const copy = bytes.slice();
    const packet = handPacket(copy, 6);
    change(copy, packet);
    const key = keyOf(packet);
    const fields = flowKeyFields(key, 0);
    const changed = (Object.keys(base) as (keyof FlowKeyFields)[]).filter((f) => fields[f] !== base[f]);
    deepStrictEqual(changed.sort(), [...moved].sort(), name);
    strictEqual(seen.has(key.join()), false, `${name}: the key is new`);
    seen.add(key.join());
  }
  // IPv4 and IPv6 with the same first four address bytes are different keys.
  const v4 = keyOf(handPacket(bytes, 4));
  notDeepStrictEqual(v4, baseKey);
  strictEqual(flowKeyFields(v4, 0).src_ip, "32.1.13.184");
});

Deno.test("writeFlowKey() writes every word: a key written over another equals one written fresh", () => {
  const bytes = new Uint8Array(44);
  bytes.set(B, 0);
  bytes.set(A, 6);
  bytes.set(A6, 12);
  bytes.set(B6, 28);
  const packets: Packet[] = [handPacket(bytes, 6), handPacket(bytes, 4), handPacket(bytes, 0)];
  packets[2].srcMacOffset = packets[2].dstMacOffset = -1;
  packets[2].ipProto = packets[2].srcPort = packets[2].dstPort = -1;
  packets[2].ethertype = -1;
  for (const packet of packets) {
    const dirty = new Uint32Array(FLOW_KEY_WORDS).fill(0xffffffff);
    writeFlowKey(packet, dirty);
    deepStrictEqual(dirty, keyOf(packet), `IP version ${packet.ipVersion}`);
  }
  deepStrictEqual(flowKeyFields(keyOf(packets[2]), 0), {
    src_mac: null,
    dst_mac: null,
    ...NO_L3,
    vlan_id: null,
    outer_vlan_id: null,
    ethertype: null,
  });
});

Deno.test("flowKeyFields() reads entry n of a key array at n × FLOW_KEY_WORDS", () => {
  const first = fieldsOf(udp({ dst: B, src: A }, V4, 1, 2));
  const second = fieldsOf(udp({ dst: A, src: B, tags: dot1q(9) }, V6, 3, 4));
  const packets = [udp({ dst: B, src: A }, V4, 1, 2), udp({ dst: A, src: B, tags: dot1q(9) }, V6, 3, 4)];
  const keys = new Uint32Array(FLOW_KEY_WORDS * 2);
  packets.forEach((frame, entry) => {
    writeFlowKey(testEngine().dissectFrame(frame), keys.subarray(entry * FLOW_KEY_WORDS));
  });
  deepStrictEqual(flowKeyFields(keys, 0), first);
  deepStrictEqual(flowKeyFields(keys, 1), second);
  notDeepStrictEqual(first, second);
});
