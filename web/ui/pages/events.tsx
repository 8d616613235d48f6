/**
 * Events heard on the wire, newest first: filters (type or `prefix.`, lowest severity, device) as
 * a GET form, pages as links.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { EventQuery } from "../../api/routes/inventory.ts";
import { listEvents, SEVERITIES } from "../../../storage/read/events.ts";
import { Layout } from "../components/layout.tsx";
import { EventRows } from "../components/live_parts.tsx";
import { eventLabels, eventRow } from "../components/rows.ts";
import { Pager } from "../components/table.tsx";
import type { PageContext } from "../context.ts";
import { filterValue, pageQuery } from "../query.ts";

/** The events page. */
export async function eventsPage(c: Context<ApiEnv>, ctx: PageContext) {
  const { t, url } = ctx;
  const events = await listEvents(c.get("deps").db, pageQuery(c, EventQuery));
  return (
    <Layout ctx={ctx} title={t("events.title")}>
      <form method="get" action="/events" class="filters" role="search">
        <label>
          {t("events.type")}
          <input
            name="type"
            value={filterValue(c, "type")}
            maxLength={128}
            placeholder="modbus.write, s7comm."
            class="mono"
          />
        </label>
        <label>
          {t("events.min_severity")}
          <select name="min_severity">
            <option value="">{t("common.any")}</option>
            {SEVERITIES.map((severity) => (
              <option value={severity} selected={filterValue(c, "min_severity") === severity}>
                {severity}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("events.device")}
          <input type="number" name="device" min={1} value={filterValue(c, "device")} class="short" />
        </label>
        <button type="submit" class="primary">{t("common.filter")}</button>
        <a href="/events" class="button">{t("common.reset")}</a>
      </form>
      <div class="table-wrap">
        <EventRows rows={events.items.map(eventRow)} labels={eventLabels(t)} />
      </div>
      <Pager url={url} t={t} page={events.page} pages={events.pages} total={events.total} />
    </Layout>
  );
}
