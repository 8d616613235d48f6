/**
 * OT assets: vendor, model, firmware, serial, role, Purdue level, protocols and children of every
 * device with an OT role, and who talks to whom over the OT protocols (client → server: who
 * controls whom).
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { OtQuery } from "../../api/routes/insight.ts";
import { listOtAssets } from "../../../storage/read/devices.ts";
import { type FlowSummary, listFlows } from "../../../storage/read/flows.ts";
import { Layout } from "../components/layout.tsx";
import { FlowTable } from "../components/flow_table.tsx";
import { EmptyRow, Pager } from "../components/table.tsx";
import { formatBytes, formatPercent } from "../components/format.ts";
import { deviceName } from "../components/rows.ts";
import type { PageContext } from "../context.ts";
import { filterValue, pageQuery } from "../query.ts";

/** Applications of the OT dissectors (dissectors/ot/). */
export const OT_APPLICATIONS = [
  "modbus",
  "s7comm",
  "enip",
  "dnp3",
  "iec104",
  "bacnet",
  "opcua",
  "mqtt",
  "goose",
  "profinet_dcp",
];

function fact(facts: Record<string, unknown>, ...keys: string[]): string {
  for (const key of keys) {
    const value = facts[key];
    if (value !== undefined && value !== null && value !== "") return String(value);
  }
  return "—";
}

/** The OT assets page. */
export async function otPage(c: Context<ApiEnv>, ctx: PageContext) {
  const { t, url } = ctx;
  const db = c.get("deps").db;
  const query = pageQuery(c, OtQuery);
  const [assets, ...conversations] = await Promise.all([
    listOtAssets(db, { ...query, sort: "-bytes" }),
    ...OT_APPLICATIONS.map((application) =>
      listFlows(db, { page: 1, page_size: 20, protocol: application, sort: "-bytes" })
    ),
  ]);
  const flows: FlowSummary[] = conversations.flatMap((page) => page.items).sort((a, b) =>
    b.byte_count - a.byte_count
  )
    .slice(0, 50);
  return (
    <Layout ctx={ctx} title={t("ot.title")}>
      <form method="get" action="/ot" class="filters" role="search">
        <label>
          {t("devices.q")}
          <input type="search" name="q" value={filterValue(c, "q")} maxLength={128} />
        </label>
        <label>
          {t("ot.role")}
          <input name="ot_role" value={filterValue(c, "ot_role")} maxLength={32} />
        </label>
        <button type="submit" class="primary">{t("common.filter")}</button>
        <a href="/ot" class="button">{t("common.reset")}</a>
      </form>
      <div class="table-wrap">
        <table class="grid" id="ot-assets">
          <thead>
            <tr>
              <th scope="col">{t("col.name")}</th>
              <th scope="col">{t("col.ip")}</th>
              <th scope="col">{t("ot.vendor")}</th>
              <th scope="col">{t("ot.model")}</th>
              <th scope="col">{t("ot.firmware")}</th>
              <th scope="col">{t("ot.serial")}</th>
              <th scope="col">{t("ot.role")}</th>
              <th scope="col">{t("col.purdue")}</th>
              <th scope="col">{t("ot.protocols")}</th>
              <th scope="col">{t("device.ot_children")}</th>
              <th scope="col" class="num">{t("col.traffic")}</th>
            </tr>
          </thead>
          <tbody>
            {assets.items.length === 0 && <EmptyRow columns={11} t={t} />}
            {assets.items.map((asset) => (
              <tr>
                <td>
                  <a href={`/devices/${asset.id}`}>{deviceName(asset)}</a>
                  <div class="sub mono">{asset.mac_address}</div>
                </td>
                <td class="mono">{asset.ip_addresses.slice(0, 2).join(", ")}</td>
                <td>
                  {fact(asset.ot_facts, "ot.vendor") === "—"
                    ? asset.oui_vendor ?? "—"
                    : fact(asset.ot_facts, "ot.vendor")}
                </td>
                <td>{fact(asset.ot_facts, "ot.model", "ot.product", "ot.order_number")}</td>
                <td class="mono">{fact(asset.ot_facts, "ot.firmware")}</td>
                <td class="mono">{fact(asset.ot_facts, "ot.serial")}</td>
                <td title={asset.ot_role_reasons.join("\n")}>
                  {asset.ot_role ?? "—"} <span class="sub">{formatPercent(asset.ot_role_confidence)}</span>
                </td>
                <td>{asset.purdue_level !== null ? `L${asset.purdue_level}` : "—"}</td>
                <td>{asset.ot_protocols.join(", ") || "—"}</td>
                <td>{asset.ot_children.length || "—"}</td>
                <td class="num">{formatBytes(asset.total_bytes_sent + asset.total_bytes_received)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager url={url} t={t} page={assets.page} pages={assets.pages} total={assets.total} />
      <section class="card" aria-labelledby="ot-flows">
        <h2 id="ot-flows">{t("ot.controls")}</h2>
        <FlowTable flows={flows} ctx={ctx} />
      </section>
    </Layout>
  );
}
