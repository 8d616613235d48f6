import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { PacketFlag } from "../../packet.ts";
import { dhcpFrame, engineFor, type FrameSpec, identitiesOf, sightingsOf } from "./_test_frames.ts";

// Hand-built exchange (RFC 2131 section 3.1): client 02:00:00:00:00:21 "ws-01", server 10.0.0.2
// (02:00:00:00:00:02), offered 10.0.0.101/24, router 10.0.0.1, DNS 10.0.0.3 and 10.0.0.4, one day.
// Options are written code, length, value (RFC 2132); "ws-01" is 77732d3031, "MSFT 5.0" 4d53465420352e30.
const CLIENT = "020000000021";
const FROM_CLIENT = {
  srcMac: CLIENT,
  dstMac: "ffffffffffff",
  srcIp: "0.0.0.0",
  dstIp: "255.255.255.255",
  srcPort: 68,
  dstPort: 67,
  op: 1,
  xid: "3903f326",
  chaddr: CLIENT,
};
const FROM_SERVER = {
  srcMac: "020000000002",
  dstMac: CLIENT,
  srcIp: "10.0.0.2",
  dstIp: "10.0.0.101",
  srcPort: 67,
  dstPort: 68,
  op: 2,
  xid: "3903f326",
  chaddr: CLIENT,
};
const LEASE_OPTIONS = `
  36 04 0a000002        # 54 server identifier 10.0.0.2
  33 04 00015180        # 51 lease time 86400 s
  01 04 ffffff00        # 1 subnet mask
  03 04 0a000001        # 3 router 10.0.0.1
  06 08 0a000003 0a000004 # 6 DNS servers
  0c 05 77732d3031      # 12 host name "ws-01" (echoed by the server)
  ff`;

const DISCOVER = dhcpFrame({
  ...FROM_CLIENT,
  options: `
    35 01 01              # 53 DHCPDISCOVER
    3d 07 01 020000000021 # 61 client identifier: type 1 + MAC
    0c 05 77732d3031      # 12 host name "ws-01"
    3c 08 4d53465420352e30 # 60 vendor class "MSFT 5.0"
    37 04 01 03 06 0f     # 55 parameter request list
    00 00                 # pad
    ff`,
});
const OFFER = dhcpFrame({ ...FROM_SERVER, yiaddr: "10.0.0.101", options: `35 01 02 ${LEASE_OPTIONS}` });
const REQUEST = dhcpFrame({
  ...FROM_CLIENT,
  options: `
    35 01 03              # 53 DHCPREQUEST
    32 04 0a000065        # 50 requested IP 10.0.0.101
    36 04 0a000002        # 54 server identifier
    0c 05 77732d3031      # 12 host name
    37 04 01 03 06 0f     # 55 parameter request list
    ff`,
});
const ACK = dhcpFrame({ ...FROM_SERVER, yiaddr: "10.0.0.101", options: `35 01 05 ${LEASE_OPTIONS}` });

function eventsOf(frames: Uint8Array[]): Record<string, string | number | boolean | null>[] {
  return engineFor(...frames).flush().events.map((e) => ({
    type: e.type,
    mac: e.mac,
    ip: e.ip,
    ...e.fields,
  }));
}

Deno.test("dhcp decodes a full DORA: events, client and server identities, one sighting", () => {
  const record = engineFor(DISCOVER, OFFER, REQUEST, ACK).flush();
  const lease = {
    xid: "3903f326",
    client_mac: "02:00:00:00:00:21",
    server: "10.0.0.2",
    lease_seconds: 86400,
    hostname: "ws-01",
    subnet_mask: "255.255.255.0",
    router: "10.0.0.1",
    dns: "10.0.0.3,10.0.0.4",
  };
  deepStrictEqual(record.events.map((e) => ({ type: e.type, mac: e.mac, ip: e.ip, ...e.fields })), [
    {
      type: "dhcp.discover",
      mac: "02:00:00:00:00:21",
      ip: null,
      xid: "3903f326",
      client_mac: "02:00:00:00:00:21",
      hostname: "ws-01",
      vendor_class: "MSFT 5.0",
      fingerprint: "1,3,6,15",
    },
    { type: "dhcp.offer", mac: "02:00:00:00:00:21", ip: null, your_ip: "10.0.0.101", ...lease },
    {
      type: "dhcp.request",
      mac: "02:00:00:00:00:21",
      ip: null,
      xid: "3903f326",
      client_mac: "02:00:00:00:00:21",
      requested_ip: "10.0.0.101",
      server: "10.0.0.2",
      hostname: "ws-01",
      fingerprint: "1,3,6,15",
    },
    { type: "dhcp.ack", mac: "02:00:00:00:00:21", ip: "10.0.0.101", your_ip: "10.0.0.101", ...lease },
  ]);
  strictEqual(record.events.every((e) => e.severity === "info" && e.source === "dhcp"), true);
  // The name echoed in the OFFER (60) merges with the client's own (80): same device, key and value.
  deepStrictEqual(identitiesOf(record), [
    "02:00:00:00:00:02|10.0.0.2 dhcp.server=true (90)",
    "02:00:00:00:00:21|10.0.0.101 hostname=ws-01 (60)",
    "02:00:00:00:00:21|null dhcp.client_id=01020000000021 (80)",
    "02:00:00:00:00:21|null dhcp.fingerprint=1,3,6,15 (80)",
    "02:00:00:00:00:21|null dhcp.vendor_class=MSFT 5.0 (80)",
    "02:00:00:00:00:21|null hostname=ws-01 (80)",
  ]);
  deepStrictEqual(sightingsOf(record), ["02:00:00:00:00:21 10.0.0.101 source 3"]);
});

Deno.test("dhcp reports a renewal (REQUEST with ciaddr, RFC 2131 section 4.3.2) with the client's IP", () => {
  // Hand-built: the bound client unicasts REQUEST from 10.0.0.101 with ciaddr set and no option 50/54.
  const renew = dhcpFrame({
    ...FROM_CLIENT,
    dstMac: "020000000002",
    srcIp: "10.0.0.101",
    dstIp: "10.0.0.2",
    ciaddr: "10.0.0.101",
    options: "35 01 03 ff # 53 DHCPREQUEST",
  });
  deepStrictEqual(eventsOf([renew]), [{
    type: "dhcp.request",
    mac: "02:00:00:00:00:21",
    ip: "10.0.0.101",
    xid: "3903f326",
    client_mac: "02:00:00:00:00:21",
    client_ip: "10.0.0.101",
  }]);
});

Deno.test("dhcp reports NAK with its message, RELEASE, DECLINE and INFORM", () => {
  // Hand-built: NAK with option 56 "wrong subnet" (77726f6e67207375626e6574), RFC 2131 section 4.3.2.
  const nak = dhcpFrame({
    ...FROM_SERVER,
    options: "35 01 06 36 04 0a000002 38 0c 77726f6e67207375626e6574 ff",
  });
  // Hand-built: RELEASE (section 4.4.6) carries ciaddr and the server identifier.
  const release = dhcpFrame({
    ...FROM_CLIENT,
    ciaddr: "10.0.0.101",
    options: "35 01 07 36 04 0a000002 ff",
  });
  // Hand-built: DECLINE (section 4.4.1) names the refused address in option 50.
  const decline = dhcpFrame({ ...FROM_CLIENT, options: "35 01 04 32 04 0a000065 36 04 0a000002 ff" });
  // Hand-built: INFORM (section 4.4.3) from a statically configured 10.0.0.50, vendor class "test".
  const inform = dhcpFrame({
    ...FROM_CLIENT,
    ciaddr: "10.0.0.50",
    options: "35 01 08 37 03 01 03 06 3c 04 74657374 ff",
  });
  const events = eventsOf([nak, release, decline, inform]);
  deepStrictEqual(events.map((e) => e.type), ["dhcp.nak", "dhcp.release", "dhcp.decline", "dhcp.inform"]);
  deepStrictEqual(events[0], {
    type: "dhcp.nak",
    mac: "02:00:00:00:00:21",
    ip: null,
    xid: "3903f326",
    client_mac: "02:00:00:00:00:21",
    server: "10.0.0.2",
    message: "wrong subnet",
  });
  strictEqual(events[1].client_ip, "10.0.0.101");
  strictEqual(events[1].server, "10.0.0.2");
  strictEqual(events[2].requested_ip, "10.0.0.101");
  deepStrictEqual([events[3].ip, events[3].fingerprint, events[3].vendor_class], [
    "10.0.0.50",
    "1,3,6",
    "test",
  ]);
});

Deno.test("dhcp keeps the client's MAC and the relay through a relay agent (RFC 2131 section 4.1, giaddr)", () => {
  // Hand-built: relay 10.9.0.1 (MAC 0200000000fe) forwards a DISCOVER to 10.0.0.2, port 67 to 67;
  // the server answers the relay with an OFFER: its role is known by IP only (the L2 source is the relay).
  const relayed = dhcpFrame({
    ...FROM_CLIENT,
    srcMac: "0200000000fe",
    dstMac: "020000000002",
    srcIp: "10.9.0.1",
    dstIp: "10.0.0.2",
    srcPort: 67,
    giaddr: "10.9.0.1",
    options: "35 01 01 0c 05 77732d3031 ff",
  });
  const offer = dhcpFrame({
    ...FROM_SERVER,
    dstMac: "0200000000fe",
    dstIp: "10.9.0.1",
    dstPort: 67,
    giaddr: "10.9.0.1",
    yiaddr: "10.9.0.50",
    options: "35 01 02 36 04 0a000002 33 04 00000e10 ff",
  });
  const record = engineFor(relayed, offer).flush();
  deepStrictEqual(record.events.map((e) => [e.type, e.mac, e.fields.relay, e.fields.your_ip ?? null]), [
    ["dhcp.discover", "02:00:00:00:00:21", "10.9.0.1", null],
    ["dhcp.offer", "02:00:00:00:00:21", "10.9.0.1", "10.9.0.50"],
  ]);
  deepStrictEqual(identitiesOf(record), [
    "02:00:00:00:00:21|null hostname=ws-01 (80)",
    "null|10.0.0.2 dhcp.server=true (90)",
  ]);
});

Deno.test("dhcp decodes option 81 in canonical wire and in ASCII encoding (RFC 4702 section 2)", () => {
  // Hand-built: flags 05 (S + E), rcodes 0, then labels ws-01 . example . com and the root label.
  const wire = dhcpFrame({
    ...FROM_CLIENT,
    options: "35 01 03 51 16 05 00 00 05 77732d3031 07 6578616d706c65 03 636f6d 00 ff",
  });
  // Hand-built: flags 01 (S), ASCII "ws-02.example.com" (deprecated encoding, section 2.3.1).
  const ascii = dhcpFrame({
    ...FROM_CLIENT,
    chaddr: "020000000022",
    options: "35 01 03 51 14 01 00 00 77732d30322e6578616d706c652e636f6d ff",
  });
  // Hand-built: a label of 0x40 bytes (above 63) is refused as an anomaly, not reported as a name.
  const broken = dhcpFrame({
    ...FROM_CLIENT,
    chaddr: "020000000023",
    options: "35 01 03 51 05 04 00 00 40 61 ff",
  });
  const record = engineFor(wire, ascii, broken).flush();
  deepStrictEqual(identitiesOf(record), [
    "02:00:00:00:00:21|null dhcp.fqdn=ws-01.example.com (80)",
    "02:00:00:00:00:22|null dhcp.fqdn=ws-02.example.com (80)",
  ]);
  deepStrictEqual(record.events.filter((e) => e.kind === "anomaly").map((e) => e.type), [
    "dhcp.bad_client_fqdn",
  ]);
  strictEqual(record.events[0].fields.fqdn, "ws-01.example.com");
});

Deno.test("dhcp reads options moved to the file field by option 52 (RFC 2132 section 9.3)", () => {
  // Hand-built: option 52 = 1 in the options area, then host name "over" (6f766572) in `file`.
  const frame = dhcpFrame({ ...FROM_CLIENT, options: "35 01 01 34 01 01 ff", file: "0c 04 6f766572 ff" });
  deepStrictEqual(identitiesOf(engineFor(frame).flush()), ["02:00:00:00:00:21|null hostname=over (80)"]);
});

Deno.test("dhcp refuses a bad cookie, hlen above 16 and an option running past the end", () => {
  const cases: [FrameSpec, number, string][] = [
    [{ ...FROM_CLIENT, options: "35 01 01 ff" }, 278, "bad magic cookie (RFC 2131 section 3)"],
    [{ ...FROM_CLIENT, options: "35 01 01 ff" }, 44, "hardware address length (hlen) above 16 (value 17)"],
    [{ ...FROM_CLIENT, options: "35 01 01 0c ff 41" }, -1, "option runs past the end of its area (value 12)"],
  ];
  for (const [spec, patch, problem] of cases) {
    const frame = dhcpFrame(spec);
    if (patch === 278) frame[patch] = 0x64; // cookie 64825363
    if (patch === 44) frame[patch] = 17; // hlen
    const engine = engineFor(frame);
    strictEqual(engine.stats.malformed, 1);
    strictEqual(engine.stats.problems[0].includes(problem), true, engine.stats.problems[0]);
    strictEqual(engine.flush().events.length, 0);
  }
});

Deno.test("dhcp calls a snapshot-length cut inside the options truncated, not malformed", () => {
  const engine = engineFor();
  const packet = engine.dissectFrame(DISCOVER.subarray(0, 290), { wirelen: DISCOVER.length });
  strictEqual(packet.flags & PacketFlag.TRUNCATED, PacketFlag.TRUNCATED);
  strictEqual(engine.stats.malformed, 0);
});
