/**
 * Steps of web/api_test.ts: sessions (cookie flags, logout, idle and absolute expiry, purge), the
 * TOTP rule for admins, CSRF and the login rate limit.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ScratchDatabase } from "../storage/_testing.ts";
import { cookieOf, type Harness, ORIGIN, status } from "./_testing.ts";
import { apiDeps, createWebApp } from "./app.ts";

/** The session steps. */
export async function sessionSteps(t: Deno.TestContext, h: Harness, scratch: ScratchDatabase): Promise<void> {
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
