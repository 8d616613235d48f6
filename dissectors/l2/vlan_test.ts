import { strictEqual } from "node:assert/strict";
import { decode } from "../_testing.ts";
import { PacketFlag } from "../packet.ts";

Deno.test("vlan decodes the seed spec's 802.1Q frame (VLAN 100)", () => {
  // Seed spec 13.1 test_parse_vlan_frame: the frame ends right after the inner EtherType.
  const { packet } = decode(`
    ffffffffffff 001122334455  # broadcast <- 00:11:22:33:44:55
    8100 0064                  # 802.1Q, PCP 0, DEI 0, VID 100
    0800                       # IPv4 (no header follows)
  `);
  strictEqual(packet.vlanCount, 1);
  strictEqual(packet.outerVlan, 100);
  strictEqual(packet.outerTpid, 0x8100);
  strictEqual(packet.innerVlan, -1);
  strictEqual(packet.ethertype, 0x0800);
  // The whole frame was captured and still stops inside the IPv4 header: malformed, not truncated.
  strictEqual(packet.flags & PacketFlag.MALFORMED, PacketFlag.MALFORMED);
});

Deno.test("vlan decodes the seed spec's QinQ frame (outer 200, inner 100)", () => {
  // Seed spec 13.1 test_parse_qinq_frame.
  const { packet } = decode("ffffffffffff001122334455 88a8 00c8 8100 0064 0800");
  strictEqual(packet.vlanCount, 2);
  strictEqual(packet.outerTpid, 0x88a8);
  strictEqual(packet.outerVlan, 200);
  strictEqual(packet.innerVlan, 100);
  strictEqual(packet.ethertype, 0x0800);
});

Deno.test("vlan keeps PCP and DEI of both tags", () => {
  // Hand-built: outer TPID 0x9100, TCI 0xb00a = PCP 5, DEI 1, VID 10; inner TCI 0x6014 = PCP 3, DEI 0, VID 20.
  const { packet } = decode(
    "ffffffffffff001122334455 9100 b00a 8100 6014 0806" + "0001080006040001".padEnd(56, "0"),
  );
  strictEqual(packet.outerTpid, 0x9100);
  strictEqual(packet.outerPcp, 5);
  strictEqual(packet.outerDei, 1);
  strictEqual(packet.outerVlan, 10);
  strictEqual(packet.innerPcp, 3);
  strictEqual(packet.innerDei, 0);
  strictEqual(packet.innerVlan, 20);
  strictEqual(packet.ethertype, 0x0806);
});

Deno.test("vlan decodes a real 802.1ad frame (qinq_8021ad_arp.pcap frame 1)", () => {
  const { packet } = decode(`
    ffffffffffff 0020d25afb3f 88a8 00c8 8100 07d1 0806
    0001 0800 06 04 0001 0020d25afb3f ac154f61 000000000000 ac154f64
    000000000000000000000000000000000000
  `);
  strictEqual(packet.outerVlan, 200);
  strictEqual(packet.innerVlan, 2001);
  strictEqual(packet.ethertype, 0x0806);
  strictEqual(packet.flags, 0);
});

Deno.test("vlan counts a third tag but keeps the first two", () => {
  const { packet } = decode("ffffffffffff001122334455 88a8 0001 8100 0002 8100 0003 86dd");
  strictEqual(packet.vlanCount, 3);
  strictEqual(packet.outerVlan, 1);
  strictEqual(packet.innerVlan, 2);
});
