/**
 * Steps of web/api_test.ts: flows (paging and every filter), events and the dashboard, each checked
 * against SQL on the same database.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ScratchDatabase } from "../storage/_testing.ts";
import type { Page } from "../storage/read/sql.ts";
import type { DeviceSummary } from "../storage/read/devices.ts";
import type { FlowSummary } from "../storage/read/flows.ts";
import type { EventSummary } from "../storage/read/events.ts";
import { type Harness, json } from "./_testing.ts";
import { allPages, count, sorted } from "./_test_inventory.ts";

/** The flow, event and dashboard steps. */
export async function trafficSteps(
  t: Deno.TestContext,
  h: Harness,
  scratch: ScratchDatabase,
): Promise<void> {
  const cookie = h.as.viewer.cookie;
  const devices = await count(scratch, "devices");

  await t.step("flows: paging and each filter gives what SQL counts", async () => {
    const total = await count(scratch, "traffic_flows");
    const items = await allPages<FlowSummary>(h, cookie, "/flows", 50);
    strictEqual(items.length, total);
    ok(sorted(items, (a, b) => b.byte_count - a.byte_count), "largest first");
    const [flow] = await scratch.db.query<{ id: number; device: number; ip: string; vlan: number | null }>(
      "SELECT id::int AS id, src_device_id::int AS device, host(src_ip) AS ip, vlan_id AS vlan FROM traffic_flows WHERE src_ip IS NOT NULL ORDER BY id LIMIT 1",
    );
    const [tagged] = await scratch.db.query<{ vlan: number }>(
      "SELECT vlan_id AS vlan FROM traffic_flows WHERE vlan_id IS NOT NULL LIMIT 1",
    );
    const [times] = await scratch.db.query<{ mid: string }>(
      "SELECT to_char((SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY last_seen) FROM traffic_flows) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS mid",
    );
    const cases: [string, string, unknown[]][] = [
      [`device=${flow.device}`, "traffic_flows WHERE src_device_id = $1 OR dst_device_id = $1", [
        flow.device,
      ]],
      [`ip=${flow.ip}`, "traffic_flows WHERE src_ip = $1::inet OR dst_ip = $1::inet", [flow.ip]],
      ["port=502", "traffic_flows WHERE src_port = 502 OR dst_port = 502", []],
      ["protocol=modbus", "traffic_flows WHERE application = 'modbus'", []],
      ["protocol=17", "traffic_flows WHERE ip_protocol = 17", []],
      [`vlan=${tagged.vlan}`, "traffic_flows WHERE vlan_id = $1", [tagged.vlan]],
      [`from=${times.mid}`, "traffic_flows WHERE last_seen >= $1::timestamptz", [times.mid]],
      [`to=${times.mid}`, "traffic_flows WHERE first_seen <= $1::timestamptz", [times.mid]],
    ];
    for (const [query, sql, params] of cases) {
      const expected = await count(scratch, sql, params);
      ok(expected > 0 && expected < total, `${query} selects some flows (${expected} of ${total})`);
      strictEqual(
        (await json<Page<FlowSummary>>(await h.request("GET", `/flows?${query}`, { cookie }))).total,
        expected,
        query,
      );
    }
    const one = await json<FlowSummary>(await h.request("GET", `/flows/${flow.id}`, { cookie }));
    deepStrictEqual([one.id, one.src_ip], [flow.id, flow.ip]);
    await json(await h.request("GET", "/flows/999999999", { cookie }), 404);
  });

  await t.step("events: newest first, filtered by type, severity and device", async () => {
    const total = await count(scratch, "protocol_events");
    const page = await json<Page<EventSummary>>(await h.request("GET", "/events?page_size=500", { cookie }));
    strictEqual(page.total, total);
    ok(sorted(page.items, (a, b) => b.time.localeCompare(a.time)));
    const [event] = await scratch.db.query<{ type: string; device: number }>(
      "SELECT type, device_id::int AS device FROM protocol_events WHERE device_id IS NOT NULL ORDER BY id LIMIT 1",
    );
    const prefix = `${event.type.split(".")[0]}.`;
    const cases: [string, string, unknown[]][] = [
      [`type=${event.type}`, "protocol_events WHERE type = $1", [event.type]],
      [`type=${prefix}`, "protocol_events WHERE starts_with(type, $1)", [prefix]],
      ["min_severity=warning", "protocol_events WHERE severity IN ('warning', 'critical')", []],
      [
        `device=${event.device}`,
        `protocol_events e WHERE device_id = $1 OR src_mac = (SELECT mac_address FROM devices WHERE id = $1)
        OR dst_mac = (SELECT mac_address FROM devices WHERE id = $1)`,
        [event.device],
      ],
    ];
    for (const [query, sql, params] of cases) {
      strictEqual(
        (await json<Page<EventSummary>>(await h.request("GET", `/events?${query}`, { cookie }))).total,
        await count(scratch, sql, params),
        query,
      );
    }
  });

  await t.step("dashboard figures agree with the tables", async () => {
    const board = await json<{
      devices: { total: number; ot: number };
      flows: { total: number; bytes: number };
      events: { total: number };
      top_talkers: DeviceSummary[];
      protocols: { application: string }[];
    }>(await h.request("GET", "/stats/dashboard", { cookie }));
    strictEqual(board.devices.total, devices);
    strictEqual(board.devices.ot, await count(scratch, "devices WHERE ot_role IS NOT NULL"));
    strictEqual(board.flows.total, await count(scratch, "traffic_flows"));
    const [bytes] = await scratch.db.query<{ n: number }>(
      "SELECT sum(byte_count)::float8 AS n FROM traffic_flows",
    );
    strictEqual(board.flows.bytes, bytes.n);
    const [events] = await scratch.db.query<{ n: number }>(
      "SELECT sum(count)::float8 AS n FROM protocol_events",
    );
    strictEqual(board.events.total, events.n);
    strictEqual(board.top_talkers.length, 5);
    ok(board.protocols.some((p) => p.application === "modbus"));
  });
}
