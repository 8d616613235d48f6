import { strictEqual } from "node:assert/strict";
import { decode } from "../_testing.ts";
import { PacketFlag } from "../packet.ts";

// ipv6_tcp_smtp.pcap frame 1: SYN 2001:470:e5bf:dead:4957:2174:e82c:4887 -> 2607:f8b0:400c:c03::1a port 25.
const SMTP_SYN = `
  000573a007d1 68a3c4f949f6 86dd
  6000 0000 0020 06 40 2001 0470 e5bf dead 4957 2174 e82c 4887 2607 f8b0 400c 0c03 0000 0000 0000 001a
  f9c7 0019 03a0 8830 0000 0000 8002 2000 da47 0000 0204058c 01030308 01010402
`;

Deno.test("ipv6 decodes a TCP SYN from a real capture", () => {
  const { packet } = decode(SMTP_SYN);
  strictEqual(packet.ipVersion, 6);
  strictEqual(packet.ipProto, 6);
  strictEqual(packet.ttl, 64);
  strictEqual(packet.srcPort, 63943);
  strictEqual(packet.dstPort, 25);
  strictEqual(packet.tcpFlags, 0x02);
  strictEqual(packet.payloadLength, 0);
});

Deno.test("ipv6 walks Hop-by-Hop and Destination Options to UDP", () => {
  // Hand-built (RFC 8200 4.3, 4.6): HBH (next 60, len 0, PadN) then DestOpts (next 17, len 0, PadN).
  const { packet } = decode(`
    ffffffffffff 020000000001 86dd
    6000 0000 001c 00 40 ${"fe80" + "0".repeat(27) + "1"} ${"ff02" + "0".repeat(27) + "1"}
    3c00 0104 00000000
    1100 0104 00000000
    0035 0035 000c 0000 cafe babe
  `);
  strictEqual(packet.ipProto, 17);
  strictEqual(packet.srcPort, 53);
  strictEqual(packet.payloadLength, 4);
});

Deno.test("ipv6 stops at a non-first fragment and keeps the upper protocol", () => {
  // Hand-built Fragment header (RFC 8200 4.5): next 17, offset 1 (8 bytes), M=0.
  const { packet } = decode(`
    ffffffffffff 020000000001 86dd
    6000 0000 0010 2c 40 ${"20010db8" + "0".repeat(23) + "1"} ${"20010db8" + "0".repeat(23) + "2"}
    1100 0008 12345678
    0102030405060708
  `);
  strictEqual(packet.flags & PacketFlag.FRAGMENT, PacketFlag.FRAGMENT);
  strictEqual(packet.ipProto, 17);
  strictEqual(packet.srcPort, -1);
});

Deno.test("ipv6 decodes the ports of a first fragment", () => {
  const { packet } = decode(`
    ffffffffffff 020000000001 86dd
    6000 0000 0018 2c 40 ${"20010db8" + "0".repeat(23) + "1"} ${"20010db8" + "0".repeat(23) + "2"}
    1100 0001 12345678
    04d2 0035 0018 0000 0102030405060708
  `);
  strictEqual(packet.flags & PacketFlag.FRAGMENT, 0);
  strictEqual(packet.srcPort, 1234);
  strictEqual(packet.dstPort, 53);
});

Deno.test("ipv6 refuses a chain of too many extension headers", () => {
  const hops = "0000 0104 00000000 ".repeat(17);
  const { packet } = decode(`
    ffffffffffff 020000000001 86dd
    6000 0000 0088 00 40 ${"fe80" + "0".repeat(27) + "1"} ${"fe80" + "0".repeat(27) + "2"}
    ${hops}
  `);
  strictEqual(packet.flags & PacketFlag.MALFORMED, PacketFlag.MALFORMED);
});
