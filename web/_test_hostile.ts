/**
 * Steps of web/api_test.ts: hostile inputs (SQL meta-characters, huge and negative numbers, wrong
 * types, unknown fields and sort keys, 10 MB bodies, bad UTF-8, NUL) get a 4xx with the error shape
 * naming the parameter, and change nothing in the database.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ScratchDatabase } from "../storage/_testing.ts";
import type { Page } from "../storage/read/sql.ts";
import type { Harness, RequestOptions } from "./_testing.ts";
import { OPERATIONS } from "./api/openapi.ts";
import { routesOf } from "./_test_roles.ts";

interface Case {
  method: string;
  path: string;
  options?: RequestOptions;
  status: number;
  /** Expected `error.field`, when the answer names one. */
  field?: string;
}

/** A checksum of everything a hostile request could change. */
async function stateOf(scratch: ScratchDatabase): Promise<string> {
  const rows = await scratch.db.query<{ state: string }>(
    `SELECT concat_ws('|',
       (SELECT md5(string_agg(concat_ws(',', id, device_name, device_type_override, device_notes, is_flagged), ';' ORDER BY id)) FROM devices),
       (SELECT count(*) FROM devices), (SELECT count(*) FROM traffic_flows),
       (SELECT md5(string_agg(concat_ws(',', username, role, is_active, password_hash), ';' ORDER BY username)) FROM users),
       (SELECT count(*) FROM api_tokens), (SELECT count(*) FROM zones), (SELECT count(*) FROM topology_positions),
       (SELECT count(*) FROM audit_log WHERE action NOT LIKE 'login%')) AS state`,
  );
  return rows[0].state;
}

const TEN_MB = "x".repeat(10 * 1024 * 1024);
const BAD_UTF8 = new Uint8Array([
  0x7b,
  0x22,
  0x6e,
  0x6f,
  0x74,
  0x65,
  0x73,
  0x22,
  0x3a,
  0x22,
  0xff,
  0xfe,
  0x22,
  0x7d,
]); // {"notes":"\xff\xfe"}

function cases(device: number, operator: string, admin: string): Case[] {
  const patch = (body: unknown, field?: string, status = 400): Case => ({
    method: "PATCH",
    path: `/devices/${device}`,
    options: { cookie: operator, body },
    status,
    field,
  });
  const list = (query: string, field?: string): Case => ({
    method: "GET",
    path: `/devices?${query}`,
    status: 400,
    field,
  });
  return [
    list("page=-1", "page"),
    list("page=0", "page"),
    list("page=99999999999999999999", "page"),
    list("page=1e3", "page"),
    list("page=abc", "page"),
    list("page=1&page=2", "page"),
    list("page_size=501", "page_size"),
    list("page_size=1.5", "page_size"),
    list("vlan=4096", "vlan"),
    list("vlan=-1", "vlan"),
    list("vlan=1%3BDROP%20TABLE%20devices", "vlan"),
    list("sort=password_hash", "sort"),
    list("sort=id%3B%20DROP%20TABLE%20devices", "sort"),
    list("sort=last_seen%20desc", "sort"),
    list("active=yes", "active"),
    list("limit=10", "limit"),
    list("q=a%00b", "q"),
    list("q=%FF%FE", "query"),
    list(`q=${"a".repeat(129)}`, "q"),
    { method: "GET", path: "/devices/1'%20OR%20'1'='1", status: 400, field: "key" },
    { method: "GET", path: "/devices/0", status: 400, field: "key" },
    { method: "GET", path: "/devices/99999999999999999999", status: 400, field: "key" },
    { method: "GET", path: "/flows?ip=10.0.0.1'--", status: 400, field: "ip" },
    { method: "GET", path: "/flows?ip=999.1.1.1", status: 400, field: "ip" },
    { method: "GET", path: "/flows?port=70000", status: 400, field: "port" },
    { method: "GET", path: "/flows?from=yesterday", status: 400, field: "from" },
    { method: "GET", path: "/flows?protocol=modbus'%20OR%201=1", status: 400, field: "protocol" },
    { method: "GET", path: "/events?min_severity=loud", status: 400, field: "min_severity" },
    { method: "GET", path: "/flows/-5", status: 400, field: "id" },
    patch({ device_type: "toaster" }, "device_type"),
    patch({ is_flagged: "yes" }, "is_flagged"),
    patch({ device_name: 5 }, "device_name"),
    patch({ device_name: "x".repeat(256) }, "device_name"),
    patch({ device_name: "a\u0000b" }, "device_name"),
    patch({ device_name: "\ud800" }, "device_name"),
    patch({ mac_address: "00:00:00:00:00:00" }, "mac_address"),
    patch({}),
    patch([]),
    patch("'; DROP TABLE devices; --"),
    {
      method: "PATCH",
      path: `/devices/${device}`,
      options: { cookie: operator, raw: "{not json" },
      status: 400,
    },
    {
      method: "PATCH",
      path: `/devices/${device}`,
      options: { cookie: operator, raw: BAD_UTF8 },
      status: 400,
    },
    {
      method: "PATCH",
      path: `/devices/${device}`,
      options: { cookie: operator, raw: `{"notes":"${TEN_MB}"}` },
      status: 413,
    },
    {
      method: "PATCH",
      path: `/devices/${device}`,
      options: { cookie: operator, raw: '{"notes":"x"}', headers: { "content-type": "text/plain" } },
      status: 415,
    },
    { method: "POST", path: "/auth/login", options: { raw: TEN_MB }, status: 413 },
    {
      method: "POST",
      path: "/auth/login",
      options: { body: { username: "admin1", password: ["x"] } },
      status: 400,
      field: "password",
    },
    {
      method: "POST",
      path: "/auth/login",
      options: { body: { username: "admin1' --", password: "x", role: "admin" } },
      status: 400,
      field: "role",
    },
    {
      method: "POST",
      path: "/users",
      options: { cookie: admin, body: { username: "a b", password: "long-enough-pass", role: "viewer" } },
      status: 400,
      field: "username",
    },
    {
      method: "POST",
      path: "/users",
      options: { cookie: admin, body: { username: "root", password: "long-enough-pass", role: "root" } },
      status: 400,
      field: "role",
    },
    {
      method: "POST",
      path: "/users",
      options: { cookie: admin, body: { username: "shorty", password: "short", role: "viewer" } },
      status: 400,
      field: "password",
    },
    {
      method: "POST",
      path: "/users",
      options: { cookie: admin, body: { username: "viewer1", password: "long-enough-pass", role: "viewer" } },
      status: 409,
      field: "username",
    },
    {
      method: "PATCH",
      path: "/users/not-a-uuid",
      options: { cookie: admin, body: { role: "admin" } },
      status: 400,
      field: "id",
    },
    {
      method: "POST",
      path: "/tokens",
      options: { cookie: admin, body: { name: "t", scope: "root" } },
      status: 400,
      field: "scope",
    },
    {
      method: "POST",
      path: "/tokens",
      options: { cookie: admin, body: { name: "t", scope: "read", expires_in_days: -1 } },
      status: 400,
      field: "expires_in_days",
    },
    ...mapCases(operator, admin),
    { method: "GET", path: "/nope", status: 404 },
  ];
}

/** Hostile inputs of the map routes: topology, positions, matrix, zones. */
function mapCases(operator: string, admin: string): Case[] {
  const get = (path: string, field?: string): Case => ({ method: "GET", path, status: 400, field });
  const positions = (body: unknown, field?: string): Case => ({
    method: "PUT",
    path: "/topology/positions",
    options: { cookie: operator, body },
    status: 400,
    field,
  });
  const zone = (body: unknown, field?: string, status = 400): Case => ({
    method: "POST",
    path: "/zones",
    options: { cookie: admin, body },
    status,
    field,
  });
  return [
    get("/topology?level=planet", "level"),
    get("/topology?level=device%27%3B%20DROP%20TABLE%20devices", "level"),
    get("/topology?vlan=4096", "vlan"),
    get("/topology?protocol=modbus'%20OR%201=1", "protocol"),
    get("/topology?from=yesterday", "from"),
    get("/topology?expand=10.0.0.0%2F24'--", "expand"),
    get("/topology?limit=999999999", "limit"),
    get("/topology?format=svg", "format"),
    get("/topology?level=device&level=subnet", "level"),
    get("/topology/l2?x=1", "x"),
    get("/topology/matrix?by=color", "by"),
    get("/zones/conduits?vlan=-1", "vlan"),
    get("/zones/0", "id"),
    positions({ positions: [{ id: "d:1", x: "1", y: 2 }] }, "positions.0.x"),
    positions({ positions: [{ id: "d:1", x: 1e300, y: 2 }] }, "positions.0.x"),
    positions({ positions: [{ id: "a\u0000b", x: 1, y: 2 }] }, "positions.0.id"),
    positions({ positions: [{ id: "x".repeat(129), x: 1, y: 2 }] }, "positions.0.id"),
    positions({ positions: [{ id: "d:1", x: 1, y: 2, z: 3 }] }, "z"),
    positions({ positions: "all" }, "positions"),
    zone({ name: "z", subnet: "10.0.0.0/33" }, "subnet"),
    zone({ name: "z", subnet: "10.0.0.0'; DROP TABLE zones; --/24" }, "subnet"),
    zone({ name: "z", subnet: "999.0.0.0/8" }, "subnet"),
    zone({ name: "z", vlan_id: 5000 }, "vlan_id"),
    zone({ name: "z", vlan_id: 10, purdue_level: 9 }, "purdue_level"),
    zone({ name: "", vlan_id: 10 }, "name"),
    zone({ name: "z" }, "vlan_id"),
    zone({ name: "z", vlan_id: 10, owner: "me" }, "owner"),
    {
      method: "PATCH",
      path: "/zones/999999999",
      options: { cookie: admin, body: { name: "y" } },
      status: 404,
    },
  ];
}

/** The hostile-input steps. */
export async function hostileSteps(t: Deno.TestContext, h: Harness, scratch: ScratchDatabase): Promise<void> {
  await t.step("hostile inputs: 4xx with the error shape naming the parameter, nothing changed", async () => {
    const [{ id }] = await scratch.db.query<{ id: number }>(
      "SELECT id::int AS id FROM devices ORDER BY id LIMIT 1",
    );
    const before = await stateOf(scratch);
    for (const c of cases(id, h.as.operator.cookie, h.as.admin.cookie)) {
      const options = { cookie: h.as.viewer.cookie, ...c.options };
      const answer = await h.request(c.method, c.path, options);
      const label = `${c.method} ${c.path.slice(0, 80)} ${
        JSON.stringify(c.options?.body ?? "").slice(0, 60)
      }`;
      strictEqual(answer.status, c.status, label);
      strictEqual(answer.headers.get("content-type"), "application/json", label);
      const body = await answer.json();
      deepStrictEqual(Object.keys(body), ["error"], label);
      ok(typeof body.error.code === "string" && typeof body.error.message === "string", label);
      ok(!body.error.message.includes("\n") && body.error.message.length < 300, `one short line: ${label}`);
      if (c.field !== undefined) strictEqual(body.error.field, c.field, label);
    }
    strictEqual(await stateOf(scratch), before);
  });

  await t.step(
    "generated from the route list: unknown parameters, bad pages and bad path ids on every route",
    async () => {
      const before = await stateOf(scratch);
      const cookie = h.as.admin.cookie;
      const routes = routesOf(h);
      const withQuery = OPERATIONS.filter((op) => op.method === "get" && op.query !== undefined);
      ok(withQuery.length >= 15, `${withQuery.length} routes take query parameters`);
      let checked = 0;
      for (const { method, path } of routes) {
        const template = path.replace("/api/v1", "").replace(/:(\w+)/g, "{$1}");
        const operation = OPERATIONS.find((op) => op.path === template && op.method === method.toLowerCase());
        ok(operation, `${method} ${path} is documented`);
        const params = [...path.matchAll(/:(\w+)/g)].map(([, name]) => name);
        const concrete = (value: string) => path.replace("/api/v1", "").replace(/:(\w+)/g, value);
        const hostile: [string, string][] = [];
        for (const name of params) {
          hostile.push([
            path.replace("/api/v1", "").replace(`:${name}`, "1'%20OR%20'1'='1").replace(/:(\w+)/g, "1"),
            name,
          ]);
        }
        if (method === "GET" && operation.query) {
          hostile.push([`${concrete("1")}?zz_unknown=1`, "zz_unknown"]);
          const shape = (operation.query as { shape?: Record<string, unknown> }).shape ?? {};
          if ("page" in shape) hostile.push([`${concrete("1")}?page=-1`, "page"]);
          if ("page_size" in shape) {
            hostile.push([
              `${concrete("1")}?page_size=99999999999999999999`,
              "page_size",
            ]);
          }
        }
        for (const [url, field] of hostile) {
          if (params.length > 0 && /users|tokens/.test(path) && field === "zz_unknown") continue;
          const answer = await h.request(method, url, { cookie, body: method === "GET" ? undefined : {} });
          const body = await answer.json();
          strictEqual(answer.status, 400, `${method} ${url}`);
          strictEqual(body.error.field, field, `${method} ${url}`);
          checked++;
        }
      }
      ok(checked >= 40, `${checked} generated cases`);
      strictEqual(await stateOf(scratch), before);
    },
  );

  await t.step("SQL meta-characters in a search are text: no match, nothing changed", async () => {
    const before = await stateOf(scratch);
    for (
      const q of [
        "' OR 1=1 --",
        "'; DELETE FROM devices; --",
        "\\",
        "%_%",
        "$1",
        "0x41); SELECT pg_sleep(5); --",
      ]
    ) {
      const page =
        await (await h.request("GET", `/devices?q=${encodeURIComponent(q)}`, { cookie: h.as.viewer.cookie }))
          .json() as Page<unknown>;
      strictEqual(page.total, 0, q);
    }
    strictEqual(await stateOf(scratch), before);
  });
}
