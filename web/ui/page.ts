/**
 * The gate and frame of every page: the request's context (deps, client address, who is signed in),
 * the language and theme from cookies, the assets; not signed in → `/login?next=…`; a pending
 * password change → `/password`; a role too low → 403 page.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { VNode } from "preact";
import { hasRole, type Role } from "../../storage/accounts/users.ts";
import type { ApiDeps, ApiEnv } from "../api/context.ts";
import { chooseLang, translator } from "./i18n/index.ts";
import { type PageContext, type Theme, THEMES } from "./context.ts";
import { uiAssets } from "./bundle.ts";
import { ErrorPage, htmlAnswer } from "./render.tsx";

/** Sets `deps`, `clientIp` and an anonymous principal, as the API's first middleware does. */
export function uiContext(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async function uiContext(c, next) {
    c.set("deps", deps);
    const hostname = c.env?.remoteAddr?.hostname;
    c.set("clientIp", typeof hostname === "string" && hostname.length > 0 ? hostname : null);
    c.set("principal", null);
    await next();
  };
}

/** The page context of a request (after `authenticate`). */
export async function pageContext(c: Context<ApiEnv>): Promise<PageContext> {
  const deps = c.get("deps");
  const assets = await uiAssets(deps.log);
  const lang = chooseLang(getCookie(c, "lang"), c.req.header("accept-language"));
  const themeCookie = getCookie(c, "theme");
  const theme: Theme = (THEMES as readonly string[]).includes(themeCookie ?? "")
    ? themeCookie as Theme
    : "auto";
  const capture = deps.health().capture;
  const demo = capture.mode === "demo" || capture.demo === true;
  return {
    t: translator(lang),
    lang,
    theme,
    user: c.get("principal")?.user ?? null,
    url: new URL(c.req.url),
    assets: { css: assets.css.path, js: assets.js?.path ?? null },
    demo,
  };
}

/** True when the signed-in admin must set up a second factor first (`[web] require_totp_for_admins`). */
export function totpPending(c: Context<ApiEnv>): boolean {
  const user = c.get("principal")?.user;
  return Boolean(c.get("deps").requireTotpForAdmins && user?.role === "admin" && !user.totp_enabled);
}

/** A page's renderer: the document, or an answer of its own (a redirect). */
export type PageRender = (c: Context<ApiEnv>, ctx: PageContext) => Promise<VNode | Response>;

/** The handler of a page that needs `role`. */
export function page(role: Role, render: PageRender) {
  return async function page(c: Context<ApiEnv>): Promise<Response> {
    const ctx = await pageContext(c);
    const user = ctx.user;
    if (!user) {
      const next = ctx.url.pathname + ctx.url.search;
      return c.redirect(next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`, 303);
    }
    if (user.must_change_password) return c.redirect("/password", 303);
    if (totpPending(c)) return c.redirect("/totp", 303);
    if (!hasRole(user.role, role)) {
      const message = ctx.t("error.forbidden", {
        role: ctx.t(`role.${role}`),
        current: ctx.t(`role.${user.role}`),
      });
      return htmlAnswer(ErrorPage({ ctx, message }), 403);
    }
    const result = await render(c, ctx);
    return result instanceof Response ? result : htmlAnswer(result);
  };
}
