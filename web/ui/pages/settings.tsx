/**
 * Settings (admins): the users, the API tokens, the audit log (paged, newest first) and the running
 * configuration, read only.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { AuditQuery } from "../../api/routes/accounts.ts";
import { listAudit } from "../../../storage/accounts/audit.ts";
import { listTokens } from "../../../storage/accounts/tokens.ts";
import { listUsers } from "../../../storage/accounts/users.ts";
import { Layout } from "../components/layout.tsx";
import { JsonView } from "../components/json_view.tsx";
import { EmptyRow, Pager } from "../components/table.tsx";
import { formatTime } from "../components/format.ts";
import type { PageContext } from "../context.ts";
import { pageQuery } from "../query.ts";

function change(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What an entry changed: the keys whose value differs (`key: before → after`), else both whole. */
export function changedKeys(before: unknown, after: unknown): string[] | null {
  if (!isRecord(before) || !isRecord(after)) return null;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => `${key}: ${JSON.stringify(before[key] ?? null)} → ${JSON.stringify(after[key] ?? null)}`);
}

function AuditChange({ before, after }: { before: unknown; after: unknown }) {
  const keys = changedKeys(before, after);
  if (keys) return <>{keys.map((line) => <div key={line}>{line}</div>)}</>;
  if (before === null || before === undefined) return <>{change(after)}</>;
  return <>{`${change(before)} → ${change(after) || "—"}`}</>;
}

/** The settings page. */
export async function settingsPage(c: Context<ApiEnv>, ctx: PageContext, runningConfig?: () => unknown) {
  const { t, url } = ctx;
  const deps = c.get("deps");
  const query = pageQuery(c, AuditQuery);
  const [users, tokens, audit] = await Promise.all([
    listUsers(deps.db),
    listTokens(deps.db),
    listAudit(deps.db, query),
  ]);
  const config = runningConfig?.() ?? {
    web: {
      secure_cookies: deps.secureCookies,
      allowed_origins: deps.allowedOrigins,
      require_totp_for_admins: deps.requireTotpForAdmins,
      session_idle_minutes: deps.sessions.idleSeconds / 60,
      session_max_hours: deps.sessions.absoluteSeconds / 3600,
    },
  };
  return (
    <Layout ctx={ctx} title={t("settings.title")}>
      <p class="sub">{t("settings.manage_hint")}</p>
      <div class="cols">
        <section class="card" aria-labelledby="users-title">
          <h2 id="users-title">{t("settings.users")}</h2>
          <table class="grid" id="users">
            <thead>
              <tr>
                <th scope="col">{t("settings.username")}</th>
                <th scope="col">{t("settings.role")}</th>
                <th scope="col">{t("settings.active")}</th>
                <th scope="col">{t("settings.totp")}</th>
                <th scope="col">{t("settings.must_change")}</th>
                <th scope="col">{t("settings.last_login")}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr>
                  <td>{user.username}</td>
                  <td>{t(`role.${user.role}`)}</td>
                  <td>{t(user.is_active ? "common.yes" : "common.no")}</td>
                  <td>{t(user.totp_enabled ? "common.yes" : "common.no")}</td>
                  <td>{t(user.must_change_password ? "common.yes" : "common.no")}</td>
                  <td class="mono nowrap">{formatTime(user.last_login)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card" aria-labelledby="tokens-title">
          <h2 id="tokens-title">{t("settings.tokens")}</h2>
          <table class="grid" id="tokens">
            <thead>
              <tr>
                <th scope="col">{t("settings.token_name")}</th>
                <th scope="col">{t("settings.username")}</th>
                <th scope="col">{t("settings.scope")}</th>
                <th scope="col">{t("settings.expires")}</th>
                <th scope="col">{t("settings.revoked")}</th>
                <th scope="col">{t("settings.last_used")}</th>
              </tr>
            </thead>
            <tbody>
              {tokens.length === 0 && <EmptyRow columns={6} t={t} />}
              {tokens.map((token) => (
                <tr>
                  <td>{token.name}</td>
                  <td>{token.username}</td>
                  <td>{token.scope}</td>
                  <td class="mono nowrap">{formatTime(token.expires_at)}</td>
                  <td class="mono nowrap">{formatTime(token.revoked_at)}</td>
                  <td class="mono nowrap">
                    {formatTime(token.last_used_at)} {token.last_used_ip ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <section class="card" aria-labelledby="audit-title">
        <h2 id="audit-title">{t("settings.audit")}</h2>
        <div class="table-wrap">
          <table class="grid" id="audit">
            <thead>
              <tr>
                <th scope="col">{t("common.time")}</th>
                <th scope="col">{t("settings.username")}</th>
                <th scope="col">{t("settings.action")}</th>
                <th scope="col">{t("settings.target")}</th>
                <th scope="col">{t("settings.change")}</th>
                <th scope="col">{t("settings.ip")}</th>
              </tr>
            </thead>
            <tbody>
              {audit.items.length === 0 && <EmptyRow columns={6} t={t} />}
              {audit.items.map((entry) => (
                <tr data-action={entry.action}>
                  <td class="mono nowrap">{formatTime(entry.time)}</td>
                  <td>{entry.username ?? "—"}</td>
                  <td class="mono">{entry.action}</td>
                  <td class="mono">{entry.target ?? "—"}</td>
                  <td class="mono break">
                    <AuditChange before={entry.before} after={entry.after} />
                    {Object.keys(entry.details ?? {}).length > 0 && (
                      <div class="sub">{change(entry.details)}</div>
                    )}
                  </td>
                  <td class="mono">{entry.ip_address ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager url={url} t={t} page={audit.page} pages={audit.pages} total={audit.total} />
      </section>
      <section class="card" aria-labelledby="config-title">
        <h2 id="config-title">{t("settings.config")}</h2>
        <JsonView value={config} />
      </section>
    </Layout>
  );
}
