/**
 * Setting up the second factor, required of admins when `[web] require_totp_for_admins` is set: a
 * button makes a secret (`POST /api/v1/auth/totp/setup`), shown with its otpauth URI to enter in an
 * authenticator app; the code it then shows enables it (`POST /api/v1/auth/totp/enable`).
 *
 * @module
 */

import { Layout } from "../components/layout.tsx";
import type { PageContext } from "../context.ts";

/** What the page shows: nothing yet, or the new secret; and the API's refusal. */
export interface TotpState {
  secret?: string;
  uri?: string;
  error?: string;
}

/** The TOTP set-up page. */
export function TotpPage({ ctx, state }: { ctx: PageContext; state: TotpState }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("totp.title")} bare>
      <div class="card narrow stack">
        <p class="note">{t("totp.required")}</p>
        {state.error && <p class="error" role="alert">{state.error}</p>}
        {state.secret
          ? (
            <form method="post" action="/totp" class="stack" id="totp-enable">
              <p>{t("totp.enter")}</p>
              <p class="mono break" id="totp-secret">{state.secret}</p>
              <p class="mono break sub">{state.uri}</p>
              <input type="hidden" name="step" value="enable" />
              <input type="hidden" name="secret" value={state.secret} />
              <input type="hidden" name="uri" value={state.uri} />
              <label>
                {t("login.totp")}
                <input
                  name="code"
                  inputMode="numeric"
                  autocomplete="one-time-code"
                  pattern="[0-9]{6,8}"
                  maxLength={8}
                  required
                  autofocus
                />
              </label>
              <button type="submit" class="primary">{t("totp.enable")}</button>
            </form>
          )
          : (
            <form method="post" action="/totp" id="totp-setup">
              <input type="hidden" name="step" value="setup" />
              <button type="submit" class="primary">{t("totp.setup")}</button>
            </form>
          )}
      </div>
    </Layout>
  );
}
