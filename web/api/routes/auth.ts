/**
 * `/auth`: sign in (password, then TOTP when the user has one), sign out, who am I, change my
 * password, set up or remove my second factor. Every outcome of a sign-in is in the audit log.
 *
 * @module
 */

import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { recordAudit } from "../../../storage/accounts/audit.ts";
import { MAX_PASSWORD_LENGTH, verifyNobody, verifyPassword } from "../../../storage/accounts/password.ts";
import { createSession, deleteSession, purgeSessions } from "../../../storage/accounts/sessions.ts";
import {
  claimTotpStep,
  findUserWithSecrets,
  recordFailedLogin,
  recordLogin,
  setPassword,
  setTotp,
} from "../../../storage/accounts/users.ts";
import { newTotpSecret, totpStep, totpUri } from "../../auth/totp.ts";
import { principalOf, requireRole, SESSION_COOKIE } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { readBody, text } from "../validate.ts";

/** Body of POST /auth/login. */
export const LoginBody = z.object({
  username: text(64).pipe(z.string().min(1)),
  password: text(MAX_PASSWORD_LENGTH),
  totp: z.string().max(16).optional(),
}).strict();

/** Body of POST /auth/password. */
export const PasswordBody = z.object({
  current_password: text(MAX_PASSWORD_LENGTH),
  new_password: text(MAX_PASSWORD_LENGTH),
}).strict();

/** Body of POST /auth/totp/enable. */
export const CodeBody = z.object({ code: z.string().max(16) }).strict();
/** Body of POST /auth/totp/disable. */
export const ConfirmBody = z.object({ password: text(MAX_PASSWORD_LENGTH) }).strict();

const WRONG = "Cannot sign in: wrong user name or password";

/** The `/auth` routes. */
export const authRoutes = new Hono<ApiEnv>();

authRoutes.post("/login", async (c) => {
  const deps = c.get("deps");
  const ip = c.get("clientIp");
  const body = await readBody(c, LoginBody);
  const blocked = deps.limiter.blocked(ip, body.username);
  if (blocked) {
    deps.log(
      `web: login rate limit for "${body.username.slice(0, 64)}" from ${ip ?? "unknown"} (by ${blocked.by})`,
    );
    await recordAudit(deps.db, {
      actor: null,
      action: "login.rate_limited",
      target: `user:${body.username}`,
      details: { by: blocked.by, retry_after_s: blocked.retryAfter },
      ip,
    });
    throw new ApiError(
      429,
      "rate_limited",
      `Cannot sign in: too many failed attempts, retry in ${blocked.retryAfter} s`,
      {
        headers: { "Retry-After": String(blocked.retryAfter) },
      },
    );
  }
  const user = await findUserWithSecrets(deps.db, body.username);
  const failed = async (reason: string, code = "invalid_credentials", message = WRONG) => {
    deps.limiter.fail(ip, body.username);
    if (user) await recordFailedLogin(deps.db, user.id);
    await recordAudit(deps.db, {
      actor: user ? { id: user.id, username: user.username } : null,
      action: "login.failed",
      target: `user:${body.username}`,
      details: { reason },
      ip,
    });
    return new ApiError(401, code, message);
  };
  if (!user || !user.is_active) {
    await verifyNobody(body.password, deps.passwordCost);
    throw await failed(user ? "disabled" : "unknown user");
  }
  if (!await verifyPassword(body.password, user.password_hash)) throw await failed("wrong password");
  if (user.totp_enabled && user.totp_secret) {
    if (body.totp === undefined) {
      throw new ApiError(401, "totp_required", "Cannot sign in: enter the code of your authenticator app", {
        field: "totp",
      });
    }
    const step = totpStep(user.totp_secret, body.totp);
    if (step === null) {
      throw await failed("wrong TOTP code", "invalid_totp", "Cannot sign in: wrong authenticator code");
    }
    if (!await claimTotpStep(deps.db, user.id, step)) {
      throw await failed(
        "TOTP code used twice",
        "invalid_totp",
        "Cannot sign in: this authenticator code was used already; wait for the next one",
      );
    }
  }
  // Expired sessions are deleted here, at the rate of sign-ins: no timer, and the table stays small.
  await purgeSessions(deps.db);
  const session = await createSession(deps.db, user.id, deps.sessions, {
    ip,
    userAgent: c.req.header("user-agent"),
  });
  await recordLogin(deps.db, user.id);
  deps.limiter.succeed(body.username);
  await recordAudit(deps.db, {
    actor: { id: user.id, username: user.username },
    action: "login",
    target: `user:${user.username}`,
    ip,
  });
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "Strict",
    secure: deps.secureCookies,
    path: "/",
    maxAge: deps.sessions.absoluteSeconds,
  });
  const { password_hash: _hash, totp_secret: _secret, ...shown } = user;
  return c.json({
    user: shown,
    must_change_password: user.must_change_password,
    totp_setup_required: deps.requireTotpForAdmins && user.role === "admin" && !user.totp_enabled,
  });
});

authRoutes.post("/logout", requireRole("viewer", { duringSetup: true }), async (c) => {
  const principal = principalOf(c);
  if (principal.sessionDigest) await deleteSession(c.get("deps").db, principal.sessionDigest);
  await recordAudit(c.get("deps").db, {
    actor: { id: principal.user.id, username: principal.user.username },
    action: "logout",
    target: `user:${principal.user.username}`,
    ip: c.get("clientIp"),
  });
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  return c.body(null, 204);
});

authRoutes.get("/me", requireRole("viewer", { duringSetup: true }), (c) => {
  const principal = principalOf(c);
  return c.json({ user: principal.user, via: principal.via, scope: principal.scope });
});

authRoutes.post("/password", requireRole("viewer", { duringSetup: true }), async (c) => {
  const deps = c.get("deps");
  const principal = principalOf(c);
  const body = await readBody(c, PasswordBody);
  const ip = c.get("clientIp");
  const blocked = deps.limiter.blocked(ip, principal.user.username);
  if (blocked) {
    throw new ApiError(
      429,
      "rate_limited",
      `Cannot change the password: too many failed attempts, retry in ${blocked.retryAfter} s`,
      {
        headers: { "Retry-After": String(blocked.retryAfter) },
      },
    );
  }
  const user = await findUserWithSecrets(deps.db, principal.user.username);
  if (!user || !await verifyPassword(body.current_password, user.password_hash)) {
    deps.limiter.fail(ip, principal.user.username);
    throw new ApiError(
      403,
      "invalid_credentials",
      "Cannot change the password: the current password is wrong",
      {
        field: "current_password",
      },
    );
  }
  if (body.new_password === body.current_password) {
    throw new ApiError(400, "invalid", "Cannot change the password: the new one must differ", {
      field: "new_password",
    });
  }
  await deps.db.transaction(async (tx) => {
    await setPassword(tx, user.id, body.new_password, {
      keepSessionDigest: principal.sessionDigest,
      cost: deps.passwordCost,
    });
    await recordAudit(tx, {
      actor: { id: user.id, username: user.username },
      action: "user.password",
      target: `user:${user.username}`,
      before: { must_change_password: user.must_change_password },
      after: { must_change_password: false },
      ip,
    });
  });
  return c.body(null, 204);
});

authRoutes.post("/totp/setup", requireRole("viewer", { duringSetup: true }), async (c) => {
  const deps = c.get("deps");
  const { user } = principalOf(c);
  if (user.totp_enabled) {
    throw new ApiError(409, "conflict", "Cannot set up a second factor: one is enabled (remove it first)");
  }
  const secret = newTotpSecret();
  await setTotp(deps.db, user.id, secret, false);
  return c.json({ secret, otpauth_uri: totpUri(secret, user.username) });
});

authRoutes.post("/totp/enable", requireRole("viewer", { duringSetup: true }), async (c) => {
  const deps = c.get("deps");
  const { user } = principalOf(c);
  const body = await readBody(c, CodeBody);
  const secrets = await findUserWithSecrets(deps.db, user.username);
  if (!secrets?.totp_secret || secrets.totp_enabled) {
    throw new ApiError(
      409,
      "conflict",
      "Cannot enable the second factor: set it up first (POST /auth/totp/setup)",
    );
  }
  const step = totpStep(secrets.totp_secret, body.code);
  if (step === null) {
    throw new ApiError(400, "invalid", "Cannot enable the second factor: wrong code", { field: "code" });
  }
  await deps.db.transaction(async (tx) => {
    await setTotp(tx, user.id, secrets.totp_secret, true);
    await claimTotpStep(tx, user.id, step); // the enabling code cannot also sign in
    await recordAudit(tx, {
      actor: { id: user.id, username: user.username },
      action: "user.totp",
      target: `user:${user.username}`,
      before: { totp_enabled: false },
      after: { totp_enabled: true },
      ip: c.get("clientIp"),
    });
  });
  return c.body(null, 204);
});

authRoutes.post("/totp/disable", requireRole("viewer", { duringSetup: true }), async (c) => {
  const deps = c.get("deps");
  const { user } = principalOf(c);
  const body = await readBody(c, ConfirmBody);
  const secrets = await findUserWithSecrets(deps.db, user.username);
  if (!secrets || !await verifyPassword(body.password, secrets.password_hash)) {
    throw new ApiError(403, "invalid_credentials", "Cannot remove the second factor: wrong password", {
      field: "password",
    });
  }
  await deps.db.transaction(async (tx) => {
    await setTotp(tx, user.id, null, false);
    await recordAudit(tx, {
      actor: { id: user.id, username: user.username },
      action: "user.totp",
      target: `user:${user.username}`,
      before: { totp_enabled: secrets.totp_enabled },
      after: { totp_enabled: false },
      ip: c.get("clientIp"),
    });
  });
  return c.body(null, 204);
});
