/**
 * Capture: what `GET /api/v1/capture/status` says (interfaces, rates, drops by kind, plugin health),
 * else the capture part of the appliance's health.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { type ApiFetch, callApi } from "../api_call.ts";
import { Layout } from "../components/layout.tsx";
import { JsonView } from "../components/json_view.tsx";
import type { PageContext } from "../context.ts";

/** The capture page. */
export async function capturePage(c: Context<ApiEnv>, ctx: PageContext, api: ApiFetch) {
  const { t } = ctx;
  const answer = await callApi<Record<string, unknown>>(api, c, "GET", "/capture/status");
  const status = answer.body ?? null;
  const health = c.get("deps").health().capture;
  return (
    <Layout ctx={ctx} title={t("capture.title")}>
      {status === null && <p class="note">{t("capture.unavailable")}</p>}
      <section class="card" aria-labelledby="capture-state">
        <h2 id="capture-state">{t("capture.state")}</h2>
        <JsonView value={status ?? health} />
      </section>
    </Layout>
  );
}
