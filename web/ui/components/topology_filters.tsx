/**
 * The map pages' shared parts: the GET filter form (level, VLAN, protocol, time window; the matrix
 * asks for its grouping instead of the level) and the links between the three map views.
 *
 * @module
 */

import type { Context } from "hono";
import type { PageContext } from "../context.ts";
import { filterValue } from "../query.ts";

/** A query time as a `datetime-local` value (UTC, no zone), or "". */
function localValue(raw: string): string {
  const time = Date.parse(raw.length === 16 || raw.length === 19 ? `${raw}Z` : raw);
  return Number.isNaN(time) ? "" : new Date(time).toISOString().slice(0, 19);
}

/** Props of {@linkcode TopologyFilters}. */
export interface TopologyFiltersProps {
  c: Context;
  ctx: PageContext;
  action: string;
  /** The first field: its name (`level`, `by`), its choices and label keys. */
  choice: { name: string; label: string; options: { value: string; label: string }[]; value: string };
}

/** The filter form of a map page. */
export function TopologyFilters({ c, ctx, action, choice }: TopologyFiltersProps) {
  const { t } = ctx;
  const value = (name: string) => filterValue(c, name);
  return (
    <form method="get" action={action} class="filters" role="search" id="topology-filters">
      <label>
        {choice.label}
        <select name={choice.name}>
          {choice.options.map((option) => (
            <option value={option.value} selected={option.value === choice.value}>{option.label}</option>
          ))}
        </select>
      </label>
      <label>
        {t("common.vlan")}
        <input type="number" name="vlan" min={0} max={4095} value={value("vlan")} class="short" />
      </label>
      <label>
        {t("common.protocol")}
        <input name="protocol" value={value("protocol")} maxLength={64} placeholder="modbus, dns, 6…" />
      </label>
      <label>
        {t("flows.from")}
        <input type="datetime-local" name="from" value={localValue(value("from"))} step={1} />
      </label>
      <label>
        {t("flows.to")}
        <input type="datetime-local" name="to" value={localValue(value("to"))} step={1} />
      </label>
      <button type="submit" class="primary">{t("common.filter")}</button>
      <a href={action} class="button">{t("common.reset")}</a>
    </form>
  );
}

/** Links between the logical map, the physical topology and the matrix. */
export function TopologyViews({ ctx }: { ctx: PageContext }) {
  const { t, url } = ctx;
  const views = [
    { href: "/topology", label: t("topo.logical") },
    { href: "/topology/l2", label: t("topo.l2") },
    { href: "/topology/matrix", label: t("topo.matrix") },
    { href: "/topology/zones", label: t("topo.zones") },
    { href: "/topology/snapshots", label: t("topo.snapshots") },
  ];
  return (
    <nav class="topo-views" aria-label={t("topo.views")}>
      {views.map((view) => (
        <a href={view.href} aria-current={url.pathname === view.href ? "page" : undefined}>{view.label}</a>
      ))}
    </nav>
  );
}
