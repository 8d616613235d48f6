/**
 * Steps of web/api_test.ts: the device list (paging, every filter, every sort), one device and the
 * user's changes (audited), each checked against SQL on the same database. Flows, events and the
 * dashboard are in `_test_traffic.ts`.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ScratchDatabase } from "../storage/_testing.ts";
import type { Page } from "../storage/read/sql.ts";
import type { DeviceSummary } from "../storage/read/devices.ts";
import type { DeviceDetail } from "../storage/read/device_detail.ts";
import { join } from "node:path";
import { SHARED_PCAPS_DIR } from "../tests/shared_pcaps.ts";
import { TSHARK, tsharkFields } from "../tests/tshark_fields.ts";
import { type Harness, json } from "./_testing.ts";

/** `SELECT count(*) FROM <sql>` on the scratch database. */
export async function count(scratch: ScratchDatabase, sql: string, params: unknown[] = []): Promise<number> {
  return (await scratch.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;
}

/** Every page of a list, with the page envelope checked on each (shared by the other steps). */
export async function allPages<T>(h: Harness, cookie: string, path: string, pageSize: number): Promise<T[]> {
  const items: T[] = [];
  const join = path.includes("?") ? "&" : "?";
  for (let page = 1;; page++) {
    const body = await json<Page<T>>(
      await h.request("GET", `${path}${join}page=${page}&page_size=${pageSize}`, { cookie }),
    );
    strictEqual(body.page, page);
    strictEqual(body.page_size, pageSize);
    strictEqual(body.pages, Math.ceil(body.total / pageSize));
    items.push(...body.items);
    if (page >= body.pages) {
      strictEqual(items.length, body.total);
      return items;
    }
    strictEqual(body.items.length, pageSize);
  }
}

/** True when `values` are in the order `compare` gives. */
export function sorted<T>(values: T[], compare: (a: T, b: T) => number): boolean {
  return values.every((value, i) => i === 0 || compare(values[i - 1], value) <= 0);
}

/** The inventory steps. */
export async function inventorySteps(
  t: Deno.TestContext,
  h: Harness,
  scratch: ScratchDatabase,
): Promise<void> {
  const cookie = h.as.viewer.cookie;
  const devices = await count(scratch, "devices");
  ok(devices >= 10, `the captures give devices (${devices})`);

  await t.step("devices: pages of 4 cover every device once, newest first", async () => {
    const items = await allPages<DeviceSummary>(h, cookie, "/devices", 4);
    strictEqual(items.length, devices);
    strictEqual(new Set(items.map((d) => d.id)).size, devices);
    ok(sorted(items, (a, b) => b.last_seen.localeCompare(a.last_seen)));
    const fields = [
      "id",
      "mac_address",
      "oui_vendor",
      "device_type",
      "device_name",
      "first_seen",
      "last_seen",
      "is_active",
      "is_flagged",
      "total_packets_sent",
      "total_packets_received",
      "total_bytes_sent",
      "total_bytes_received",
      "ip_addresses",
      "vlans",
      "display_name",
      "os_family",
      "ot_role",
      "purdue_level",
    ];
    for (const field of fields) ok(field in items[0], `DeviceResponse field ${field}`);
    const beyond = await json<Page<DeviceSummary>>(await h.request("GET", "/devices?page=1000", { cookie }));
    deepStrictEqual([beyond.items.length, beyond.total], [0, devices]);
  });

  await t.step("devices: every sort key, both directions", async () => {
    const keys: Record<string, (d: DeviceSummary) => string | number> = {
      mac: (d) => d.mac_address,
      bytes: (d) => d.total_bytes_sent + d.total_bytes_received,
      packets: (d) => d.total_packets_sent + d.total_packets_received,
      first_seen: (d) => d.first_seen,
      last_seen: (d) => d.last_seen,
    };
    for (const [key, value] of Object.entries(keys)) {
      for (const direction of ["", "-"]) {
        const items = (await json<Page<DeviceSummary>>(
          await h.request("GET", `/devices?sort=${direction}${key}&page_size=500`, { cookie }),
        )).items;
        const sign = direction === "-" ? -1 : 1;
        ok(
          sorted(items, (a, b) => sign * (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0)),
          `${direction}${key}`,
        );
      }
    }
    for (const key of ["name", "type", "vendor"]) {
      strictEqual(
        (await json<Page<DeviceSummary>>(await h.request("GET", `/devices?sort=${key}`, { cookie }))).total,
        devices,
      );
    }
  });

  await t.step("devices: each filter gives what SQL counts", async () => {
    const [someIp] = await scratch.db.query<{ ip: string; id: number }>(
      "SELECT host(ip_address) AS ip, device_id::int AS id FROM device_ips WHERE cardinality(learnt_from) > 0 ORDER BY id LIMIT 1",
    );
    const [vlan] = await scratch.db.query<{ vlan: number }>(
      "SELECT vlan_id AS vlan FROM device_vlans LIMIT 1",
    );
    const [named] = await scratch.db.query<{ name: string }>(
      "SELECT display_name AS name FROM devices WHERE display_name IS NOT NULL LIMIT 1",
    );
    const [vendor] = await scratch.db.query<{ vendor: string }>(
      "SELECT oui_vendor AS vendor FROM devices WHERE oui_vendor IS NOT NULL LIMIT 1",
    );
    ok(someIp && vlan && named && vendor, "the captures give addresses, VLANs, names and vendors");
    const cases: [string, string, unknown[]][] = [
      [
        `q=${encodeURIComponent(someIp.ip)}`,
        "device_ips i WHERE cardinality(i.learnt_from) > 0 AND host(i.ip_address) ILIKE $1 GROUP BY device_id",
        [`%${someIp.ip}%`],
      ],
      [
        `q=${encodeURIComponent(named.name.toUpperCase())}`,
        "devices WHERE display_name ILIKE $1 OR device_name ILIKE $1",
        [`%${named.name}%`],
      ],
      ["q=00%3A1b", "devices WHERE mac_address::text ILIKE '%00:1b%' OR oui_vendor ILIKE '%00:1b%'", []],
      [`vlan=${vlan.vlan}`, "(SELECT DISTINCT device_id FROM device_vlans WHERE vlan_id = $1) v", [
        vlan.vlan,
      ]],
      [`vendor=${encodeURIComponent(vendor.vendor.slice(0, 5))}`, "devices WHERE oui_vendor ILIKE $1", [
        `%${vendor.vendor.slice(0, 5)}%`,
      ]],
      ["type=unknown", "devices WHERE COALESCE(device_type_override, device_type) = 'unknown'", []],
      ["ot_role=plc", "devices WHERE ot_role = 'plc'", []],
      ["active=true", "devices WHERE is_active", []],
      ["active=false", "devices WHERE NOT is_active", []],
    ];
    for (const [query, sql, params] of cases) {
      const expected = sql.includes("GROUP BY")
        ? (await scratch.db.query(`SELECT 1 FROM ${sql}`, params)).length
        : await count(scratch, sql, params);
      const page = await json<Page<DeviceSummary>>(
        await h.request("GET", `/devices?${query}&page_size=500`, { cookie }),
      );
      strictEqual(page.total, expected, query);
      strictEqual(page.items.length, expected, query);
    }
    const plc = await count(scratch, "devices WHERE ot_role = 'plc'");
    ok(plc > 0, "the Modbus and S7 captures give PLCs");
    const byVlan = await json<Page<DeviceSummary>>(
      await h.request("GET", `/devices?vlan=${vlan.vlan}`, { cookie }),
    );
    ok(byVlan.items.every((d) => d.vlans.includes(vlan.vlan)));
    const byIp = await json<Page<DeviceSummary>>(
      await h.request("GET", `/devices?q=${someIp.ip}`, { cookie }),
    );
    ok(byIp.items.some((d) => d.id === someIp.id && d.ip_addresses.includes(someIp.ip)));
    const none = await json<Page<DeviceSummary>>(await h.request("GET", "/devices?q=%25", { cookie }));
    strictEqual(none.total, 0, "% is searched literally, not as a wildcard");
  });

  await t.step("one device by id and by MAC, with its evidence", async () => {
    const [row] = await scratch.db.query<{ id: number; mac: string }>(
      `SELECT d.id::int AS id, d.mac_address::text AS mac FROM devices d
       WHERE EXISTS (SELECT 1 FROM identity_attributes a WHERE a.device_id = d.id) ORDER BY d.id LIMIT 1`,
    );
    const byId = await json<DeviceDetail>(await h.request("GET", `/devices/${row.id}`, { cookie }));
    const byMac = await json<DeviceDetail>(
      await h.request("GET", `/devices/${row.mac.toUpperCase().replaceAll(":", "-")}`, { cookie }),
    );
    deepStrictEqual(byMac, byId);
    strictEqual(byId.mac_address, row.mac);
    strictEqual(
      byId.attributes.length,
      await count(scratch, "identity_attributes WHERE device_id = $1", [row.id]),
    );
    for (const attribute of byId.attributes) {
      ok(
        attribute.source && attribute.first_seen && attribute.last_seen && attribute.confidence >= 0,
        "attribute evidence",
      );
    }
    ok(Array.isArray(byId.classification.reasons) && typeof byId.ot.facts === "object");
    strictEqual(
      byId.addresses.length,
      await count(scratch, "device_ips WHERE device_id = $1 AND cardinality(learnt_from) > 0", [row.id]),
    );
    const plc =
      (await json<Page<DeviceSummary>>(await h.request("GET", "/devices?ot_role=plc", { cookie }))).items[0];
    const detail = await json<DeviceDetail>(await h.request("GET", `/devices/${plc.id}`, { cookie }));
    ok(
      detail.ot.reasons.length > 0 && detail.ot.protocols.length > 0,
      "a PLC with its reasons and protocols",
    );
    ok(detail.protocols.length > 0, "protocols from its flows");
    strictEqual(
      (await json(await h.request("GET", "/devices/999999999", { cookie }), 404) as {
        error: { code: string };
      }).error.code,
      "not_found",
    );
    await json(await h.request("GET", "/devices/00:00:5e:00:53:ff", { cookie }), 404);
  });

  await t.step({
    name: `device detail: the L2 neighbour each CDP speaker announces, as tshark reads it${TSHARK.note}`,
    ignore: TSHARK.skip,
    fn: async () => {
      const path = join(SHARED_PCAPS_DIR, "vlan_8021q_and_double_tag_cdp.pcap");
      const rows = await tsharkFields(
        path,
        ["eth.src", "cdp.deviceid", "cdp.portid", "cdp.native_vlan"],
        "cdp",
      );
      const expected = new Map(
        rows.map(([[mac], [system], [port], vlan]) => [mac, [system, port, vlan[0] ?? null]]),
      );
      ok(expected.size >= 4);
      for (const [mac, [system, port, vlan]] of expected) {
        const detail = await json<DeviceDetail>(await h.request("GET", `/devices/${mac}`, { cookie }));
        deepStrictEqual(
          [detail.l2_neighbour?.protocol, detail.l2_neighbour?.system_name, detail.l2_neighbour?.port_id],
          ["cdp", system, port],
          mac,
        );
        strictEqual(detail.l2_neighbour?.native_vlan, vlan, mac);
      }
    },
  });

  await t.step({
    name: `device detail: the IP history holds every address offered or acknowledged (tshark)${TSHARK.note}`,
    ignore: TSHARK.skip,
    fn: async () => {
      const mac = "90:b1:1c:99:49:29";
      const path = join(SHARED_PCAPS_DIR, "dhcp_zeek_dhcp.pcap");
      const offered = new Set(
        (await tsharkFields(path, ["dhcp.ip.your"], `dhcp.hw.mac_addr == ${mac} && dhcp.ip.your != 0.0.0.0`))
          .map(([[ip]]) => ip),
      );
      ok(offered.size >= 2);
      const detail = await json<DeviceDetail>(await h.request("GET", `/devices/${mac}`, { cookie }));
      const history = new Map(detail.ip_history.map((entry) => [entry.ip_address, entry]));
      for (const ip of offered) ok(history.get(ip)?.sources.some((s) => s.startsWith("dhcp lease")), ip);
      deepStrictEqual(
        new Set(history.keys()),
        new Set([
          ...detail.addresses.map((a) => a.ip_address),
          ...detail.dhcp_leases.map((l) => l.ip_address),
        ]),
      );
      const froms = detail.ip_history.map((entry) => entry.from ?? "~");
      deepStrictEqual(froms, [...froms].sort(), "oldest first");
    },
  });

  await t.step("PATCH /devices/{id}: an operator's changes, shown, filtered and audited", async () => {
    const [row] = await scratch.db.query<{ id: number; type: string }>(
      "SELECT id::int AS id, device_type AS type FROM devices ORDER BY id LIMIT 1",
    );
    const changed = await json<DeviceDetail>(
      await h.request("PATCH", `/devices/${row.id}`, {
        cookie: h.as.operator.cookie,
        body: { device_name: "Boiler PLC «A»", device_type: "historian", notes: "rack 3", is_flagged: true },
      }),
    );
    strictEqual(changed.device_name, "Boiler PLC «A»");
    strictEqual(changed.device_type, "historian");
    strictEqual(changed.detected_type, row.type, "the detected type is kept beside the override");
    strictEqual(changed.device_notes, "rack 3");
    strictEqual(changed.is_flagged, true);
    const flagged = await json<Page<DeviceSummary>>(
      await h.request("GET", "/devices?flagged=true", { cookie }),
    );
    deepStrictEqual(flagged.items.map((d) => d.id), [row.id]);
    const byName = await json<Page<DeviceSummary>>(await h.request("GET", "/devices?q=boiler", { cookie }));
    deepStrictEqual(byName.items.map((d) => d.id), [row.id]);
    const [entry] = await scratch.db.query<{ before: string; after: string; username: string }>(
      "SELECT before::text, after::text, username FROM audit_log WHERE action = 'device.update' AND target = $1",
      [`device:${row.id}`],
    );
    strictEqual(entry.username, "operator1");
    deepStrictEqual(JSON.parse(entry.before), {
      device_name: null,
      device_type: null,
      notes: null,
      is_flagged: false,
    });
    deepStrictEqual(JSON.parse(entry.after), {
      device_name: "Boiler PLC «A»",
      device_type: "historian",
      notes: "rack 3",
      is_flagged: true,
    });
    const cleared = await json<DeviceDetail>(
      await h.request("PATCH", `/devices/${row.id}`, {
        cookie: h.as.operator.cookie,
        body: { device_name: null, device_type: null, notes: null, is_flagged: false },
      }),
    );
    deepStrictEqual([cleared.device_name, cleared.device_type, cleared.device_notes, cleared.is_flagged], [
      null,
      row.type,
      null,
      false,
    ]);
    await json(
      await h.request("PATCH", "/devices/999999999", {
        cookie: h.as.operator.cookie,
        body: { is_flagged: true },
      }),
      404,
    );
  });
}
