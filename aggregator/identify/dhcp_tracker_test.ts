import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { at, device, documentOfCapture, handMade, plantDocument } from "./_test_docs.ts";
import { trackDhcp } from "./dhcp_tracker.ts";
import type { EventFact } from "./evidence.ts";
import { PLANT_HOSTS } from "../../samples/plant/ground_truth.ts";
import { SHARED_PCAPS, sharedCapture } from "../../tests/shared_pcaps.ts";

const CLIENT = "02:00:00:00:00:0a";
const OTHER = "02:00:00:00:00:0b";
const SERVER = { ip: "10.0.0.2", mac: "02:00:00:00:00:02" };
const ROGUE = { ip: "10.0.0.66", mac: "02:00:00:00:00:66" };

/** A client message (DISCOVER, REQUEST, RELEASE, DECLINE) at `seconds`. */
function fromClient(type: string, seconds: number, fields: EventFact["fields"]): Partial<EventFact> {
  const mac = String(fields.client_mac ?? CLIENT);
  return {
    type: `dhcp.${type}`,
    mac,
    src_mac: mac,
    src_ip: String(fields.client_ip ?? "0.0.0.0"),
    first_seen: at(seconds),
    fields: { client_mac: CLIENT, ...fields },
  };
}

/** A server answer (OFFER, ACK, NAK) at `seconds`. */
function fromServer(
  type: string,
  seconds: number,
  fields: EventFact["fields"],
  server = SERVER,
): Partial<EventFact> {
  return {
    type: `dhcp.${type}`,
    mac: String(fields.client_mac ?? CLIENT),
    src_mac: server.mac,
    src_ip: server.ip,
    first_seen: at(seconds),
    fields: { client_mac: CLIENT, server: server.ip, subnet_mask: "255.255.255.0", ...fields },
  };
}

/** DISCOVER, OFFER, REQUEST, ACK of `ip` for `mac`, starting at `seconds`. */
function dora(mac: string, ip: string, seconds: number, xid: string, server = SERVER): Partial<EventFact>[] {
  const lease = { client_mac: mac, xid, lease_seconds: 3600 };
  return [
    fromClient("discover", seconds, { client_mac: mac, xid, hostname: `host-${mac.slice(-2)}` }),
    fromServer("offer", seconds + 0.01, { ...lease, your_ip: ip }, server),
    fromClient("request", seconds + 0.02, { client_mac: mac, xid, requested_ip: ip, server: server.ip }),
    fromServer("ack", seconds + 0.03, { ...lease, your_ip: ip }, server),
  ];
}

Deno.test("trackDhcp follows a full DORA to a bound lease", () => {
  const report = trackDhcp(handMade([], [], dora(CLIENT, "10.0.0.50", 10, "01")));
  deepStrictEqual(report.leases, [{
    mac: CLIENT,
    ip: "10.0.0.50",
    hostname: "host-0a",
    lease_seconds: 3600,
    server: "10.0.0.2",
    relay: null,
    first_seen: at(10.01),
    last_seen: at(10.03),
    state: "bound",
    renewals: 0,
  }]);
  deepStrictEqual(report.pools, [{
    subnet: "10.0.0.0/24",
    servers: ["10.0.0.2"],
    relays: [],
    addresses: ["10.0.0.50"],
    leased: 1,
  }]);
  deepStrictEqual(report.ip_history[CLIENT].map((entry) => entry.ip), ["10.0.0.50"]);
  deepStrictEqual(report.conflicts, []);
  deepStrictEqual(report.rogue_servers, []);
});

Deno.test("trackDhcp counts a renewal (unicast REQUEST with ciaddr, ACK) and a release", () => {
  const events = [
    ...dora(CLIENT, "10.0.0.50", 10, "01"),
    fromClient("request", 1800, { xid: "02", client_ip: "10.0.0.50" }),
    fromServer("ack", 1800.01, {
      xid: "02",
      client_ip: "10.0.0.50",
      your_ip: "10.0.0.50",
      lease_seconds: 7200,
    }),
  ];
  const [renewed] = trackDhcp(handMade([], [], events)).leases;
  strictEqual(renewed.state, "bound");
  strictEqual(renewed.renewals, 1);
  strictEqual(renewed.lease_seconds, 7200);
  strictEqual(renewed.last_seen, at(1800.01));
  const released = trackDhcp(handMade([], [], [
    ...events,
    fromClient("release", 2000, { xid: "03", client_ip: "10.0.0.50" }),
  ])).leases[0];
  strictEqual(released.state, "released");
  deepStrictEqual(trackDhcp(handMade([], [], [...events])).pools[0].addresses, ["10.0.0.50"]);
});

Deno.test("trackDhcp keeps the IP history when a client's address changes between two leases", () => {
  const report = trackDhcp(handMade([], [], [
    ...dora(CLIENT, "10.0.0.50", 10, "01"),
    fromClient("release", 100, { xid: "02", client_ip: "10.0.0.50" }),
    ...dora(CLIENT, "10.0.0.77", 200, "03"),
  ]));
  deepStrictEqual(report.leases.map((lease) => [lease.ip, lease.state]), [
    ["10.0.0.50", "released"],
    ["10.0.0.77", "bound"],
  ]);
  deepStrictEqual(report.ip_history[CLIENT].map(({ ip, from }) => [ip, from]), [
    ["10.0.0.50", at(10.01)],
    ["10.0.0.77", at(200.01)],
  ]);
  deepStrictEqual(report.pools[0].addresses, ["10.0.0.77"]);
});

Deno.test("trackDhcp marks NAK (through the REQUEST's xid) and DECLINE", () => {
  const report = trackDhcp(handMade([], [], [
    fromClient("request", 5, { xid: "aa", requested_ip: "192.168.1.9" }),
    fromServer("nak", 5.01, { xid: "aa" }),
    fromClient("decline", 6, { xid: "bb", requested_ip: "10.0.0.51" }),
  ]));
  deepStrictEqual(report.leases.map((lease) => [lease.ip, lease.state]), [
    ["192.168.1.9", "nak"],
    ["10.0.0.51", "declined"],
  ]);
});

Deno.test("trackDhcp reports one IP claimed by two MACs within the window (DHCP and ARP)", () => {
  const devices = [
    device(CLIENT, { ips: [["10.0.0.50", ["arp", "traffic"], at(10), at(400)]] }),
    device(OTHER, { ips: [["10.0.0.50", ["arp"], at(500), at(600)]] }),
  ];
  const doc = handMade(devices, [], dora(CLIENT, "10.0.0.50", 10, "01"));
  const [conflict, ...rest] = trackDhcp(doc).conflicts;
  deepStrictEqual(rest, []);
  strictEqual(conflict.ip, "10.0.0.50");
  deepStrictEqual(conflict.macs, [CLIENT, OTHER]);
  strictEqual(conflict.detected_at, at(500));
  ok(conflict.evidence.includes(`${CLIENT}: dhcp ${at(10.01)} → ${at(10.03)}`), conflict.evidence.join("\n"));
  ok(conflict.evidence.includes(`${OTHER}: arp ${at(500)} → ${at(600)}`), conflict.evidence.join("\n"));
  // Outside the window, or after the first MAC released the address: a reassignment, not a conflict.
  deepStrictEqual(trackDhcp(doc, { conflictWindowSeconds: 60 }).conflicts, []);
  const released = handMade(devices, [], [
    ...dora(CLIENT, "10.0.0.50", 10, "01"),
    fromClient("release", 450, { xid: "02", client_ip: "10.0.0.50" }),
  ]);
  deepStrictEqual(trackDhcp(released).conflicts.filter((found) => found.macs[1] === OTHER), []);
});

Deno.test("trackDhcp lists both servers of a subnet when no allow-list is configured", () => {
  const events = [...dora(CLIENT, "10.0.0.50", 10, "01"), ...dora(OTHER, "10.0.0.200", 20, "02", ROGUE)];
  const rogues = trackDhcp(handMade([], [], events)).rogue_servers;
  deepStrictEqual(rogues.map(({ server, mac, subnets, messages }) => ({ server, mac, subnets, messages })), [
    { server: "10.0.0.2", mac: SERVER.mac, subnets: ["10.0.0.0/24"], messages: 2 },
    { server: "10.0.0.66", mac: ROGUE.mac, subnets: ["10.0.0.0/24"], messages: 2 },
  ]);
  for (const rogue of rogues) {
    strictEqual(
      rogue.reason,
      "2 DHCP servers answer in 10.0.0.0/24 (10.0.0.2, 10.0.0.66) and no allow-list is configured",
    );
  }
  const allowed = trackDhcp(handMade([], [], events), { allowedServers: ["10.0.0.2"] }).rogue_servers;
  deepStrictEqual(allowed.map((rogue) => [rogue.server, rogue.reason]), [
    ["10.0.0.66", "sent DHCP OFFER/ACK but is not an allowed server (10.0.0.2)"],
  ]);
  deepStrictEqual(
    trackDhcp(handMade([], [], events), { allowedServers: ["10.0.0.2", "10.0.0.66"] }).rogue_servers,
    [],
  );
});

Deno.test("trackDhcp on the plant sample: the two office DORAs, one server, no conflict", async () => {
  const report = trackDhcp(await plantDocument());
  const office = PLANT_HOSTS.filter((host) => host.hostnameSource === "dhcp");
  deepStrictEqual(
    report.leases.map(({ mac, ip, hostname, server, state }) => ({ mac, ip, hostname, server, state })),
    office.map((host) => ({
      mac: host.mac,
      ip: host.ip,
      hostname: host.hostname,
      server: "10.10.10.2",
      state: "bound",
    })),
  );
  deepStrictEqual(report.pools.map((pool) => [pool.subnet, pool.servers, pool.leased]), [
    ["10.10.10.0/24", ["10.10.10.2"], 2],
  ]);
  for (const host of office) deepStrictEqual(report.ip_history[host.mac][0].sources, ["dhcp", "arp"]);
  deepStrictEqual(report.conflicts, []);
  deepStrictEqual(report.rogue_servers, []);
});

Deno.test({
  name:
    `trackDhcp on real captures: a relayed renewal, a NAK then a new lease, an INFORM${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const relayed = trackDhcp(await documentOfCapture(sharedCapture("dhcp_mud_hostname_raspberrypi.pcap")));
    deepStrictEqual(
      relayed.leases.map(({ mac, ip, hostname, relay, state, renewals }) => ({
        mac,
        ip,
        hostname,
        relay,
        state,
        renewals,
      })),
      [{
        mac: "b8:27:eb:b8:53:c8",
        ip: "62.12.173.123",
        hostname: "raspberrypi",
        relay: "62.12.173.121",
        state: "bound",
        renewals: 1,
      }],
    );
    strictEqual(relayed.pools[0].subnet, "62.12.173.120/29");
    const zeek = trackDhcp(await documentOfCapture(sharedCapture("dhcp_zeek_dhcp.pcap")));
    deepStrictEqual(zeek.leases.map((lease) => [lease.ip, lease.state]), [
      ["128.2.6.97", "offered"],
      ["192.168.211.194", "nak"],
      ["128.2.6.189", "bound"],
    ]);
    const inform = trackDhcp(await documentOfCapture(sharedCapture("dhcp_zeek_dhcp_inform.pcap")));
    deepStrictEqual(inform.leases, [], "an ACK to an INFORM is not a lease");
  },
});
