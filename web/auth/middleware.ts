/**
 * Who is asking and what they may do, as Hono middleware factories:
 *
 * - {@linkcode authenticate}: a `Bearer nst_…` API token, else the session cookie; sets `principal`.
 * - {@linkcode csrfGuard}: a state-changing request carried by the cookie must come from the
 *   appliance's own origin (the `Origin` header, which browsers send on every POST/PATCH/DELETE and
 *   scripts cannot forge from another site). Under the appliance's `Referrer-Policy: no-referrer`,
 *   browsers send `Origin: null` on their own forms; such a request is accepted only with
 *   `Sec-Fetch-Site: same-origin`, which browsers set and pages cannot. The cookie is also
 *   `SameSite=Strict`. Bearer requests carry no ambient credential and are exempt.
 * - {@linkcode requireRole}: signed in, role at least `role`, a read-scoped token only for reads,
 *   and no pending password change or TOTP set-up.
 *
 * @module
 */

import type { Context, MiddlewareHandler, Next } from "hono";
import { getCookie } from "hono/cookie";
import { resolveSession } from "../../storage/accounts/sessions.ts";
import { resolveToken } from "../../storage/accounts/tokens.ts";
import { hasRole, type Role } from "../../storage/accounts/users.ts";
import type { ApiEnv } from "../api/context.ts";
import { ApiError } from "../api/errors.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "ns_session";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function bearerOf(c: Context): string | null {
  const header = c.req.header("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw new ApiError(401, "unauthenticated", 'Cannot authenticate: Authorization must be "Bearer <token>"');
  }
  return match[1];
}

/** Resolves the token or session cookie of the request into `principal` (null: anonymous). */
export function authenticate(): MiddlewareHandler<ApiEnv> {
  return async function authenticate(c: Context<ApiEnv>, next: Next) {
    const deps = c.get("deps");
    c.set("principal", null);
    const bearer = bearerOf(c);
    if (bearer !== null) {
      const found = await resolveToken(deps.db, bearer, c.get("clientIp"));
      if (!found) {
        throw new ApiError(
          401,
          "unauthenticated",
          "Cannot authenticate: the token is unknown, expired or revoked",
        );
      }
      c.set("principal", { user: found.user, via: "token", scope: found.scope });
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) {
        const found = await resolveSession(deps.db, cookie, deps.sessions);
        if (found) {
          c.set("principal", {
            user: found.user,
            via: "session",
            scope: "session",
            sessionDigest: found.digest,
          });
        }
      }
    }
    await next();
  };
}

/** Refuses a state-changing request without a bearer token whose `Origin` is not the appliance's. */
export function csrfGuard(): MiddlewareHandler<ApiEnv> {
  return async function csrfGuard(c: Context<ApiEnv>, next: Next) {
    if (!SAFE_METHODS.has(c.req.method) && !c.req.header("authorization")) {
      const origin = c.req.header("origin");
      const own = new URL(c.req.url).origin;
      const sameSite = (origin === undefined || origin === "null") &&
        c.req.header("sec-fetch-site") === "same-origin";
      const allowed = sameSite || (origin !== undefined &&
        (origin === own || c.get("deps").allowedOrigins.includes(origin)));
      if (!allowed) {
        throw new ApiError(
          403,
          "csrf",
          origin === undefined
            ? "Cannot accept a state-changing request without an Origin header"
            : `Cannot accept a state-changing request from origin ${JSON.stringify(origin.slice(0, 200))}`,
        );
      }
    }
    await next();
  };
}

/** The signed-in principal, or a 401. */
export function principalOf(c: Context<ApiEnv>) {
  const principal = c.get("principal");
  if (!principal) {
    throw new ApiError(401, "unauthenticated", "Cannot answer: sign in first (session expired or absent)");
  }
  return principal;
}

/** Options of {@linkcode requireRole}. */
export interface RequireRoleOptions {
  /** Allowed while a password change or TOTP set-up is pending (the /auth routes). */
  duringSetup?: boolean;
}

/** Signed in with at least `role`; a read-scoped token may only read. */
export function requireRole(role: Role, options: RequireRoleOptions = {}): MiddlewareHandler<ApiEnv> {
  return async function requireRole(c: Context<ApiEnv>, next: Next) {
    const principal = principalOf(c);
    const { user } = principal;
    if (!options.duringSetup) {
      if (user.must_change_password) {
        throw new ApiError(
          403,
          "password_change_required",
          "Cannot answer: change your password first (POST /api/v1/auth/password)",
        );
      }
      if (
        c.get("deps").requireTotpForAdmins && user.role === "admin" && !user.totp_enabled &&
        principal.via === "session"
      ) {
        throw new ApiError(
          403,
          "totp_required",
          "Cannot answer: admins must set up a second factor first (POST /api/v1/auth/totp/setup)",
        );
      }
    }
    if (!hasRole(user.role, role)) {
      throw new ApiError(
        403,
        "forbidden",
        `Cannot answer: this needs the ${role} role, you are ${user.role}`,
      );
    }
    if (principal.scope === "read" && !SAFE_METHODS.has(c.req.method)) {
      throw new ApiError(403, "forbidden", "Cannot answer: this token is read-only");
    }
    await next();
  };
}
