/**
 * Steps of web/api_test.ts: users (create, forced password change, role, disable, delete, last
 * admin), TOTP, token revocation and expiry, security headers, and the audit log of every change
 * (last: it checks the changes of every earlier step).
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ScratchDatabase } from "../storage/_testing.ts";
import type { AuditRecord } from "../storage/accounts/audit.ts";
import type { Page } from "../storage/read/sql.ts";
import type { User } from "../storage/accounts/users.ts";
import { totpCode } from "./auth/totp.ts";
import { cookieOf, type Harness, json, status } from "./_testing.ts";

/** The account steps. */
export async function accountSteps(t: Deno.TestContext, h: Harness, scratch: ScratchDatabase): Promise<void> {
  const admin = h.as.admin.cookie;
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
    const replayed = await h.request("POST", "/auth/login", {
      body: { username: "operator1", password: h.as.operator.password, totp: totpCode(setup.secret) },
    });
    strictEqual(replayed.status, 401, "the enabling code does not sign in (RFC 6238 §5.2)");
    strictEqual((await replayed.json()).error.code, "invalid_totp");
    // The next step's code (accepted one step early, as a clock drift allows).
    const next = totpCode(setup.secret, Date.now() + 30_000);
    const good = await h.request("POST", "/auth/login", {
      body: { username: "operator1", password: h.as.operator.password, totp: next },
    });
    strictEqual(good.status, 200);
    await good.body?.cancel();
    const again = await h.request("POST", "/auth/login", {
      body: { username: "operator1", password: h.as.operator.password, totp: next },
    });
    strictEqual(again.status, 401, "a code signs in once");
    ok((await again.json()).error.message.includes("used already"));
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
