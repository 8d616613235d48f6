/**
 * Steps of web/api_test.ts: a device's flows and events, traffic per protocol, top talkers, OT
 * assets and DHCP leases, each checked against SQL on the same database.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ScratchDatabase } from "../storage/_testing.ts";
import type { Page } from "../storage/read/sql.ts";
import type { DeviceSummary, OtFields } from "../storage/read/devices.ts";
import type { FlowSummary } from "../storage/read/flows.ts";
import type { EventSummary } from "../storage/read/events.ts";
import type { Lease } from "../storage/read/dhcp.ts";
import type { ProtocolShare } from "../storage/read/stats.ts";
import type { BandwidthSeries } from "../storage/read/bandwidth.ts";
import { join } from "node:path";
import { SHARED_PCAPS_DIR } from "../tests/shared_pcaps.ts";
import { TSHARK, tsharkFields } from "../tests/tshark_fields.ts";
import { type Harness, json } from "./_testing.ts";

/** The insight steps. */
export async function insightSteps(t: Deno.TestContext, h: Harness, scratch: ScratchDatabase): Promise<void> {
  const cookie = h.as.viewer.cookie;
  const n = async (sql: string, params: unknown[] = []) =>
    (await scratch.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;

  await t.step("a device's flows and events", async () => {
    const [{ id }] = await scratch.db.query<{ id: number }>(
      "SELECT src_device_id::int AS id FROM protocol_events e JOIN traffic_flows f ON f.src_mac = e.src_mac WHERE src_device_id IS NOT NULL LIMIT 1",
    );
    const flows = await json<Page<FlowSummary>>(
      await h.request("GET", `/devices/${id}/flows?page_size=500`, { cookie }),
    );
    strictEqual(flows.total, await n("traffic_flows WHERE src_device_id = $1 OR dst_device_id = $1", [id]));
    ok(flows.items.every((flow) => flow.src_device_id === id || flow.dst_device_id === id));
    const events = await json<Page<EventSummary>>(
      await h.request("GET", `/devices/${id}/events`, { cookie }),
    );
    ok(events.total > 0);
    await json(await h.request("GET", "/devices/999999999/flows", { cookie }), 404);
    await json(await h.request("GET", "/devices/999999999/events", { cookie }), 404);
  });

  await t.step("traffic per protocol and top talkers", async () => {
    const protocols = await json<{ items: ProtocolShare[] }>(
      await h.request("GET", "/stats/protocols?limit=100", { cookie }),
    );
    const [bytes] = await scratch.db.query<{ n: number }>(
      "SELECT sum(byte_count)::float8 AS n FROM traffic_flows",
    );
    strictEqual(
      protocols.items.reduce((sum, p) => sum + p.bytes, 0),
      bytes.n,
      "the shares add up to the traffic",
    );
    strictEqual(protocols.items.reduce((sum, p) => sum + p.flows, 0), await n("traffic_flows"));
    const grouped = await scratch.db.query<ProtocolShare>(
      `SELECT COALESCE(application, 'other') AS application, count(*)::float8 AS flows,
         sum(packet_count)::float8 AS packets, sum(byte_count)::float8 AS bytes
       FROM traffic_flows GROUP BY 1 ORDER BY bytes DESC, 1`,
    );
    deepStrictEqual(
      protocols.items,
      grouped,
      "the kept totals equal a scan of the flows, application by application",
    );
    const top = await json<{ items: DeviceSummary[] }>(
      await h.request("GET", "/stats/top-talkers?limit=3", { cookie }),
    );
    const [busiest] = await scratch.db.query<{ id: number }>(
      "SELECT id::int AS id FROM devices ORDER BY total_bytes_sent + total_bytes_received DESC, id LIMIT 1",
    );
    strictEqual(top.items.length, 3);
    strictEqual(top.items[0].id, busiest.id);
    await json(await h.request("GET", "/stats/top-talkers?limit=101", { cookie }), 400);
  });

  await t.step("OT assets: every device with an OT role, with its facts and protocols", async () => {
    const assets = await json<Page<DeviceSummary & OtFields>>(
      await h.request("GET", "/ot/assets?page_size=500", { cookie }),
    );
    strictEqual(assets.total, await n("devices WHERE ot_role IS NOT NULL"));
    ok(assets.total > 0);
    ok(
      assets.items.every((asset) =>
        asset.ot_role !== null && asset.ot_protocols.length > 0 && typeof asset.ot_facts === "object"
      ),
    );
    const plcs = await json<Page<DeviceSummary>>(
      await h.request("GET", "/ot/assets?ot_role=plc", { cookie }),
    );
    strictEqual(plcs.total, await n("devices WHERE ot_role = 'plc'"));
  });

  await t.step({
    name: `OT assets: who controls whom, as tshark sees the Modbus requests${TSHARK.note}`,
    ignore: TSHARK.skip,
    fn: async () => {
      const rows = await tsharkFields(
        join(SHARED_PCAPS_DIR, "modbus_tcp_test_data_part1.pcap"),
        ["eth.src", "eth.dst"],
        "tcp.dstport == 502 && modbus",
      );
      const pairs = new Set(rows.map(([[src], [dst]]) => `${src}>${dst}`));
      ok(pairs.size >= 2);
      const assets = (await json<Page<DeviceSummary & OtFields>>(
        await h.request("GET", "/ot/assets?page_size=500", { cookie }),
      )).items;
      const seen = new Set<string>();
      for (const asset of assets) {
        for (const peer of asset.controls.filter((p) => p.protocols.includes("modbus"))) {
          seen.add(`${asset.mac_address}>${peer.mac_address}`);
        }
        for (const peer of asset.controlled_by.filter((p) => p.protocols.includes("modbus"))) {
          seen.add(`${peer.mac_address}>${asset.mac_address}`);
        }
      }
      const assetMacs = new Set(assets.map((a) => a.mac_address));
      const expected = [...pairs].filter((pair) => pair.split(">").some((mac) => assetMacs.has(mac))).sort();
      ok(expected.length >= 1, "the Modbus requests involve OT assets");
      deepStrictEqual([...seen].sort(), expected);
    },
  });

  await t.step("DHCP leases, by client and by server", async () => {
    const leases = await json<Page<Lease>>(await h.request("GET", "/dhcp/leases?page_size=500", { cookie }));
    strictEqual(leases.total, await n("dhcp_leases"));
    ok(leases.total > 0, "the DHCP capture gives leases");
    const lease = leases.items[0];
    const byMac = await json<Page<Lease>>(
      await h.request("GET", `/dhcp/leases?mac=${lease.client_mac}`, { cookie }),
    );
    strictEqual(byMac.total, await n("dhcp_leases WHERE client_mac = $1::macaddr", [lease.client_mac]));
    ok(byMac.items.every((item) => item.client_mac === lease.client_mac));
    if (lease.server_ip) {
      const byServer = await json<Page<Lease>>(
        await h.request("GET", `/dhcp/leases?server=${lease.server_ip}`, { cookie }),
      );
      strictEqual(byServer.total, await n("dhcp_leases WHERE server_ip = $1::inet", [lease.server_ip]));
    }
    deepStrictEqual(
      (await json<{ error: { field: string } }>(
        await h.request("GET", "/dhcp/leases?mac=nope", { cookie }),
        400,
      )).error.field,
      "mac",
    );
  });

  await t.step("bandwidth series of a device and of the network, summed in SQL", async () => {
    const [range] = await scratch.db.query<{ id: number; from: string; to: string }>(
      `SELECT device_id::int AS id,
         to_char(min(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS from,
         to_char((max(time) + interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS to
       FROM traffic_metrics WHERE metric_type = 'device_in' GROUP BY device_id ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    const series = await json<BandwidthSeries>(
      await h.request("GET", `/devices/${range.id}/bandwidth?from=${range.from}&to=${range.to}&points=5`, {
        cookie,
      }),
    );
    ok(series.bucket_seconds >= 60 && series.bucket_seconds % 60 === 0);
    ok(series.points.length >= 1 && series.points.length <= 6, `${series.points.length} points`);
    const [sums] = await scratch.db.query<{ bytes_in: number; bytes_out: number }>(
      `SELECT COALESCE(sum(byte_count) FILTER (WHERE metric_type = 'device_in'), 0)::float8 AS bytes_in,
         COALESCE(sum(byte_count) FILTER (WHERE metric_type = 'device_out'), 0)::float8 AS bytes_out
       FROM traffic_metrics WHERE device_id = $1`,
      [range.id],
    );
    strictEqual(series.points.reduce((sum, p) => sum + p.bytes_in, 0), sums.bytes_in);
    strictEqual(series.points.reduce((sum, p) => sum + p.bytes_out, 0), sums.bytes_out);
    const [all] = await scratch.db.query<{ bytes: number }>(
      `SELECT sum(byte_count)::float8 AS bytes FROM traffic_metrics
       WHERE metric_type = 'flow' AND time >= $1::timestamptz AND time < $2::timestamptz`,
      [range.from, range.to],
    );
    const network = await json<BandwidthSeries>(
      await h.request("GET", `/stats/bandwidth?from=${range.from}&to=${range.to}&points=2000`, { cookie }),
    );
    strictEqual(network.bucket_seconds, 60, "2000 points over a capture's minutes: one a minute");
    strictEqual(network.points.reduce((sum, p) => sum + p.bytes_out, 0), all.bytes);
    const fields = async (query: string) =>
      (await json<{ error: { field: string } }>(
        await h.request("GET", `/stats/bandwidth?${query}`, { cookie }),
        400,
      )).error.field;
    strictEqual(await fields(`from=${range.to}&to=${range.from}`), "from");
    strictEqual(await fields("from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"), "from");
    strictEqual(await fields("points=0"), "points");
    await json(await h.request("GET", "/devices/999999999/bandwidth", { cookie }), 404);
  });
}
