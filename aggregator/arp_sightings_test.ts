import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { decode } from "../dissectors/_testing.ts";
import { PacketFlag } from "../dissectors/packet.ts";
import { Inventory } from "./inventory.ts";
import { buildInventoryDocument } from "./inventory_view.ts";

// qinq_8021ad_arp.pcap frame 2: ARP reply 172.21.79.100 is-at 00:80:ea:81:88:63, to 172.21.79.97.
const QINQ_ARP_REPLY = `
  0020d25afb3f 0080ea818863 88a8 00c8 8100 07d1 0806
  0001 0800 06 04 0002 0080ea818863 ac154f64 0020d25afb3f ac154f61
  000000000000000000000000000000000000
`;

function sightingsOf(engine: ReturnType<typeof decode>["engine"]) {
  const inventory = new Inventory();
  inventory.merge(engine.flush());
  return buildInventoryDocument(inventory).devices.map((device) => ({
    mac: device.mac_address,
    ips: device.ips.map((ip) => `${ip.ip_address} vlan ${ip.outer_vlan_id}/${ip.vlan_id} ${ip.learnt_from}`),
  }));
}

Deno.test("arp reports sender and target of a reply as sightings, with the QinQ tags", () => {
  const { engine } = decode(QINQ_ARP_REPLY);
  deepStrictEqual(sightingsOf(engine), [
    { mac: "00:20:d2:5a:fb:3f", ips: ["172.21.79.97 vlan 200/2001 arp"] },
    { mac: "00:80:ea:81:88:63", ips: ["172.21.79.100 vlan 200/2001 arp"] },
  ]);
});

Deno.test("arp reports only the sender of a request, and none for a probe from 0.0.0.0", () => {
  // Hand-built request who-has 10.0.0.2 tell 10.0.0.1, then an RFC 5227 probe (sender IP 0.0.0.0).
  const request = decode(
    "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002",
  );
  deepStrictEqual(sightingsOf(request.engine), [{
    mac: "02:00:00:00:00:01",
    ips: ["10.0.0.1 vlan null/null arp"],
  }]);
  const probe = decode(
    "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 00000000 000000000000 0a000002",
  );
  deepStrictEqual(sightingsOf(probe.engine)[0].ips, []);
});

Deno.test("arp flags a gratuitous announcement and raises an event", () => {
  // Hand-built announcement: sender IP = target IP = 10.0.0.9 (RFC 5227 section 3).
  const { packet, engine } = decode(
    "ffffffffffff 020000000009 0806 0001 0800 06 04 0001 020000000009 0a000009 000000000000 0a000009",
  );
  strictEqual(packet.flags & PacketFlag.GRATUITOUS_ARP, PacketFlag.GRATUITOUS_ARP);
  const events = engine.flush().events;
  strictEqual(events.length, 1);
  strictEqual(events[0].type, "arp.gratuitous");
  strictEqual(events[0].mac, "02:00:00:00:00:09");
});

Deno.test("arp refuses impossible address lengths (arp_request_reply.pcap frame 1 has plen 255)", () => {
  const { packet } = decode(
    "ffffffffffff 7e8e20d823a7 0806 0001 0800 06 ff 0001 7e8e20d823a7" + "00".repeat(40),
  );
  strictEqual(packet.flags & PacketFlag.MALFORMED, PacketFlag.MALFORMED);
  strictEqual(
    packet.describeProblem(),
    "Cannot decode ARP at offset 18: Ethernet/IPv4 ARP must have 6-byte MAC and 4-byte IP addresses (value 6)",
  );
});
