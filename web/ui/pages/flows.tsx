/**
 * The flow list: filters (device, address, port, protocol, VLAN) as a GET form, sortable counters,
 * pages as links.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { FlowQuery } from "../../api/routes/inventory.ts";
import { listFlows } from "../../../storage/read/flows.ts";
import { Layout } from "../components/layout.tsx";
import { FlowTable } from "../components/flow_table.tsx";
import { Pager } from "../components/table.tsx";
import type { PageContext } from "../context.ts";
import { filterValue, pageQuery } from "../query.ts";

/** A query time as a `datetime-local` value (UTC, no zone), or "". */
function localValue(raw: string): string {
  const time = Date.parse(raw.length === 16 || raw.length === 19 ? `${raw}Z` : raw);
  return Number.isNaN(time) ? "" : new Date(time).toISOString().slice(0, 19);
}

/** The flow list page. */
export async function flowsPage(c: Context<ApiEnv>, ctx: PageContext) {
  const { t, url } = ctx;
  const query = pageQuery(c, FlowQuery);
  const sort = query.sort ?? "-bytes";
  const result = await listFlows(c.get("deps").db, { ...query, sort });
  const value = (name: string) => filterValue(c, name);
  return (
    <Layout ctx={ctx} title={t("flows.title")}>
      <form method="get" action="/flows" class="filters" role="search" id="flow-filters">
        <label>
          {t("flows.ip")}
          <input name="ip" value={value("ip")} maxLength={45} class="mono" />
        </label>
        <label>
          {t("flows.port")}
          <input type="number" name="port" min={0} max={65535} value={value("port")} class="short" />
        </label>
        <label>
          {t("common.protocol")}
          <input name="protocol" value={value("protocol")} maxLength={64} placeholder="modbus, dns, 6…" />
        </label>
        <label>
          {t("common.vlan")}
          <input type="number" name="vlan" min={0} max={4095} value={value("vlan")} class="short" />
        </label>
        <label>
          {t("flows.device")}
          <input type="number" name="device" min={1} value={value("device")} class="short" />
        </label>
        <label>
          {t("flows.from")}
          <input type="datetime-local" name="from" value={localValue(value("from"))} step={1} />
        </label>
        <label>
          {t("flows.to")}
          <input type="datetime-local" name="to" value={localValue(value("to"))} step={1} />
        </label>
        {query.sort && <input type="hidden" name="sort" value={query.sort} />}
        <button type="submit" class="primary">{t("common.filter")}</button>
        <a href="/flows" class="button">{t("common.reset")}</a>
      </form>
      <FlowTable flows={result.items} ctx={ctx} sort={sort} />
      <Pager url={url} t={t} page={result.page} pages={result.pages} total={result.total} />
    </Layout>
  );
}
