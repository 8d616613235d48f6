import { strictEqual } from "node:assert/strict";
import { decode } from "../_testing.ts";
import { PacketFlag } from "../packet.ts";

// vlan_8021q_and_double_tag_cdp.pcap frame 1: ICMP echo 10.118.10.1 -> 10.118.10.2 in QinQ 118/10.
const DOUBLE_TAGGED_ICMP = `
  001bd41ba4d8 0013c3dfae18 8100 0076 8100 000a 0800
  4500 0064 000f 0000 ff01 929b 0a760a01 0a760a02
  0800 ceb7 0003 0000 000000001faf70ab ${"abcd".repeat(34)}
`;

Deno.test("ipv4 decodes addresses, protocol and TTL behind two 802.1Q tags", () => {
  const { packet } = decode(DOUBLE_TAGGED_ICMP);
  strictEqual(packet.outerVlan, 118);
  strictEqual(packet.innerVlan, 10);
  strictEqual(packet.ipVersion, 4);
  strictEqual(packet.ipProto, 1);
  strictEqual(packet.ttl, 255);
  strictEqual(packet.l3Offset, 22);
  strictEqual(packet.srcIpOffset, 34);
  strictEqual(packet.l3End, 22 + 100);
  strictEqual(packet.flags, 0);
});

Deno.test("ipv4 skips options (IHL 6) to find the UDP header", () => {
  // Hand-built: IHL 6 with a 4-byte Router Alert option (RFC 2113), UDP 1234 -> 5678, 4 bytes of data.
  const { packet } = decode(`
    ffffffffffff 020000000001 0800
    4600 0024 0001 0000 4011 0000 0a000001 0a000002 94040000
    04d2 162e 000c 0000 deadbeef
  `);
  strictEqual(packet.srcPort, 1234);
  strictEqual(packet.dstPort, 5678);
  strictEqual(packet.payloadLength, 4);
});

Deno.test("ipv4 gives ports to the first fragment only", () => {
  // Hand-built UDP datagram in two fragments: MF set at offset 0, then offset 1 (8 bytes) without MF.
  const first = decode(`
    ffffffffffff 020000000001 0800
    4500 001c 0007 2000 4011 0000 0a000001 0a000002
    04d2 162e 0018 0000
  `).packet;
  strictEqual(first.srcPort, 1234);
  strictEqual(first.flags & PacketFlag.FRAGMENT, 0);
  const later = decode(`
    ffffffffffff 020000000001 0800
    4500 001c 0007 0001 4011 0000 0a000001 0a000002
    0102030405060708
  `).packet;
  strictEqual(later.srcPort, -1);
  strictEqual(later.ipProto, 17);
  strictEqual(later.flags & PacketFlag.FRAGMENT, PacketFlag.FRAGMENT);
});

Deno.test("ipv4 excludes Ethernet padding from the payload", () => {
  // Hand-built TCP ACK (40-byte datagram) padded to the 60-byte Ethernet minimum.
  const { packet } = decode(`
    ffffffffffff 020000000001 0800
    4500 0028 0001 4000 4006 0000 0a000001 0a000002
    0050 c000 00000001 00000001 5010 ffff 0000 0000
    000000000000
  `);
  strictEqual(packet.l3End, 14 + 40);
  strictEqual(packet.payloadLength, 0);
  strictEqual(packet.tcpFlags, 0x10);
});

Deno.test("ipv4 refuses a header length below 20 bytes", () => {
  const { packet } = decode("ffffffffffff 020000000001 0800 4400 0028 0001 4000 4006 0000 0a000001 0a000002");
  strictEqual(packet.flags & PacketFlag.MALFORMED, PacketFlag.MALFORMED);
  strictEqual(
    packet.describeProblem(),
    "Cannot decode IPv4 header at offset 14: header length must be at least 20 bytes (value 16)",
  );
});

Deno.test("ipv4 marks a snaplen-cut header truncated, not malformed", () => {
  const frame = "ffffffffffff 020000000001 0800 4500 0028 0001";
  const { packet } = decode(frame, { wirelen: 54 });
  strictEqual(packet.flags, PacketFlag.TRUNCATED);
});
