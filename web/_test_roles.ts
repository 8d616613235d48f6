/**
 * Steps of web/api_test.ts: a matrix generated from the app's own route table, every route × no
 * session and every role (and read/write tokens), checked against the policy written here
 * independently of the code: health, login and the API description are public; viewer reads;
 * operator also edits devices, places map nodes and takes snapshots; admin also manages users,
 * tokens, zones and the audit log; everyone signed in manages their own sign-in.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { type Role, ROLES } from "../storage/accounts/users.ts";
import { type Harness, json } from "./_testing.ts";

/** Who may call a route: nobody signed in, or at least this role. */
function policy(method: string, path: string): "public" | Role {
  if (["/api/v1/health", "/api/v1/auth/login", "/api/v1/openapi.json"].includes(path)) return "public";
  if (path.startsWith("/api/v1/auth/")) return "viewer";
  if (/^\/api\/v1\/(users|tokens|audit)(\/|$)/.test(path)) return "admin";
  if (path.startsWith("/api/v1/zones") && method !== "GET") return "admin";
  return method === "GET" ? "viewer" : "operator";
}

/** Every method and path the API answers, without the middleware entries (nor the UI's pages). */
export function routesOf(h: Harness): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const route of h.app.routes) {
    if (route.method === "ALL" || !route.path.startsWith("/api/v1")) continue;
    seen.set(`${route.method} ${route.path}`, { method: route.method, path: route.path });
  }
  // Logout last: it ends the session the rest of the row uses.
  return [...seen.values()].sort((a, b) =>
    Number(a.path.endsWith("/logout")) - Number(b.path.endsWith("/logout"))
  );
}

/** A concrete URL for a route pattern (ids that do not exist: a permitted call answers 404 or 400). */
function concrete(path: string): string {
  return path.replace("/api/v1", "").replace(
    ":id",
    path.includes("users") || path.includes("tokens") ? "00000000-0000-4000-8000-000000000000" : "999999999",
  ).replace(":key", "999999999").replace(":a", "999999999").replace(":b", "999999998");
}

/** The role-matrix steps. */
export async function roleSteps(
  t: Deno.TestContext,
  h: Harness,
  options: { matrix: boolean },
): Promise<void> {
  const routes = routesOf(h);
  ok(routes.length >= 24, `the matrix covers the app's routes (${routes.length})`);

  await t.step(
    "every route without a session: 401, except health, login and the OpenAPI document",
    async () => {
      for (const { method, path } of routes) {
        const answer = await h.request(method, concrete(path), { body: method === "GET" ? undefined : {} });
        const body = await answer.json();
        if (policy(method, path) === "public") ok(answer.status !== 401, `${method} ${path}`);
        else {
          strictEqual(answer.status, 401, `${method} ${path}`);
          strictEqual(body.error.code, "unauthenticated");
        }
      }
    },
  );

  await t.step("the OpenAPI document lists every route, its role and the checks of its schemas", async () => {
    const doc = await json<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
      await h.request("GET", "/openapi.json"),
    );
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} /api/v1${path}`)
    ).sort();
    const answered = routes.map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, "{$1}")}`).sort();
    deepStrictEqual(documented, answered);
    for (const { method, path } of routes) {
      const operation =
        doc.paths[path.replace("/api/v1", "").replace(/:(\w+)/g, "{$1}")][method.toLowerCase()];
      strictEqual(operation["x-netsentinel-role"], policy(method, path), `${method} ${path}`);
    }
    const parameters = doc.paths["/devices"].get.parameters as {
      name: string;
      schema: Record<string, unknown>;
    }[];
    const vlan = parameters.find((parameter) => parameter.name === "vlan")!;
    deepStrictEqual(vlan.schema, { type: "integer", minimum: 0, maximum: 4095 });
    deepStrictEqual(parameters.find((parameter) => parameter.name === "page_size")!.schema, {
      type: "integer",
      minimum: 1,
      maximum: 500,
      default: 50,
    });
    const body = (doc.paths["/devices/{id}"].patch.requestBody as {
      content: Record<string, { schema: { properties: Record<string, { anyOf: { enum?: string[] }[] }> } }>;
    })
      .content["application/json"].schema;
    ok(body.properties.device_type.anyOf[0].enum!.includes("plc"));
  });

  // The matrices exercise the middleware, the same code on either driver: PostgreSQL runs them, PGlite
  // (several times slower per request) runs the rest. Token and session SQL is covered on both.
  if (options.matrix) await matrixSteps(t, h, routes);
}

async function matrixSteps(
  t: Deno.TestContext,
  h: Harness,
  routes: { method: string; path: string }[],
): Promise<void> {
  await t.step("every route × every role: 403 exactly where the role is too weak", async () => {
    let forbidden = 0;
    for (const role of ROLES) {
      // A session of its own: the matrix calls /auth/logout.
      const cookie = await h.login(h.as[role].user.username, h.as[role].password);
      for (const { method, path } of routes) {
        const needed = policy(method, path);
        if (needed === "public") continue;
        const answer = await h.request(method, concrete(path), {
          cookie,
          body: method === "GET" ? undefined : {},
        });
        const body = await answer.json().catch(() => null);
        const weaker = ROLES.indexOf(role) < ROLES.indexOf(needed);
        const label = `${role} ${method} ${path} → ${answer.status} ${JSON.stringify(body)}`;
        if (weaker) {
          forbidden++;
          strictEqual(answer.status, 403, label);
          strictEqual(body.error.code, "forbidden", label);
        } else ok(answer.status !== 403 && answer.status !== 401, label);
      }
    }
    ok(forbidden >= 10, `some calls are forbidden (${forbidden})`);
  });

  await t.step("tokens: a read token only reads; a write token writes within its user's role", async () => {
    const admin = h.as.admin.cookie;
    const tokenOf = async (username: string, scope: string) =>
      (await json<{ token: string }>(
        await h.request("POST", "/tokens", {
          cookie: admin,
          body: { name: `${username}-${scope}`, scope, username },
        }),
        201,
      )).token;
    const tokens = {
      viewerWrite: await tokenOf("viewer1", "write"),
      operatorRead: await tokenOf("operator1", "read"),
      operatorWrite: await tokenOf("operator1", "write"),
      adminRead: await tokenOf("admin1", "read"),
    };
    for (const { method, path } of routes) {
      const needed = policy(method, path);
      if (needed === "public" || path.startsWith("/api/v1/auth/")) continue;
      for (const [name, token] of Object.entries(tokens)) {
        const role: Role = name.startsWith("viewer")
          ? "viewer"
          : name.startsWith("operator")
          ? "operator"
          : "admin";
        const readOnly = name.endsWith("Read");
        const answer = await h.request(method, concrete(path), {
          token,
          origin: null,
          body: method === "GET" ? undefined : {},
        });
        await answer.body?.cancel();
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(needed) && (!readOnly || method === "GET");
        const label = `${name} ${method} ${path} → ${answer.status}`;
        if (allowed) ok(answer.status !== 403 && answer.status !== 401, label);
        else strictEqual(answer.status, 403, label);
      }
    }
  });
}
