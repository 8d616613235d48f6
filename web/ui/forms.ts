/**
 * The UI's form posts. Each one calls the API route that does the same thing (web/ui/api_call.ts),
 * so the rules are the API's; the browser gets a redirect (303) on success, or the form again with
 * the API's one-line message.
 *
 * @module
 */

import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import { countUsers } from "../../storage/accounts/users.ts";
import type { ApiEnv } from "../api/context.ts";
import { type ApiFetch, callApi } from "./api_call.ts";
import { isLang } from "./i18n/index.ts";
import type { VNode } from "preact";
import { type PageContext, THEMES } from "./context.ts";
import { pageContext, totpPending } from "./page.ts";
import { htmlAnswer } from "./render.tsx";
import { LoginPage } from "./pages/login.tsx";
import { PasswordPage } from "./pages/password.tsx";
import { TotpPage } from "./pages/totp.tsx";

/** A same-site path to go back to (`/devices?q=x`), else `/`. */
export function safeBack(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])/.test(value) && value.length < 2000 ? value : "/";
}

function field(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

/** A redirect carrying the API's cookies. */
function redirectWith(location: string, cookies: string[]): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const cookie of cookies) headers.append("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}

/** True when no user signed in yet since the first start (the admin still has its one-time password). */
async function firstStart(c: Context<ApiEnv>): Promise<boolean> {
  const db = c.get("deps").db;
  if (await countUsers(db) !== 1) return false;
  const rows = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM users WHERE must_change_password AND last_login IS NULL",
  );
  return rows[0].n === 1;
}

/** GET /login. */
export async function loginForm(c: Context<ApiEnv>): Promise<Response> {
  const ctx = await pageContext(c);
  if (ctx.user) return c.redirect(ctx.user.must_change_password ? "/password" : "/", 303);
  return htmlAnswer(
    LoginPage({ ctx, state: { next: c.req.query("next"), firstStart: await firstStart(c) } }),
  );
}

/** POST /login: `/api/v1/auth/login`, then the page asked for (or the forced password change). */
export function loginPost(api: ApiFetch) {
  return async function loginPost(c: Context<ApiEnv>): Promise<Response> {
    const form = await c.req.parseBody();
    const username = field(form, "username");
    const totp = field(form, "totp");
    const next = safeBack(field(form, "next") || "/");
    const answer = await callApi<{ must_change_password: boolean; totp_setup_required: boolean }>(
      api,
      c,
      "POST",
      "/auth/login",
      { username, password: field(form, "password"), ...(totp ? { totp } : {}) },
    );
    if (answer.body) {
      const then = answer.body.must_change_password
        ? "/password"
        : answer.body.totp_setup_required
        ? "/totp"
        : next;
      return redirectWith(then, answer.cookies);
    }
    const ctx = await pageContext(c);
    const wantsTotp = answer.error?.code === "totp_required" || answer.error?.code === "invalid_totp";
    return htmlAnswer(
      LoginPage({
        ctx,
        state: {
          username,
          next,
          totp: wantsTotp,
          error: answer.error?.code === "totp_required" ? undefined : answer.error?.message,
        },
      }),
      answer.status,
    );
  };
}

/** GET /password. */
export async function passwordForm(c: Context<ApiEnv>): Promise<Response> {
  const ctx = await pageContext(c);
  if (!ctx.user) return c.redirect("/login?next=%2Fpassword", 303);
  return htmlAnswer(PasswordPage({ ctx }));
}

/** POST /password: `/api/v1/auth/password`, then the dashboard. */
export function passwordPost(api: ApiFetch) {
  return async function passwordPost(c: Context<ApiEnv>): Promise<Response> {
    const form = await c.req.parseBody();
    const ctx = await pageContext(c);
    if (!ctx.user) return c.redirect("/login", 303);
    if (field(form, "new_password") !== field(form, "confirm_password")) {
      return htmlAnswer(PasswordPage({ ctx, error: ctx.t("password.mismatch") }), 400);
    }
    const answer = await callApi(api, c, "POST", "/auth/password", {
      current_password: field(form, "current_password"),
      new_password: field(form, "new_password"),
    });
    if (!answer.error) return redirectWith("/", answer.cookies);
    return htmlAnswer(PasswordPage({ ctx, error: answer.error.message }), answer.status);
  };
}

/** GET /totp: the set-up page (only while it is required). */
export async function totpForm(c: Context<ApiEnv>): Promise<Response> {
  const ctx = await pageContext(c);
  if (!ctx.user) return c.redirect("/login", 303);
  if (!totpPending(c)) return c.redirect("/", 303);
  return htmlAnswer(TotpPage({ ctx, state: {} }));
}

/** POST /totp: `step=setup` makes the secret, `step=enable` checks the code and enables it. */
export function totpPost(api: ApiFetch) {
  return async function totpPost(c: Context<ApiEnv>): Promise<Response> {
    const ctx = await pageContext(c);
    if (!ctx.user) return c.redirect("/login", 303);
    const form = await c.req.parseBody();
    if (field(form, "step") === "enable") {
      const answer = await callApi(api, c, "POST", "/auth/totp/enable", { code: field(form, "code") });
      if (!answer.error) return redirectWith("/", answer.cookies);
      // A mistyped code keeps the secret on screen: the authenticator app already holds it.
      const secret = field(form, "secret");
      const uri = field(form, "uri");
      const pending = /^[A-Z2-7]{16,128}$/.test(secret) && uri.startsWith("otpauth://")
        ? { secret, uri }
        : {};
      return htmlAnswer(TotpPage({ ctx, state: { ...pending, error: answer.error.message } }), answer.status);
    }
    const answer = await callApi<{ secret: string; otpauth_uri: string }>(api, c, "POST", "/auth/totp/setup");
    if (!answer.body) {
      return htmlAnswer(TotpPage({ ctx, state: { error: answer.error?.message } }), answer.status);
    }
    return htmlAnswer(TotpPage({ ctx, state: { secret: answer.body.secret, uri: answer.body.otpauth_uri } }));
  };
}

/** POST /logout: `/api/v1/auth/logout`, then the sign-in page. */
export function logoutPost(api: ApiFetch) {
  return async function logoutPost(c: Context<ApiEnv>): Promise<Response> {
    const answer = await callApi(api, c, "POST", "/auth/logout");
    return redirectWith("/login", answer.cookies);
  };
}

/** POST /prefs: the `lang` and `theme` cookies, then back to the page. */
export async function prefsPost(c: Context<ApiEnv>): Promise<Response> {
  const form = await c.req.parseBody();
  const options = { path: "/", maxAge: 365 * 86_400, sameSite: "Lax" as const };
  if (isLang(form.lang)) setCookie(c, "lang", form.lang, options);
  if (typeof form.theme === "string" && (THEMES as readonly string[]).includes(form.theme)) {
    setCookie(c, "theme", form.theme, options);
  }
  return c.redirect(safeBack(form.back), 303);
}

/** POST /devices/:id: `PATCH /api/v1/devices/{id}` with the form's fields, then the device page. */
export function devicePost(
  api: ApiFetch,
  show: (c: Context<ApiEnv>, ctx: PageContext, error: string) => Promise<VNode>,
) {
  return async function devicePost(c: Context<ApiEnv>, ctx: PageContext): Promise<Response> {
    const id = c.req.param("id") ?? "";
    if (!/^\d{1,16}$/.test(id)) return c.redirect("/devices", 303);
    const form = await c.req.parseBody();
    const name = field(form, "device_name").trim();
    const type = field(form, "device_type");
    const notes = field(form, "notes");
    const answer = await callApi(api, c, "PATCH", `/devices/${id}`, {
      device_name: name === "" ? null : name,
      device_type: type === "" ? null : type,
      notes: notes.trim() === "" ? null : notes,
      is_flagged: form.is_flagged === "on" || form.is_flagged === "true",
    });
    if (!answer.error) return redirectWith(`/devices/${id}?saved=1`, answer.cookies);
    return htmlAnswer(await show(c, ctx, answer.error.message), answer.status);
  };
}
