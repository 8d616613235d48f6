/**
 * The sign-in page: a plain form (works without JavaScript) posting to `/login`, with the
 * authenticator code field shown when the account has a second factor.
 *
 * @module
 */

import { Layout } from "../components/layout.tsx";
import type { PageContext } from "../context.ts";

/** What the form shows again after a failed attempt. */
export interface LoginState {
  username?: string;
  next?: string;
  error?: string;
  /** Ask for the TOTP code. */
  totp?: boolean;
  firstStart?: boolean;
}

/** The sign-in page. */
export function LoginPage({ ctx, state }: { ctx: PageContext; state: LoginState }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("login.title")} bare>
      <form method="post" action="/login" class="card narrow stack" id="login">
        {state.firstStart && <p class="note">{t("login.first_start")}</p>}
        {state.error && <p class="error" role="alert" id="login-error">{state.error}</p>}
        <input type="hidden" name="next" value={state.next ?? ""} />
        <label>
          {t("login.username")}
          <input
            name="username"
            autocomplete="username"
            required
            maxLength={64}
            value={state.username ?? ""}
            autofocus={!state.username}
          />
        </label>
        <label>
          {t("login.password")}
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            maxLength={256}
            autofocus={Boolean(state.username) && !state.totp}
          />
        </label>
        {state.totp && (
          <label>
            {t("login.totp")}
            <input
              name="totp"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6,8}"
              maxLength={8}
              required
              autofocus
              aria-describedby="totp-hint"
            />
            <span class="hint" id="totp-hint">{t("login.totp_hint")}</span>
          </label>
        )}
        <button type="submit" class="primary">{t("login.submit")}</button>
      </form>
    </Layout>
  );
}
