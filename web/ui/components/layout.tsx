/**
 * The page frame: skip link, header with the navigation (by role), the language and theme switches
 * (small POST forms: they work without JavaScript), the user and sign-out, then the content.
 *
 * @module
 */

import type { ComponentChildren } from "preact";
import { hasRole, type Role } from "../../../storage/accounts/users.ts";
import type { MessageKey } from "../i18n/en.ts";
import { LANGUAGES } from "../i18n/index.ts";
import { type PageContext, THEMES } from "../context.ts";

const NAV: { href: string; key: MessageKey; role: Role }[] = [
  { href: "/", key: "nav.dashboard", role: "viewer" },
  { href: "/devices", key: "nav.devices", role: "viewer" },
  { href: "/flows", key: "nav.flows", role: "viewer" },
  { href: "/topology", key: "nav.topology", role: "viewer" },
  { href: "/ot", key: "nav.ot", role: "viewer" },
  { href: "/dhcp", key: "nav.dhcp", role: "viewer" },
  { href: "/events", key: "nav.events", role: "viewer" },
  { href: "/capture", key: "nav.capture", role: "viewer" },
  { href: "/upload", key: "nav.upload", role: "operator" },
  { href: "/settings", key: "nav.settings", role: "admin" },
];

function current(ctx: PageContext, href: string): boolean {
  const path = ctx.url.pathname;
  return href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
}

function Preferences({ ctx }: { ctx: PageContext }) {
  const back = ctx.url.pathname + ctx.url.search;
  const { t } = ctx;
  return (
    <div class="prefs">
      <form method="post" action="/prefs" class="switch" aria-label={t("pref.language")}>
        <input type="hidden" name="back" value={back} />
        {LANGUAGES.map((lang) => (
          <button
            type="submit"
            name="lang"
            value={lang}
            aria-pressed={ctx.lang === lang ? "true" : "false"}
            lang={lang}
          >
            {lang.toUpperCase()}
          </button>
        ))}
      </form>
      <form method="post" action="/prefs" class="switch" aria-label={t("pref.theme")}>
        <input type="hidden" name="back" value={back} />
        {THEMES.map((theme) => (
          <button
            type="submit"
            name="theme"
            value={theme}
            aria-pressed={ctx.theme === theme ? "true" : "false"}
          >
            {t(`pref.theme.${theme}`)}
          </button>
        ))}
      </form>
    </div>
  );
}

/** Props of {@linkcode Layout}. */
export interface LayoutProps {
  ctx: PageContext;
  title: string;
  children: ComponentChildren;
  /** Pages without the navigation (sign-in, password change). */
  bare?: boolean;
}

/** A whole HTML document. */
export function Layout({ ctx, title, children, bare }: LayoutProps) {
  const { t, user } = ctx;
  return (
    <html lang={ctx.lang} data-theme={ctx.theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content={ctx.theme === "auto" ? "light dark" : ctx.theme} />
        <title>{`${title} · ${t("app.name")}`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ctx.assets.css} />
        {ctx.assets.js && <script type="module" src={ctx.assets.js} />}
      </head>
      <body>
        <a class="skip" href="#main">{t("app.skip")}</a>
        <header class="top">
          <a class="brand" href="/">{t("app.name")}</a>
          {!bare && user && (
            <nav aria-label={t("nav.main")}>
              <ul>
                {NAV.filter((item) => hasRole(user.role, item.role)).map((item) => (
                  <li>
                    <a href={item.href} aria-current={current(ctx, item.href) ? "page" : undefined}>
                      {t(item.key)}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          <div class="spacer" />
          <Preferences ctx={ctx} />
          {user && (
            <form method="post" action="/logout" class="logout">
              <span class="who">
                {t("nav.signed_in", { user: user.username, role: t(`role.${user.role}`) })}
              </span>
              <button type="submit">{t("nav.logout")}</button>
            </form>
          )}
        </header>
        {ctx.demo && <p class="banner">{t("app.demo")}</p>}
        <main id="main" tabIndex={-1}>
          <h1>{title}</h1>
          {children}
        </main>
        <footer class="foot">
          <span>{t("app.times")}</span>
          <noscript>{t("app.noscript")}</noscript>
        </footer>
      </body>
    </html>
  );
}
