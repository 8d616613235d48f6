/**
 * The map routes over a real database (PostgreSQL and PGlite) filled from real captures, with
 * tshark as the oracle: every unicast IP conversation (`-z conv,ip`) is a device-level edge with
 * its packet count, every LLDP/CDP announcement an L2 link with its chassis and port; the matrix
 * adds up to the flows; zones are created, changed and deleted by admins only, each change audited;
 * a snapshot diff lists exactly what a second import added and what a user changed.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { flushRecordsOf, type ScratchDatabase, testOnDrivers } from "../storage/_testing.ts";
import { Persistence } from "../storage/persistence.ts";
import { SHARED_PCAPS, SHARED_PCAPS_DIR } from "../tests/shared_pcaps.ts";
import { TSHARK, tshark } from "../tests/tshark_fields.ts";
import type { Topology } from "../storage/read/topology.ts";
import type { L2Topology } from "../storage/read/l2_topology.ts";
import type { Matrix } from "../storage/read/topology_matrix.ts";
import type { SnapshotDiff } from "../storage/read/snapshots.ts";
import { scheduleSnapshots } from "../storage/read/snapshots_schedule.ts";
import { harness, importCaptures, json, status } from "./_testing.ts";

/** Captures of local hosts, hosts talking to remote servers, L2 announcements of every kind, VLANs. */
const CAPTURES = [
  "modbus_tcp_test_data_part1.pcap",
  "s7comm_reading_plc_status.pcap",
  "vlan_8021q_and_double_tag_cdp.pcap",
  "lldp_cdp_cisco.pcap",
  "cdp_cisco3560.pcap",
  "stp_rstp_8021w.pcap",
  "profinet_dcp_identify.pcap",
  "arp_request_reply.pcap",
  "tls_clienthello_sni_chrome.pcap",
  "ipv6_tcp_smtp.pcap",
  "mqtt_connect_pubsub.pcap",
];
const L2_CAPTURES = ["vlan_8021q_and_double_tag_cdp.pcap", "lldp_cdp_cisco.pcap", "cdp_cisco3560.pcap"];

const ignore = SHARED_PCAPS.skip || TSHARK.skip;

/** Imports captures as heard by sensor `sensor` (one segment per sensor and VLAN). */
async function importAs(scratch: ScratchDatabase, sensor: string, captures: string[]): Promise<void> {
  const persistence = new Persistence(scratch.db);
  const boot = crypto.randomUUID();
  let seq = 0;
  for (const name of captures) {
    for (const record of await flushRecordsOf(join(SHARED_PCAPS_DIR, name))) {
      await persistence.apply({ sensor, boot, seq: seq++, record });
    }
  }
}

function isGroupAddress(address: string): boolean {
  if (address.includes(":")) return address.toLowerCase().startsWith("ff");
  const first = Number(address.split(".")[0]);
  return address === "255.255.255.255" || (first >= 224 && first <= 239);
}

/** tshark's unicast IPv4/IPv6 conversations of the captures: [a, b, total frames]. */
async function conversations(): Promise<[string, string, number][]> {
  const out: [string, string, number][] = [];
  for (const name of CAPTURES) {
    for (const kind of name.includes("ipv6") ? ["ip", "ipv6"] : ["ip"]) {
      const text = await tshark(["-r", join(SHARED_PCAPS_DIR, name), "-q", "-z", `conv,${kind}`]);
      for (const line of text.split("\n")) {
        const match = /^(\S+)\s+<->\s+(\S+)\s+\d+\s+\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+(\d+)\s/.exec(line);
        if (match && !isGroupAddress(match[1]) && !isGroupAddress(match[2])) {
          out.push([match[1], match[2], Number(match[3])]);
        }
      }
    }
  }
  return out;
}

/** tshark's LLDP and CDP announcements: "protocol|chassis|port". */
async function announcements(): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const name of L2_CAPTURES) {
    const path = join(SHARED_PCAPS_DIR, name);
    const lldp = await tshark([
      "-r",
      path,
      "-Y",
      "lldp",
      "-T",
      "fields",
      "-e",
      "lldp.chassis.id.mac",
      "-e",
      "lldp.chassis.id",
      "-e",
      "lldp.port.id",
    ]);
    for (const line of lldp.split("\n").filter((l) => l !== "")) {
      const [mac, chassis, port] = line.split("\t");
      seen.add(`lldp|${mac || chassis}|${port}`);
    }
    const cdp = await tshark([
      "-r",
      path,
      "-Y",
      "cdp",
      "-T",
      "fields",
      "-e",
      "cdp.deviceid",
      "-e",
      "cdp.portid",
    ]);
    for (const line of cdp.split("\n").filter((l) => l !== "")) {
      const [device, port] = line.split("\t");
      seen.add(`cdp|${device}|${port}`);
    }
  }
  return seen;
}

if (!ignore) {
  testOnDrivers("map API /api/v1/topology, /zones", async (t, scratch) => {
    await importCaptures(scratch, CAPTURES);
    const h = await harness(scratch);
    const viewer = h.as.viewer.cookie;
    const get = async <T>(path: string) => await json<T>(await h.request("GET", path, { cookie: viewer }));

    await t.step("every unicast IP conversation tshark lists is a device edge with its packets", async () => {
      const topology = await get<Topology>("/topology?level=device&limit=5000");
      strictEqual(topology.aggregated, false);
      const nodeOf = new Map<string, string>();
      for (const node of topology.nodes) for (const ip of node.ips) nodeOf.set(ip, node.id);
      const expected = new Map<string, number>();
      const conversationsHeard = await conversations();
      ok(conversationsHeard.length >= 9, `tshark lists conversations (${conversationsHeard.length})`);
      for (const [a, b, frames] of conversationsHeard) {
        const [na, nb] = [nodeOf.get(a), nodeOf.get(b)];
        ok(na && nb, `${a} and ${b} are nodes`);
        if (na === nb) continue;
        const key = [na, nb].sort().join(" ");
        expected.set(key, (expected.get(key) ?? 0) + frames);
      }
      const ipEdges = new Map<string, number>();
      for (const edge of topology.edges) {
        if (!edge.protocols.some((p) => !["arp", "lldp", "llc", "profinet"].includes(p))) continue;
        ipEdges.set(`${edge.source} ${edge.target}`, edge.packets);
        strictEqual(edge.source < edge.target, true);
        strictEqual(
          edge.source_to_target.packets + edge.target_to_source.packets,
          edge.packets,
          "directions add up",
        );
      }
      deepStrictEqual(ipEdges, expected);
    });

    await t.step("broadcasts are not edges; routed hosts are external nodes; GraphML", async () => {
      // One remote server behind the router: only its addresses tell it is a gateway; say it is one.
      await scratch.db.query("UPDATE devices SET is_gateway = true WHERE mac_address = '00:26:88:e7:8d:81'");
      const topology = await get<Topology>("/topology?limit=5000");
      await scratch.db.query("UPDATE devices SET is_gateway = false WHERE mac_address = '00:26:88:e7:8d:81'");
      const remote = topology.nodes.find((node) => node.id === "ip:74.125.239.152")!;
      deepStrictEqual([remote.type, remote.label, remote.devices], ["external", "74.125.239.152", 0]);
      const local = topology.nodes.find((node) => node.ips.includes("192.168.4.149"))!;
      ok(local.id.startsWith("d:"), "the local host is its device");
      ok(topology.edges.some((edge) => edge.source === local.id && edge.target === remote.id));
      for (const edge of topology.edges) {
        ok(!edge.target.startsWith("ip:255.") && !edge.target.includes("ff:ff:ff:ff:ff:ff"), edge.target);
      }
      const answer = await h.request("GET", "/topology?format=graphml", { cookie: viewer });
      strictEqual(answer.headers.get("content-type"), "application/graphml+xml; charset=utf-8");
      const xml = await answer.text();
      ok(xml.startsWith('<?xml version="1.0"'));
      strictEqual(xml.match(/<node /g)?.length, topology.nodes.length);
      strictEqual(xml.match(/<edge /g)?.length, topology.edges.length);
    });

    await t.step("filters: protocol and VLAN narrow the graph", async () => {
      const modbus = await get<Topology>("/topology?protocol=modbus");
      ok(modbus.edges.length >= 2);
      for (const edge of modbus.edges) deepStrictEqual(edge.protocols, ["modbus"]);
      const vlan = await get<Topology>("/topology?vlan=10");
      ok(vlan.edges.length >= 1 && vlan.edges.length < modbus.edges.length + 10);
      const none = await get<Topology>("/topology?to=2000-01-01T00:00:00Z");
      deepStrictEqual([none.nodes.length, none.edges.length], [0, 0]);
    });

    await t.step(
      "above the node limit the device level is answered by subnet; expand opens one",
      async () => {
        const aggregated = await get<Topology>("/topology?level=device&limit=10");
        strictEqual(aggregated.aggregated, true);
        strictEqual(aggregated.level, "subnet");
        const subnet = aggregated.nodes.find((node) => node.id === "subnet:10.0.0.0/24");
        ok(subnet && subnet.devices >= 3, "the Modbus subnet is one node");
        const opened = await get<Topology>("/topology?level=device&limit=10&expand=10.0.0.0/24");
        strictEqual(opened.expanded, "subnet:10.0.0.0/24");
        ok(opened.nodes.some((node) => node.ips.includes("10.0.0.57")));
        ok(!opened.nodes.some((node) => node.id === "subnet:10.0.0.0/24"));
      },
    );

    await t.step("positions: operators save them, every user gets them back in the nodes", async () => {
      const body = { positions: [{ id: "subnet:10.0.0.0/24", x: 12.5, y: -40 }] };
      strictEqual(await status(await h.request("PUT", "/topology/positions", { cookie: viewer, body })), 403);
      deepStrictEqual(
        await json(await h.request("PUT", "/topology/positions", { cookie: h.as.operator.cookie, body })),
        { saved: 1 },
      );
      const topology = await get<Topology>("/topology?level=subnet");
      const node = topology.nodes.find((node) => node.id === "subnet:10.0.0.0/24")!;
      deepStrictEqual([node.x, node.y], [12.5, -40]);
    });

    await t.step(
      "every LLDP/CDP announcement tshark decodes is an L2 link with its chassis and port",
      async () => {
        const l2 = await get<L2Topology>("/topology/l2");
        const links = new Set(l2.links.map((link) => `${link.protocol}|${link.chassis_id}|${link.port_id}`));
        deepStrictEqual(links, await announcements());
        const s1 = l2.links.find((link) => link.chassis_id === "S1" && link.port_id === "FastEthernet0/13")!;
        strictEqual(s1.native_vlan, 1);
        ok(s1.evidence.count >= 1 && s1.evidence.first_heard <= s1.evidence.last_heard);
        const r1 = l2.links.find((link) => link.chassis_id === "R1")!;
        deepStrictEqual([r1.management_address, r1.heard_on_vlan], ["10.118.10.1", 118]);
        ok(l2.switches.some((s) => s.name === "S1" || s.ports.some((p) => p.port_id === "Fa0/13")));
        const root = l2.stp.ports.find((port) => port.is_root_bridge)!;
        deepStrictEqual([root.bridge_id, root.port_role], ["32768.1.00:19:06:ea:b8:80", "designated"]);
        ok(l2.stp.roots.includes("32768.1.00:19:06:ea:b8:80"));
        ok(l2.switches.some((s) => s.is_stp_root));
        ok(l2.end_devices.some((device) => device.protocols.includes("profinet_dcp")));
      },
    );

    await t.step("the matrix adds up to the unicast flows, by every grouping", async () => {
      const [flows] = await scratch.db.query<{ n: number; bytes: number }>(
        `SELECT count(*)::float8 AS n, sum(byte_count)::float8 AS bytes FROM traffic_flows f
         WHERE NOT ((f.dst_mac IS NOT NULL AND position(substr(f.dst_mac::text, 2, 1) in '13579bdf') > 0)
           OR f.dst_ip <<= '224.0.0.0/4' OR f.dst_ip = '255.255.255.255' OR f.dst_ip <<= 'ff00::/8')`,
      );
      for (const by of ["vlan", "subnet", "zone", "purdue"]) {
        const matrix = await get<Matrix>(`/topology/matrix?by=${by}`);
        deepStrictEqual([matrix.totals.flows, matrix.totals.bytes], [flows.n, flows.bytes], by);
        strictEqual(matrix.cells.reduce((sum, cell) => sum + cell.bytes, 0), flows.bytes, by);
      }
      const purdue = await get<Matrix>("/topology/matrix?by=purdue");
      ok(purdue.groups.includes("purdue:1"), "the PLCs are level 1");
    });

    await t.step("zones: admins name them (audited), the topology and conduits use them", async () => {
      const admin = h.as.admin.cookie;
      const body = { name: "Modbus cell", subnet: "10.0.0.0/24", purdue_level: 1 };
      strictEqual(
        await status(await h.request("POST", "/zones", { cookie: h.as.operator.cookie, body })),
        403,
      );
      const zone = await json<{ id: number; node_id: string; subnet: string }>(
        await h.request("POST", "/zones", { cookie: admin, body }),
        201,
      );
      strictEqual(zone.subnet, "10.0.0.0/24");
      strictEqual(await status(await h.request("POST", "/zones", { cookie: admin, body })), 409);
      const topology = await get<Topology>("/topology?level=zone");
      const node = topology.nodes.find((node) => node.id === zone.node_id)!;
      strictEqual(node.label, "Modbus cell");
      ok(node.devices >= 3);
      const renamed = await json<{ name: string }>(
        await h.request("PATCH", `/zones/${zone.id}`, { cookie: admin, body: { name: "Cell 1" } }),
      );
      strictEqual(renamed.name, "Cell 1");
      const zones = await get<{ items: { name: string }[]; defaults: { node_id: string }[] }>("/zones");
      deepStrictEqual(zones.items.map((z) => z.name), ["Cell 1"]);
      ok(!zones.defaults.some((d) => d.node_id === "subnet:10.0.0.0/24"));
      const conduits = await get<{ items: { source: string; target: string }[] }>("/zones/conduits");
      for (const conduit of conduits.items) ok(conduit.source !== conduit.target);
      strictEqual(await status(await h.request("DELETE", `/zones/${zone.id}`, { cookie: admin })), 204);
      strictEqual(await status(await h.request("DELETE", `/zones/${zone.id}`, { cookie: admin })), 404);
      const audit = await scratch.db.query<{ action: string; before: unknown; after: unknown }>(
        "SELECT action, before, after FROM audit_log WHERE action LIKE 'zone.%' ORDER BY id",
      );
      deepStrictEqual(audit.map((row) => row.action), ["zone.create", "zone.update", "zone.delete"]);
      deepStrictEqual((audit[1].before as { name: string }).name, "Modbus cell");
      deepStrictEqual((audit[1].after as { name: string }).name, "Cell 1");
    });

    await t.step("one switch port on a segment places the stations heard there; two are a link", async () => {
      const before = await get<L2Topology>("/topology/l2");
      deepStrictEqual(before.peers, [], "one sensor hearing many switch ports places nothing");
      ok(before.end_devices.every((device) => device.behind === null));
      await importAs(scratch, "tap/uplink", ["lldp_cdp_cisco.pcap"]);
      await importAs(scratch, "tap/cell", ["cdp_cisco3560.pcap", "profinet_dcp_identify.pcap"]);
      const l2 = await get<L2Topology>("/topology/l2");
      const ends = l2.peers.map((
        peer,
      ) => [peer.a.chassis_id, peer.a.port_id, peer.b.chassis_id, peer.b.port_id]);
      deepStrictEqual(ends, [["00:18:ba:98:68:8f", "Fa0/13", "00:19:2f:a7:b2:8d", "Uplink to S1"]]);
      const stations = l2.end_devices.filter((device) => device.protocols.includes("profinet_dcp"));
      ok(stations.length >= 5);
      for (const station of stations) deepStrictEqual(station.behind?.port_id, "GigabitEthernet0/5");
    });

    await t.step(
      "snapshots: the diff lists exactly the devices and paths B added and what changed",
      async () => {
        await scratch.reset();
        const h2 = await harness(scratch);
        const operator = h2.as.operator.cookie;
        const seen = async () => {
          const devices = await json<{ items: { mac_address: string }[] }>(
            await h2.request("GET", "/devices?page_size=500", { cookie: operator }),
          );
          const topology = await json<Topology>(
            await h2.request("GET", "/topology?limit=5000", { cookie: operator }),
          );
          const mac = new Map(topology.nodes.map((node) => [node.id, node.mac_address ?? node.id]));
          return {
            devices: new Set(devices.items.map((device) => device.mac_address)),
            paths: new Set(
              topology.edges.map((edge) => [mac.get(edge.source), mac.get(edge.target)].sort().join(" ")),
            ),
          };
        };
        const snapshot = async () =>
          (await json<{ id: number }>(await h2.request("POST", "/snapshots", { cookie: operator }), 201)).id;
        await importCaptures(scratch, ["modbus_tcp_test_data_part1.pcap"]);
        const a = await snapshot();
        const before = await seen();
        await importCaptures(scratch, ["s7comm_reading_plc_status.pcap", "lldp_cdp_cisco.pcap"]);
        const [{ id, mac }] = await scratch.db.query<{ id: number; mac: string }>(
          "SELECT id::int AS id, mac_address::text AS mac FROM devices ORDER BY id LIMIT 1",
        );
        await json(
          await h2.request("PATCH", `/devices/${id}`, { cookie: operator, body: { device_name: "pump-1" } }),
        );
        const b = await snapshot();
        const after = await seen();
        const diff = await json<SnapshotDiff>(
          await h2.request("GET", `/snapshots/${a}/diff/${b}`, { cookie: operator }),
        );
        deepStrictEqual(
          new Set(diff.devices.added.map((device) => device.mac_address)),
          new Set([...after.devices].filter((mac) => !before.devices.has(mac))),
        );
        ok(diff.devices.added.length >= 3);
        deepStrictEqual(diff.devices.removed, []);
        deepStrictEqual(
          new Set(diff.paths.added.map((path) => `${path.a} ${path.b}`)),
          new Set([...after.paths].filter((path) => !before.paths.has(path))),
        );
        ok(diff.paths.added.length >= 1);
        deepStrictEqual(diff.paths.removed, []);
        const named = diff.devices.changed.find((device) => device.mac_address === mac)!;
        deepStrictEqual(named.changes.find((change) => change.field === "name")?.after, "pump-1");
        const back = await json<SnapshotDiff>(
          await h2.request("GET", `/snapshots/${b}/diff/${a}`, { cookie: operator }),
        );
        strictEqual(back.devices.removed.length, diff.devices.added.length);
        strictEqual(back.paths.removed.length, diff.paths.added.length);
        const csv =
          await (await h2.request("GET", `/snapshots/${a}/diff/${b}?format=csv`, { cookie: operator }))
            .text();
        strictEqual(
          csv.split("\r\n").filter((line) => line.startsWith("added,device,")).length,
          diff.devices.added.length,
        );
        const list = await json<{ items: { id: number }[] }>(
          await h2.request("GET", "/snapshots", { cookie: operator }),
        );
        deepStrictEqual(list.items.map((item) => item.id), [b, a]);
        strictEqual(
          await status(await h2.request("GET", `/snapshots/${a}/diff/999999`, { cookie: operator })),
          404,
        );
        strictEqual(
          await status(await h2.request("POST", "/snapshots", { cookie: h2.as.viewer.cookie })),
          403,
        );
        const waiting = scheduleSnapshots(scratch.db, { firstAfterMs: 60_000 });
        const early = await Promise.race([
          waiting.first,
          new Promise((resolve) => setTimeout(resolve, 300, "waits")),
        ]);
        strictEqual(early, "waits", "firstAfterMs: no check before it");
        waiting.stop();
        strictEqual(
          (await scratch.db.query("SELECT 1 FROM inventory_snapshots WHERE reason = 'daily'")).length,
          0,
        );
        const schedule = scheduleSnapshots(scratch.db);
        strictEqual((await schedule.first)?.reason, "daily", "no daily snapshot yet: one is taken");
        schedule.stop();
        const again = scheduleSnapshots(scratch.db);
        strictEqual(await again.first, null, "taken less than 24 h ago: not due");
        again.stop();
      },
    );
  });
} else {
  Deno.test({ name: "map API (needs the shared captures and tshark)", ignore: true, fn() {} });
}
