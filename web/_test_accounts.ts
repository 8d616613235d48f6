/**
 * Steps of web/api_test.ts: sessions (cookie flags, logout, idle and absolute expiry), CSRF, the
 * login rate limit, users (create, forced password change, role, disable, delete, last admin),
 * TOTP, token revocation and expiry, security headers, and the audit log of every change.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ScratchDatabase } from "../storage/_testing.ts";
import type { AuditRecord } from "../storage/accounts/audit.ts";
import type { Page } from "../storage/read/sql.ts";
import type { User } from "../storage/accounts/users.ts";
import { totpCode } from "./auth/totp.ts";
import { cookieOf, type Harness, json, ORIGIN } from "./_testing.ts";
import { apiDeps, createWebApp } from "./app.ts";

async function status(answer: Response): Promise<number> {
  await answer.body?.cancel();
  return answer.status;
}

/** The account steps. */
export async function accountSteps(t: Deno.TestContext, h: Harness, scratch: ScratchDatabase): Promise<void> {
  const admin = h.as.admin.cookie;

  await t.step("the session cookie is HttpOnly, SameSite=Strict, Secure only under TLS", async () => {
    const answer = await h.request("POST", "/auth/login", {
      body: { username: "viewer1", password: h.as.viewer.password },
    });
    const header = answer.headers.get("set-cookie") ?? "";
    await answer.body?.cancel();
    ok(/HttpOnly/.test(header) && /SameSite=Strict/.test(header) && /Path=\//.test(header), header);
    ok(!/Secure/.test(header), header);
    const tls = createWebApp(
      apiDeps({ db: scratch.db, passwordCost: h.deps.passwordCost, secureCookies: true }),
    );
    const secure = await tls.fetch(
      new Request(`${ORIGIN}/api/v1/auth/login`, {
        method: "POST",
        headers: { origin: ORIGIN, "content-type": "application/json" },
        body: JSON.stringify({ username: "viewer1", password: h.as.viewer.password }),
      }),
    );
    await secure.body?.cancel();
    ok(/; Secure/.test(secure.headers.get("set-cookie") ?? ""));
    ok(/max-age=/.test(secure.headers.get("strict-transport-security") ?? ""));
  });

  await t.step("logout, idle and absolute expiry end a session", async () => {
    const cookie = await h.login("viewer1", h.as.viewer.password);
    strictEqual(await status(await h.request("GET", "/auth/me", { cookie })), 200);
    strictEqual(await status(await h.request("POST", "/auth/logout", { cookie })), 204);
    strictEqual(await status(await h.request("GET", "/auth/me", { cookie })), 401);
    for (const column of ["idle_expires_at", "expires_at"]) {
      const other = await h.login("viewer1", h.as.viewer.password);
      strictEqual(await status(await h.request("GET", "/devices", { cookie: other })), 200);
      await scratch.db.query(
        `UPDATE sessions SET ${column} = now() - interval '1 second' WHERE token_sha256 = decode($1, 'hex')`,
        [await digestOf(other)],
      );
      strictEqual(await status(await h.request("GET", "/devices", { cookie: other })), 401, column);
    }
    const [stored] = await scratch.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM sessions WHERE token_sha256 = decode($1, 'hex')",
      [await digestOf(h.as.viewer.cookie)],
    );
    strictEqual(stored.n, 1, "the table holds the SHA-256 of the cookie, not the cookie");
    await h.login("viewer1", h.as.viewer.password);
    const [expired] = await scratch.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM sessions WHERE expires_at <= now() OR idle_expires_at <= now()",
    );
    strictEqual(expired.n, 0, "a sign-in deletes the expired sessions");
  });

  await t.step("[web] require_totp_for_admins: an admin without TOTP may only set it up", async () => {
    const strict = createWebApp(
      apiDeps({ db: scratch.db, passwordCost: h.deps.passwordCost, requireTotpForAdmins: true }),
    );
    const call = (method: string, path: string, cookie?: string, body?: unknown) =>
      strict.fetch(
        new Request(`${ORIGIN}/api/v1${path}`, {
          method,
          headers: { origin: ORIGIN, "content-type": "application/json", ...(cookie ? { cookie } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    const login = await call("POST", "/auth/login", undefined, {
      username: "admin1",
      password: h.as.admin.password,
    });
    strictEqual((await login.json()).totp_setup_required, true);
    const cookie = cookieOf(login);
    const refused = await call("GET", "/users", cookie);
    strictEqual(refused.status, 403);
    strictEqual((await refused.json()).error.code, "totp_required");
    strictEqual(
      await status(await call("GET", "/devices", h.as.viewer.cookie)),
      200,
      "other roles are not held",
    );
    const setup = await call("POST", "/auth/totp/setup", cookie);
    strictEqual(setup.status, 200);
    await setup.body?.cancel();
    strictEqual(await status(await call("POST", "/auth/logout", cookie)), 204);
    await scratch.db.query("UPDATE users SET totp_secret = NULL WHERE username = 'admin1'");
  });

  await t.step("CSRF: a cookie request that changes state needs the appliance's origin", async () => {
    const [{ id }] = await scratch.db.query<{ id: number }>(
      "SELECT id::int AS id FROM devices ORDER BY id LIMIT 1",
    );
    for (const origin of [null, "https://evil.example", "null"]) {
      const answer = await h.request("PATCH", `/devices/${id}`, {
        cookie: h.as.operator.cookie,
        origin,
        body: { is_flagged: true },
      });
      strictEqual(answer.status, 403, `origin ${origin}`);
      strictEqual((await answer.json()).error.code, "csrf");
      strictEqual(
        await status(await h.request("POST", "/auth/logout", { cookie: h.as.operator.cookie, origin })),
        403,
      );
    }
    const [row] = await scratch.db.query<{ f: boolean }>(
      "SELECT is_flagged AS f FROM devices WHERE id = $1",
      [id],
    );
    strictEqual(row.f, false, "nothing changed");
    strictEqual(
      await status(await h.request("GET", "/devices", { cookie: h.as.operator.cookie, origin: null })),
      200,
      "reads need no origin",
    );
  });

  await t.step("login rate limit per user and per address: 429, logged and audited", async () => {
    const logged: string[] = [];
    const limited = await harnessLimited(h, scratch, logged);
    const attempt = (username: string, password: string, ip: string) =>
      limited.fetch(
        new Request(`${ORIGIN}/api/v1/auth/login`, {
          method: "POST",
          headers: { origin: ORIGIN, "content-type": "application/json" },
          body: JSON.stringify({ username, password }),
        }),
        { remoteAddr: { hostname: ip } },
      );
    for (let i = 0; i < 3; i++) {
      strictEqual(await status(await attempt("viewer1", "wrong password!", "198.51.100.1")), 401);
    }
    const blocked = await attempt("viewer1", h.as.viewer.password, "198.51.100.2");
    strictEqual(blocked.status, 429, "the user is held even with the right password from elsewhere");
    ok(Number(blocked.headers.get("retry-after")) > 0);
    strictEqual((await blocked.json()).error.code, "rate_limited");
    for (let i = 0; i < 2; i++) {
      strictEqual(await status(await attempt(`nobody${i}`, "wrong password!", "198.51.100.1")), 401);
    }
    strictEqual(
      await status(await attempt("operator1", h.as.operator.password, "198.51.100.1")),
      429,
      "the address is held",
    );
    strictEqual(
      await status(await attempt("operator1", h.as.operator.password, "198.51.100.3")),
      200,
      "not another address",
    );
    ok(
      logged.some((line) => line.includes("login rate limit") && line.includes("viewer1")),
      logged.join("\n"),
    );
    const audit = await scratch.db.query<{ target: string; ip: string }>(
      "SELECT target, host(ip_address) AS ip FROM audit_log WHERE action = 'login.rate_limited' ORDER BY id",
    );
    deepStrictEqual(audit.map((row) => [row.target, row.ip]), [["user:viewer1", "198.51.100.2"], [
      "user:operator1",
      "198.51.100.1",
    ]]);
    const failed = await scratch.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'login.failed' AND host(ip_address) = '198.51.100.1'",
    );
    strictEqual(failed.length, 5);
  });

  let created: User;
  await t.step("a new user must change the password chosen for them", async () => {
    created = await json<User>(
      await h.request("POST", "/users", {
        cookie: admin,
        body: { username: "alice", password: "first-password-1", role: "viewer" },
      }),
      201,
    );
    strictEqual(created.must_change_password, true);
    const cookie = await h.login("alice", "first-password-1");
    const refused = await h.request("GET", "/devices", { cookie });
    strictEqual(refused.status, 403);
    strictEqual((await refused.json()).error.code, "password_change_required");
    strictEqual(
      await status(
        await h.request("POST", "/auth/password", {
          cookie,
          body: { current_password: "wrong-password-1", new_password: "second-password-2" },
        }),
      ),
      403,
    );
    strictEqual(
      await status(
        await h.request("POST", "/auth/password", {
          cookie,
          body: { current_password: "first-password-1", new_password: "second-password-2" },
        }),
      ),
      204,
    );
    strictEqual(await status(await h.request("GET", "/devices", { cookie })), 200, "this session goes on");
    strictEqual(
      await status(
        await h.request("POST", "/auth/login", { body: { username: "alice", password: "first-password-1" } }),
      ),
      401,
    );
    await h.login("alice", "second-password-2");
  });

  await t.step("users: role change, disable (sessions end), delete; the last admin stays", async () => {
    const cookie = await h.login("alice", "second-password-2");
    const promoted = await json<User>(
      await h.request("PATCH", `/users/${created.id}`, { cookie: admin, body: { role: "operator" } }),
    );
    strictEqual(promoted.role, "operator");
    strictEqual(
      (await json<{ user: User }>(await h.request("GET", "/auth/me", { cookie }))).user.role,
      "operator",
    );
    await json(
      await h.request("PATCH", `/users/${created.id}`, { cookie: admin, body: { is_active: false } }),
    );
    strictEqual(await status(await h.request("GET", "/auth/me", { cookie })), 401);
    strictEqual(
      await status(
        await h.request("POST", "/auth/login", {
          body: { username: "alice", password: "second-password-2" },
        }),
      ),
      401,
    );
    strictEqual(await status(await h.request("DELETE", `/users/${created.id}`, { cookie: admin })), 204);
    strictEqual(await status(await h.request("GET", `/users/${created.id}`, { cookie: admin })), 404);
    const self = h.as.admin.user.id;
    strictEqual(
      await status(await h.request("PATCH", `/users/${self}`, { cookie: admin, body: { role: "viewer" } })),
      409,
    );
    strictEqual(await status(await h.request("DELETE", `/users/${self}`, { cookie: admin })), 409);
    const users = await json<{ items: User[] }>(await h.request("GET", "/users", { cookie: admin }));
    ok(users.items.every((user) => !("password_hash" in user) && !("totp_secret" in user)));
  });

  await t.step("TOTP: set up, enable with a code, then required at sign-in", async () => {
    const cookie = await h.login("operator1", h.as.operator.password);
    const setup = await json<{ secret: string; otpauth_uri: string }>(
      await h.request("POST", "/auth/totp/setup", { cookie }),
    );
    ok(setup.otpauth_uri.startsWith("otpauth://totp/NetSentinel:operator1?"));
    strictEqual(
      await status(await h.request("POST", "/auth/totp/enable", { cookie, body: { code: "000000" } })),
      400,
    );
    strictEqual(
      await status(
        await h.request("POST", "/auth/totp/enable", { cookie, body: { code: totpCode(setup.secret) } }),
      ),
      204,
    );
    const missing = await h.request("POST", "/auth/login", {
      body: { username: "operator1", password: h.as.operator.password },
    });
    strictEqual(missing.status, 401);
    strictEqual((await missing.json()).error.code, "totp_required");
    const wrong = totpCode(setup.secret, Date.now() + 10 * 60_000);
    strictEqual(
      await status(
        await h.request("POST", "/auth/login", {
          body: { username: "operator1", password: h.as.operator.password, totp: wrong },
        }),
      ),
      401,
    );
    const good = await h.request("POST", "/auth/login", {
      body: { username: "operator1", password: h.as.operator.password, totp: totpCode(setup.secret) },
    });
    strictEqual(good.status, 200);
    await good.body?.cancel();
    strictEqual(await status(await h.request("GET", "/devices", { cookie: cookieOf(good) })), 200);
    strictEqual(
      await status(
        await h.request("POST", "/auth/totp/disable", { cookie, body: { password: h.as.operator.password } }),
      ),
      204,
    );
  });

  await t.step("tokens: last use recorded, revoked and expired tokens refused", async () => {
    const made = await json<{ id: string; token: string }>(
      await h.request("POST", "/tokens", {
        cookie: admin,
        body: { name: "cmdb-sync", scope: "read", expires_in_days: 30 },
      }),
      201,
    );
    ok(made.token.startsWith("nst_"));
    strictEqual(
      await status(await h.request("GET", "/devices", { token: made.token, ip: "203.0.113.7" })),
      200,
    );
    const listed = (await json<
      { items: { id: string; last_used_ip: string; last_used_at: string; expires_at: string }[] }
    >(
      await h.request("GET", "/tokens", { cookie: admin }),
    )).items.find((token) => token.id === made.id)!;
    strictEqual(listed.last_used_ip, "203.0.113.7");
    ok(listed.last_used_at && listed.expires_at);
    ok(!JSON.stringify(listed).includes(made.token), "the secret is never listed");
    strictEqual(await status(await h.request("DELETE", `/tokens/${made.id}`, { cookie: admin })), 204);
    strictEqual(await status(await h.request("GET", "/devices", { token: made.token })), 401);
    strictEqual(await status(await h.request("DELETE", `/tokens/${made.id}`, { cookie: admin })), 409);
    const other = await json<{ id: string; token: string }>(
      await h.request("POST", "/tokens", { cookie: admin, body: { name: "short", scope: "read" } }),
      201,
    );
    await scratch.db.query(
      "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1::uuid",
      [other.id],
    );
    strictEqual(await status(await h.request("GET", "/devices", { token: other.token })), 401);
    strictEqual(await status(await h.request("GET", "/devices", { token: "nst_forged" })), 401);
  });

  await t.step("security headers on every answer", async () => {
    for (const path of ["/health", "/devices", "/nope"]) {
      const answer = await h.request("GET", path);
      await answer.body?.cancel();
      const csp = answer.headers.get("content-security-policy") ?? "";
      ok(
        csp.includes("frame-ancestors 'none'") && csp.includes("script-src 'self'") &&
          !csp.includes("unsafe-inline"),
        csp,
      );
      strictEqual(answer.headers.get("referrer-policy"), "no-referrer");
      strictEqual(answer.headers.get("x-content-type-options"), "nosniff");
      strictEqual(answer.headers.get("cache-control"), "no-store");
    }
  });

  await t.step("the audit log holds every change, with before and after", async () => {
    const page = await json<Page<AuditRecord>>(
      await h.request("GET", "/audit?page_size=500", { cookie: admin }),
    );
    const actions = new Set(page.items.map((entry) => entry.action));
    for (
      const action of [
        "user.create",
        "user.update",
        "user.delete",
        "user.password",
        "user.totp",
        "token.create",
        "token.revoke",
        "device.update",
        "login",
        "login.failed",
        "login.rate_limited",
        "logout",
      ]
    ) {
      ok(actions.has(action), `audit has ${action}`);
    }
    const role = page.items.find((entry) => entry.action === "user.update" && entry.target === "user:alice")!;
    ok(role.username === "admin1" && role.ip_address === "192.0.2.10");
    const filtered = await json<Page<AuditRecord>>(
      await h.request("GET", "/audit?action=user.delete", { cookie: admin }),
    );
    deepStrictEqual(filtered.items.map((entry) => [entry.target, entry.before]), [["user:alice", {
      username: "alice",
      role: "operator",
      is_active: false,
    }]]);
    ok(!JSON.stringify(page).includes("second-password-2"), "no password in the log");
  });
}

async function digestOf(cookie: string): Promise<string> {
  const token = cookie.slice(cookie.indexOf("=") + 1);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The same database behind an app with small limits: 3 failures a user, 5 an address. */
function harnessLimited(h: Harness, scratch: ScratchDatabase, logged: string[]) {
  return createWebApp(apiDeps({
    db: scratch.db,
    passwordCost: h.deps.passwordCost,
    rateLimit: { perUser: 3, perAddress: 5, windowSeconds: 600 },
    log: (line) => logged.push(line),
  }));
}
