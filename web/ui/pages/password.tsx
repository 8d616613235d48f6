/**
 * The password change page (forced at first sign-in with a one-time password): a plain form
 * posting to `/password`.
 *
 * @module
 */

import { Layout } from "../components/layout.tsx";
import type { PageContext } from "../context.ts";

/** The password change page. */
export function PasswordPage({ ctx, error }: { ctx: PageContext; error?: string }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("password.title")} bare>
      <form method="post" action="/password" class="card narrow stack" id="password">
        {ctx.user?.must_change_password && <p class="note">{t("password.forced")}</p>}
        {error && <p class="error" role="alert" id="password-error">{error}</p>}
        <input type="text" name="username" autocomplete="username" value={ctx.user?.username} hidden />
        <label>
          {t("password.current")}
          <input name="current_password" type="password" autocomplete="current-password" required autofocus />
        </label>
        <label>
          {t("password.new")}
          <input
            name="new_password"
            type="password"
            autocomplete="new-password"
            required
            minLength={12}
            maxLength={256}
            aria-describedby="password-rule"
          />
          <span class="hint" id="password-rule">{t("password.rule")}</span>
        </label>
        <label>
          {t("password.confirm")}
          <input
            name="confirm_password"
            type="password"
            autocomplete="new-password"
            required
            minLength={12}
          />
        </label>
        <button type="submit" class="primary">{t("password.submit")}</button>
      </form>
    </Layout>
  );
}
