/**
 * The zones page: the named zones and the default ones (name, kind, what they match, description),
 * the conduits between zones with their protocols (flows that skip a Purdue level marked), and for
 * admins a create form and per-zone edit and delete forms (through `/api/v1/zones`, audited
 * there). Server-rendered only.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { type ApiFetch, callApi } from "../api_call.ts";
import { hasRole } from "../../../storage/accounts/users.ts";
import { getMatrix } from "../../../storage/read/topology_matrix.ts";
import { defaultZones, listZones, type Zone } from "../../../storage/read/zones.ts";
import { formatBytes, formatCount } from "../components/format.ts";
import { Layout } from "../components/layout.tsx";
import { TopologyViews } from "../components/topology_filters.tsx";
import type { PageContext } from "../context.ts";
import { htmlAnswer } from "../render.tsx";

function matchText(zone: Zone, ctx: PageContext): string {
  const parts = [
    zone.vlan_id !== null ? `${ctx.t("common.vlan")} ${zone.vlan_id}` : null,
    zone.subnet,
    zone.purdue_level !== null ? `${ctx.t("topo.purdue_level")} ${zone.purdue_level}` : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

function ZoneFields({ ctx, zone }: { ctx: PageContext; zone?: Zone }) {
  const { t } = ctx;
  return (
    <>
      <label>
        {t("zones.name")}
        <input name="name" required maxLength={64} value={zone?.name ?? ""} />
      </label>
      <label>
        {t("common.vlan")}
        <input type="number" name="vlan_id" min={0} max={4095} class="short" value={zone?.vlan_id ?? ""} />
      </label>
      <label>
        {t("zones.subnet")}
        <input name="subnet" maxLength={49} placeholder="10.1.2.0/24" value={zone?.subnet ?? ""} />
      </label>
      <label>
        {t("topo.purdue_level")}
        <input
          type="number"
          name="purdue_level"
          min={0}
          max={5}
          class="short"
          value={zone?.purdue_level ?? ""}
        />
      </label>
      <label>
        {t("zones.description")}
        <input name="description" maxLength={2000} value={zone?.description ?? ""} />
      </label>
    </>
  );
}

/** The zones page; `error` is a form's refusal by the API. */
export async function zonesPage(c: Context<ApiEnv>, ctx: PageContext, error?: string) {
  const { t } = ctx;
  const db = c.get("deps").db;
  const [zones, defaults, matrix] = await Promise.all([
    listZones(db),
    defaultZones(db),
    getMatrix(db, { by: "zone" }),
  ]);
  const names = new Map(zones.map((zone) => [zone.node_id, zone.name]));
  const conduits = matrix.cells.filter((cell) => cell.row !== cell.column);
  const admin = ctx.user !== null && hasRole(ctx.user.role, "admin");
  const saved = ctx.url.searchParams.get("saved");
  return (
    <Layout ctx={ctx} title={t("zones.title")}>
      <TopologyViews ctx={ctx} />
      <p class="note">{t("zones.intro")}</p>
      {error ? <p class="error" role="alert" id="zone-error">{error}</p> : null}
      {saved ? <p class="ok" role="status">{t("zones.saved")}</p> : null}
      <div class="table-wrap">
        <table class="grid" id="zones">
          <thead>
            <tr>
              <th scope="col">{t("zones.name")}</th>
              <th scope="col">{t("zones.kind")}</th>
              <th scope="col">{t("zones.match")}</th>
              <th scope="col">{t("zones.description")}</th>
              {admin ? <th scope="col">{t("zones.actions")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {zones.map((zone) => (
              <tr data-zone={zone.id}>
                <td>{zone.name}</td>
                <td>{t("zones.kind.named")}</td>
                <td class="mono">{matchText(zone, ctx)}</td>
                <td>{zone.description ?? "—"}</td>
                {admin
                  ? (
                    <td>
                      <details>
                        <summary>{t("zones.edit")}</summary>
                        <form method="post" action={`/topology/zones/${zone.id}`} class="stack zone-edit">
                          <input type="hidden" name="action" value="update" />
                          <ZoneFields ctx={ctx} zone={zone} />
                          <button type="submit" class="primary">{t("common.save")}</button>
                        </form>
                      </details>
                      <form method="post" action={`/topology/zones/${zone.id}`} class="zone-delete">
                        <input type="hidden" name="action" value="delete" />
                        <button type="submit" class="danger">{t("zones.delete")}</button>
                      </form>
                    </td>
                  )
                  : null}
              </tr>
            ))}
            {defaults.map((zone) => (
              <tr>
                <td class="mono">{zone.node_id}</td>
                <td>{t("zones.kind.default")}</td>
                <td class="mono">{zone.node_id}</td>
                <td>{t("zones.default_devices", { n: zone.devices })}</td>
                {admin ? <td /> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {admin
        ? (
          <form method="post" action="/topology/zones" class="filters" id="zone-create">
            <ZoneFields ctx={ctx} />
            <button type="submit" class="primary">{t("zones.create")}</button>
          </form>
        )
        : null}
      <h2>{t("zones.conduits")}</h2>
      {conduits.length === 0 ? <p class="hint">{t("common.empty")}</p> : (
        <div class="table-wrap">
          <table class="grid" id="conduits">
            <thead>
              <tr>
                <th scope="col">{t("common.source")}</th>
                <th scope="col">{t("zones.target")}</th>
                <th scope="col">{t("snap.protocols")}</th>
                <th scope="col" class="num">{t("common.flows")}</th>
                <th scope="col" class="num">{t("common.bytes")}</th>
                <th scope="col">{t("matrix.skips")}</th>
              </tr>
            </thead>
            <tbody>
              {conduits.map((cell) => (
                <tr class={cell.skips_levels ? "skips" : undefined}>
                  <td class="mono">{names.get(cell.row) ?? cell.row}</td>
                  <td class="mono">{names.get(cell.column) ?? cell.column}</td>
                  <td>{cell.protocols.join(", ")}</td>
                  <td class="num">{formatCount(cell.flows)}</td>
                  <td class="num">{formatBytes(cell.bytes)}</td>
                  <td>
                    {cell.skips_levels
                      ? <strong class="skip-mark">{`⚠ ${formatCount(cell.skipping_flows)}`}</strong>
                      : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

function text(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value.trim() : "";
}

/** A form's number field: "" is null, else the number (the API says when it is not one). */
function numberOrNull(value: string): number | string | null {
  if (value === "") return null;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

function zoneBody(form: Record<string, unknown>) {
  return {
    name: text(form, "name"),
    vlan_id: numberOrNull(text(form, "vlan_id")),
    subnet: text(form, "subnet") || null,
    purdue_level: numberOrNull(text(form, "purdue_level")),
    description: text(form, "description") || null,
  };
}

function redirect(location: string, cookies: string[]): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const cookie of cookies) headers.append("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}

/** POST /topology/zones: `POST /api/v1/zones`; POST /topology/zones/:id: `PATCH` or `DELETE` it. */
export function zonePost(api: ApiFetch) {
  return async function zonePost(c: Context<ApiEnv>, ctx: PageContext): Promise<Response> {
    const id = c.req.param("id");
    if (id !== undefined && !/^\d{1,16}$/.test(id)) return c.redirect("/topology/zones", 303);
    const form = await c.req.parseBody();
    const answer = id === undefined
      ? await callApi(api, c, "POST", "/zones", zoneBody(form))
      : form.action === "delete"
      ? await callApi(api, c, "DELETE", `/zones/${id}`)
      : await callApi(api, c, "PATCH", `/zones/${id}`, zoneBody(form));
    if (!answer.error) return redirect("/topology/zones?saved=1", answer.cookies);
    return htmlAnswer(await zonesPage(c, ctx, answer.error.message), answer.status);
  };
}
