/**
 * Steps of web/api_test.ts: the DHCP routes on the imported DHCP captures (four servers: one on
 * the link, one behind a relay, one answering an INFORM), checked against tshark's reading of the
 * same files — servers, their OFFER/ACK counts and MACs, subnets, routers, address ranges — and the
 * conflict kinds and reservation suggestions against what the captures (and a few stored rows
 * added for a two-MAC clash) show.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import type { ScratchDatabase } from "../storage/_testing.ts";
import type { DhcpConflict } from "../storage/read/dhcp_conflicts.ts";
import type { ReservationSuggestion } from "../storage/read/dhcp_reservations.ts";
import type { DhcpPoolSummary, DhcpServer } from "../storage/read/dhcp_servers.ts";
import type { Page } from "../storage/read/sql.ts";
import { SHARED_PCAPS_DIR } from "../tests/shared_pcaps.ts";
import { TSHARK, tsharkFields } from "../tests/tshark_fields.ts";
import { createWebApp } from "./app.ts";
import { CAPTURES, type Harness, json, ORIGIN } from "./_testing.ts";

/** a.b.c.d/len of an address and a dotted mask (/24 without one), computed here independently. */
function subnetOf(ip: string, mask?: string): string {
  const value = (text: string) => text.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const bits = mask ? value(mask).toString(2).replace(/0+$/, "").length : 24;
  const network = value(ip) - (value(ip) % 2 ** (32 - bits));
  return `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join(".")}/${bits}`;
}

interface Answer {
  type: number;
  time: number;
  ethSrc: string;
  ipSrc: string;
  server: string;
  yiaddr: string;
  ciaddr: string;
  giaddr: string;
  mask?: string;
  router?: string;
}

/** Every OFFER (2) and ACK (5) of the imported captures, as tshark reads them. */
async function tsharkAnswers(): Promise<Answer[]> {
  const fields = [
    "dhcp.option.dhcp",
    "frame.time_epoch",
    "eth.src",
    "ip.src",
    "dhcp.option.dhcp_server_id",
    "dhcp.ip.your",
    "dhcp.ip.client",
    "dhcp.ip.relay",
    "dhcp.option.subnet_mask",
    "dhcp.option.router",
  ];
  const answers: Answer[] = [];
  for (const name of CAPTURES) {
    const rows = await tsharkFields(
      join(SHARED_PCAPS_DIR, name),
      fields,
      "dhcp.option.dhcp == 2 || dhcp.option.dhcp == 5",
    );
    for (
      const [[type], [time], [ethSrc], [ipSrc], [server], [yiaddr], [ciaddr], [giaddr], [mask], router]
        of rows
    ) {
      answers.push({
        type: Number(type),
        time: Number(time),
        ethSrc,
        ipSrc,
        server: server ?? ipSrc,
        yiaddr,
        ciaddr,
        giaddr,
        mask,
        router: router[0],
      });
    }
  }
  return answers;
}

const ms = (seconds: number) => new Date(Math.floor(seconds * 1e6) / 1e3).toISOString();

/** The DHCP steps. */
export async function dhcpSteps(t: Deno.TestContext, h: Harness, scratch: ScratchDatabase): Promise<void> {
  const cookie = h.as.viewer.cookie;
  const answers = TSHARK.skip ? [] : await tsharkAnswers();

  await t.step({
    name: `dhcp/servers: every server tshark sees answering, with its counts, MAC and subnets${TSHARK.note}`,
    ignore: TSHARK.skip,
    fn: async () => {
      const expected = new Map<string, Omit<DhcpServer, "device_id" | "leases" | "rogue" | "reason">>();
      for (const a of answers) {
        const server = expected.get(a.server) ?? {
          server: a.server,
          mac: null,
          subnets: [],
          offers: 0,
          acks: 0,
          first_seen: ms(a.time),
          last_seen: ms(a.time),
        };
        if (a.ipSrc === a.server && a.giaddr === "0.0.0.0") server.mac = a.ethSrc;
        const leased = [a.yiaddr, a.ciaddr, a.giaddr].find((ip) => ip !== "0.0.0.0");
        const subnet = leased === undefined ? undefined : subnetOf(leased, a.mask);
        if (subnet && !server.subnets.includes(subnet)) server.subnets = [...server.subnets, subnet].sort();
        if (a.type === 2) server.offers++;
        else server.acks++;
        if (ms(a.time) < server.first_seen) server.first_seen = ms(a.time);
        if (ms(a.time) > server.last_seen) server.last_seen = ms(a.time);
        expected.set(a.server, server);
      }
      ok(expected.size >= 3, "the captures have several servers");
      const body = await json<{ allowed: string[]; items: DhcpServer[] }>(
        await h.request("GET", "/dhcp/servers", { cookie }),
      );
      deepStrictEqual(body.allowed, []);
      deepStrictEqual(
        body.items.map(({ device_id: _d, leases: _l, rogue: _r, reason: _why, ...rest }) => rest)
          .sort((a, b) => a.server.localeCompare(b.server)),
        [...expected.values()].sort((a, b) => a.server.localeCompare(b.server)),
      );
      for (const server of body.items) {
        strictEqual(server.rogue, false, `one server per subnet and no allow-list: ${server.server}`);
        const [{ n }] = await scratch.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM dhcp_leases WHERE server_ip = $1::inet",
          [server.server],
        );
        strictEqual(server.leases, n);
        if (server.mac !== null) {
          const [device] = await scratch.db.query<{ id: number }>(
            "SELECT id::int AS id FROM devices WHERE mac_address = $1::macaddr",
            [server.mac],
          );
          strictEqual(server.device_id, device?.id ?? null);
        }
      }
    },
  });

  await t.step("dhcp/servers: with allowed_dhcp_servers set, every other server is rogue", async () => {
    const allowed = ["128.2.6.152"];
    const app = createWebApp({ ...h.deps, allowedDhcpServers: allowed });
    const answer = await app.fetch(
      new Request(`${ORIGIN}/api/v1/dhcp/servers`, { headers: { cookie, origin: ORIGIN } }),
      { remoteAddr: { hostname: "192.0.2.10" } },
    );
    const body = await json<{ allowed: string[]; items: DhcpServer[] }>(answer);
    deepStrictEqual(body.allowed, allowed);
    ok(body.items.length >= 3);
    for (const server of body.items) {
      strictEqual(server.rogue, !allowed.includes(server.server), server.server);
      if (server.rogue) ok(server.reason?.includes("not an allowed server"), server.reason ?? "");
      else strictEqual(server.reason, null);
    }
  });

  await t.step({
    name: `dhcp/pools: the subnets, servers, routers and address ranges tshark reads${TSHARK.note}`,
    ignore: TSHARK.skip,
    fn: async () => {
      const expected = new Map<string, { servers: Set<string>; routers: Set<string>; ips: Set<string> }>();
      for (const a of answers.filter((a) => a.yiaddr !== "0.0.0.0")) {
        const subnet = subnetOf(a.yiaddr, a.mask);
        const pool = expected.get(subnet) ?? { servers: new Set(), routers: new Set(), ips: new Set() };
        pool.servers.add(a.server);
        if (a.router) pool.routers.add(a.router);
        pool.ips.add(a.yiaddr);
        expected.set(subnet, pool);
      }
      const pools =
        (await json<{ items: DhcpPoolSummary[] }>(await h.request("GET", "/dhcp/pools", { cookie })))
          .items;
      const order = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
      deepStrictEqual(
        pools.map((p) => [p.subnet, p.servers, p.routers, p.range_start, p.range_end, p.capacity]),
        [...expected].sort(([a], [b]) => a.localeCompare(b)).map(([subnet, pool]) => {
          const ips = [...pool.ips].sort((a, b) => order(a) - order(b));
          return [
            subnet,
            [...pool.servers].sort(),
            [...pool.routers].sort(),
            ips[0],
            ips.at(-1),
            2 ** (32 - Number(subnet.split("/")[1])) - 2,
          ];
        }),
      );
      for (const pool of pools) {
        ok(pool.leased <= pool.lease_count && pool.leased >= 1, pool.subnet);
        strictEqual(pool.utilisation, pool.leased / pool.capacity);
      }
    },
  });

  await t.step({
    name:
      `dhcp/conflicts: a PLC sending from two addresses (as tshark sees it) needs a static one${TSHARK.note}`,
    ignore: TSHARK.skip,
    fn: async () => {
      const page = await json<Page<DhcpConflict>>(
        await h.request("GET", "/dhcp/conflicts?kind=several_ips_static", { cookie }),
      );
      ok(page.items.length >= 1);
      for (const conflict of page.items) {
        const [mac] = conflict.macs;
        const sources = new Set<string>();
        for (const name of CAPTURES) {
          const rows = await tsharkFields(
            join(SHARED_PCAPS_DIR, name),
            ["ip.src"],
            `eth.src == ${mac} && ip`,
          );
          for (const [[ip]] of rows) if (!ip.startsWith("169.254.") && ip !== "0.0.0.0") sources.add(ip);
        }
        ok(sources.size >= 2, `${mac} sends from ${[...sources].join(", ")}`);
        const listed = conflict.evidence.filter((line) => /^\d/.test(line)).map((line) => line.split(" ")[0]);
        deepStrictEqual(new Set(listed), sources);
        const [{ leases }] = await scratch.db.query<{ leases: number }>(
          "SELECT count(*)::int AS leases FROM dhcp_leases WHERE client_mac = $1::macaddr",
          [mac],
        );
        ok(leases === 0 || conflict.evidence.at(-1)!.startsWith("OT device"));
      }
    },
  });

  await t.step(
    "dhcp/conflicts: two MACs holding one address at once, a DECLINE; not a later reuse",
    async () => {
      const intruder = "02:00:00:00:00:99";
      const [lease] = await scratch.db.query<{ ip: string; mac: string; last: string }>(
        `SELECT host(ip_address) AS ip, client_mac::text AS mac, last_seen::text AS last FROM dhcp_leases
        WHERE state = 'bound' AND lease_seconds IS NOT NULL ORDER BY ip_address LIMIT 1`,
      );
      // Within the first client's lease time, then well after it.
      await scratch.db.query(
        `INSERT INTO dhcp_leases (client_mac, ip_address, server_ip, state, lease_seconds, first_seen, last_seen) VALUES
        ($1::macaddr, $2::inet, '198.51.100.1', 'bound', 60, $3::timestamptz + interval '30 seconds', $3::timestamptz + interval '40 seconds'),
        ($1::macaddr, '198.51.100.7', '198.51.100.1', 'bound', 60, $3::timestamptz, $3::timestamptz)`,
        [intruder, lease.ip, lease.last],
      );
      await scratch.db.query(
        `INSERT INTO dhcp_leases (client_mac, ip_address, server_ip, state, lease_seconds, first_seen, last_seen)
       VALUES ('02:00:00:00:00:98', '198.51.100.7', '198.51.100.1', 'bound', 60,
               $1::timestamptz + interval '2 days', $1::timestamptz + interval '2 days')`,
        [lease.last],
      );
      await scratch.db.query(
        `INSERT INTO protocol_events (time, last_seen, type, severity, source, fields)
       VALUES ($1::timestamptz, $1::timestamptz, 'dhcp.decline', 'info', 'dhcp',
               jsonb_build_object('client_mac', $2::text, 'requested_ip', $3::text))`,
        [lease.last, intruder, lease.ip],
      );
      try {
        const all = await json<Page<DhcpConflict>>(
          await h.request("GET", "/dhcp/conflicts?page_size=500", { cookie }),
        );
        const twice = all.items.filter((c) => c.kind === "ip_claimed_twice");
        deepStrictEqual(twice.map((c) => [c.ip, c.macs]), [[lease.ip, [lease.mac, intruder].sort()]]);
        ok(twice[0].evidence.length >= 2);
        const declined = all.items.filter((c) => c.kind === "duplicate_address");
        deepStrictEqual(declined.map((c) => [c.ip, c.macs]), [[lease.ip, [intruder]]]);
        strictEqual(all.total, all.items.length);
        const paged = await json<Page<DhcpConflict>>(
          await h.request("GET", "/dhcp/conflicts?page_size=1&page=2", { cookie }),
        );
        deepStrictEqual([paged.total, paged.items], [all.total, all.items.slice(1, 2)]);
      } finally {
        await scratch.db.query(
          "DELETE FROM dhcp_leases WHERE client_mac IN ('02:00:00:00:00:99', '02:00:00:00:00:98')",
        );
        await scratch.db.query(
          "DELETE FROM protocol_events WHERE type = 'dhcp.decline' AND fields->>'client_mac' = $1",
          [
            intruder,
          ],
        );
      }
    },
  );

  await t.step({
    name: `dhcp/reservations: clients that always got one address, as tshark's ACKs show${TSHARK.note}`,
    ignore: TSHARK.skip,
    fn: async () => {
      const page = await json<Page<ReservationSuggestion>>(
        await h.request("GET", "/dhcp/reservations", { cookie }),
      );
      ok(page.items.length >= 1);
      for (const suggestion of page.items) {
        const acked = new Set<string>();
        for (const name of CAPTURES) {
          const rows = await tsharkFields(
            join(SHARED_PCAPS_DIR, name),
            ["dhcp.ip.your"],
            `dhcp.option.dhcp == 5 && dhcp.hw.mac_addr == ${suggestion.mac_address}`,
          );
          for (const [[ip]] of rows) if (ip !== "0.0.0.0") acked.add(ip);
        }
        deepStrictEqual([...acked], [suggestion.ip_address], suggestion.mac_address);
        ok(suggestion.leases + suggestion.renewals >= 2);
      }
      const [changing] = await scratch.db.query<{ mac: string }>(
        "SELECT client_mac::text AS mac FROM dhcp_leases GROUP BY 1 HAVING count(DISTINCT ip_address) > 1",
      );
      ok(
        changing && !page.items.some((s) => s.mac_address === changing.mac),
        "a client that changed is not listed",
      );
    },
  });

  await t.step("dhcp routes refuse unknown parameters and kinds, naming them", async () => {
    for (
      const [path, field] of [
        ["/dhcp/pools?subnet=1", "subnet"],
        ["/dhcp/servers?rogue=1", "rogue"],
        ["/dhcp/conflicts?kind=arp%27--", "kind"],
        ["/dhcp/reservations?page=0", "page"],
      ]
    ) {
      const body = await json<{ error: { field: string } }>(await h.request("GET", path, { cookie }), 400);
      strictEqual(body.error.field, field, path);
    }
  });
}
