import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { Decoded } from "../../api.ts";
import { PacketFlag } from "../../packet.ts";
import {
  bridgeId,
  cdpFrame,
  cdpTlv,
  lldpFrame,
  lldpTlv,
  mac,
  neighbourEngine,
  stpFrame,
} from "./_frames_test_util.ts";

const SRC = "00:11:22:33:44:55";

/** Dissects one frame; returns the packet's problem, the identities (key = value) and events. */
function run(frame: Uint8Array, wirelen = frame.length) {
  const engine = neighbourEngine();
  const packet = engine.dissectFrame(frame, { wirelen });
  const problem = packet.problem === "" ? "" : `${packet.problemProtocol}: ${packet.problem}`;
  const flags = packet.flags;
  const record = engine.flush();
  strictEqual(record.stats.dissectorErrors.reduce((a, b) => a + b, 0), 0);
  return {
    problem,
    flags,
    identities: record.identities.filter((i) => i.mac === SRC).map((i) => `${i.key} = ${i.value}`),
    events: record.events.map((e) => ({ type: e.type, severity: e.severity, fields: e.fields })),
  };
}

const CHASSIS = lldpTlv(1, [4, ...mac("00:1c:0e:87:85:00")]);
const PORT = lldpTlv(2, [5, ...new TextEncoder().encode("Gi1/0/3")]);
const TTL = lldpTlv(3, [0, 120]);

Deno.test("lldp reports ids, names, capabilities, IPv4/IPv6 management addresses and the port VLAN id", () => {
  const v6 = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 0x01];
  const result = run(lldpFrame(
    SRC,
    CHASSIS,
    PORT,
    TTL,
    lldpTlv(5, "core-sw.example"),
    lldpTlv(6, "Vendor OS 1.2\nbuild 7"),
    lldpTlv(7, [0x00, 0x14, 0x00, 0x10]), // bridge, router; router enabled
    lldpTlv(8, [5, 1, 10, 0, 0, 1, 2, 0, 0, 0, 3, 0]),
    lldpTlv(8, [17, 2, ...v6, 2, 0, 0, 0, 3, 0]),
    lldpTlv(127, [0x00, 0x80, 0xc2, 0x01, 0x00, 0x0a]),
    lldpTlv(127, [0x00, 0x12, 0xbb, 0x0a, ...new TextEncoder().encode("RS30")]), // LLDP-MED model name
    lldpTlv(0, []),
  ));
  strictEqual(result.problem, "");
  deepStrictEqual(result.identities, [
    "lldp.chassis_id = 00:1c:0e:87:85:00",
    "lldp.chassis_id_subtype = mac-address",
    "lldp.port_id = Gi1/0/3",
    "lldp.port_id_subtype = interface-name",
    "hostname = core-sw.example",
    "lldp.system_name = core-sw.example",
    "lldp.system_description = Vendor OS 1.2\\x0abuild 7", // line feed escaped by the text rule
    "software = Vendor OS 1.2",
    "lldp.capabilities = bridge,router",
    "lldp.enabled_capabilities = router",
    "lldp.management_address = 10.0.0.1",
    "lldp.management_address = 2001:db8::1",
    "lldp.pvid = 10",
    "lldp.model = RS30",
  ]);
  deepStrictEqual(result.events, [{
    type: "lldp.neighbour",
    severity: "info",
    fields: {
      chassis_id: "00:1c:0e:87:85:00",
      port_id: "Gi1/0/3",
      ttl: 120,
      system_name: "core-sw.example",
      management_address: "10.0.0.1",
      pvid: 10,
    },
  }]);
});

Deno.test("lldp refuses a missing chassis id and a TLV running past the end, and reports a snaplen cut as truncation", () => {
  strictEqual(run(lldpFrame(SRC, PORT, TTL)).problem, "LLDP: chassis ID TLV missing");
  strictEqual(run(lldpFrame(SRC, CHASSIS, TTL)).problem, "LLDP: port ID TLV missing");
  strictEqual(run(lldpFrame(SRC)).problem, "LLDP: chassis ID TLV missing");
  const long = lldpFrame(SRC, CHASSIS, PORT, TTL, lldpTlv(5, "name"));
  const cut = long.subarray(0, long.length - 2);
  strictEqual(run(cut).problem, "LLDP: TLV runs past the end of the frame");
  const snapped = run(cut, long.length);
  strictEqual(snapped.flags & PacketFlag.TRUNCATED, PacketFlag.TRUNCATED);
  // The mandatory TLVs came through: the neighbour is still reported.
  strictEqual(snapped.identities.includes("lldp.port_id = Gi1/0/3"), true);
  const badCaps = lldpFrame(SRC, CHASSIS, PORT, TTL, lldpTlv(7, [0, 4]));
  strictEqual(run(badCaps).problem, "LLDP: system capabilities TLV length is not 4");
});

Deno.test("cdp reports device id, port, platform, version, capabilities, addresses, native VLAN, VTP domain", () => {
  const address = [0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 192, 168, 0, 1];
  const result = run(cdpFrame(
    SRC,
    cdpTlv(0x01, "sw1.example"),
    cdpTlv(0x02, address),
    cdpTlv(0x03, "GigabitEthernet0/5"),
    cdpTlv(0x04, [0, 0, 0, 0x29]),
    cdpTlv(0x05, "Cisco IOS Software, Version 15.2\nCopyright (c) Cisco"),
    cdpTlv(0x06, "cisco WS-C2960"),
    cdpTlv(0x09, "Lab"),
    cdpTlv(0x0a, [0, 20]),
  ));
  strictEqual(result.problem, "");
  deepStrictEqual(result.identities, [
    "hostname = sw1.example",
    "cdp.device_id = sw1.example",
    "cdp.port_id = GigabitEthernet0/5",
    "cdp.platform = cisco WS-C2960",
    "cdp.software_version = Cisco IOS Software, Version 15.2",
    "cdp.software_version_full = Cisco IOS Software, Version 15.2\\x0aCopyright (c) Cisco",
    "software = Cisco IOS Software, Version 15.2",
    "cdp.capabilities = router,switch,igmp",
    "cdp.addresses = 192.168.0.1",
    "cdp.native_vlan = 20",
    "cdp.vtp_domain = Lab",
  ]);
  deepStrictEqual(result.events[0].fields, {
    device_id: "sw1.example",
    port_id: "GigabitEthernet0/5",
    platform: "cisco WS-C2960",
    address: "192.168.0.1",
    native_vlan: 20,
  });
});

Deno.test("cdp stops at the 802.3 length: Ethernet padding and an FCS after the last TLV are not TLVs", () => {
  const frame = cdpFrame(SRC, cdpTlv(0x01, "sw1"));
  const padded = new Uint8Array(frame.length + 30);
  padded.set(frame);
  padded.fill(0xab, frame.length);
  const result = run(padded);
  strictEqual(result.problem, "");
  deepStrictEqual(result.identities, ["hostname = sw1", "cdp.device_id = sw1"]);
});

Deno.test("cdp refuses a TLV length below 4, a TLV past the end, a bad version and an address count lie", () => {
  strictEqual(run(cdpFrame(SRC, cdpTlv(1, "a"), [0, 1, 0, 2])).problem, "CDP: TLV length is less than 4");
  strictEqual(run(cdpFrame(SRC, [0, 1, 0, 40, 0x41])).problem, "CDP: TLV runs past the end of the frame");
  const v3 = cdpFrame(SRC, cdpTlv(1, "a"));
  v3[22] = 3;
  strictEqual(run(v3).problem, "CDP: version is not 1 or 2");
  // Count 1 000 000 addresses in a 4-byte TLV: refused without looping a million times.
  const lie = run(cdpFrame(SRC, cdpTlv(2, [0, 0x0f, 0x42, 0x40, 1, 1, 0xcc, 0, 4, 10, 0, 0, 1])));
  strictEqual(lie.problem, "CDP: addresses TLV holds fewer entries than its count");
});

function bpdu(version: number, type: number, flags: number, cost: number): number[] {
  return [
    0,
    0,
    version,
    type,
    flags,
    ...bridgeId(4096, 10, "00:00:00:00:00:01"),
    cost >>> 24,
    (cost >> 16) & 0xff,
    (cost >> 8) & 0xff,
    cost & 0xff,
    ...bridgeId(32768, 10, "00:1c:0e:87:85:00"),
    0x80,
    0x05,
    0,
    0,
    20 * 256 >> 8,
    0,
    2,
    0,
    15,
    0,
  ];
}

Deno.test("stp reports bridge, root, cost, port and version, and a topology change as a notice", () => {
  const result = run(stpFrame(SRC, Uint8Array.from([...bpdu(2, 2, 0x3d, 19), 0])));
  strictEqual(result.problem, "");
  deepStrictEqual(result.identities, [
    "stp.bridge_id = 32768.10.00:1c:0e:87:85:00",
    "stp.root_id = 4096.10.00:00:00:00:00:01",
    "stp.root_path_cost = 19",
    "stp.port_id = 0x8005",
    "stp.version = rstp",
    "stp.sender_is_bridge = true",
    "role = switch",
  ]);
  deepStrictEqual(result.events.map((e) => `${e.type} ${e.severity}`), [
    "stp.root info",
    "stp.topology_change notice",
  ]);
  strictEqual(result.events[0].fields.port_role, "designated");
  const tcn = run(stpFrame(SRC, Uint8Array.from([0, 0, 0, 0x80])));
  deepStrictEqual(tcn.events.map((e) => e.type), ["stp.topology_change"]);
});

Deno.test("stp refuses a non-zero protocol id and an unknown BPDU type; a short BPDU is malformed", () => {
  const config = bpdu(0, 0, 0, 4);
  strictEqual(
    run(stpFrame(SRC, Uint8Array.from([0, 1, ...config.slice(2)]))).problem,
    "STP: protocol identifier is not 0",
  );
  strictEqual(
    run(stpFrame(SRC, Uint8Array.from([0, 0, 0, 7, ...config.slice(4)]))).problem,
    "STP: unknown BPDU type",
  );
  const short = run(stpFrame(SRC, Uint8Array.from(config.slice(0, 20))));
  strictEqual(short.problem, "STP: frame ends inside the header");
  strictEqual(Decoded.MALFORMED, 3);
});
