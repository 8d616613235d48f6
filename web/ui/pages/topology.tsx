/**
 * The logical topology page: the filters (level, VLAN, protocol, time window) as a GET form, the
 * map drawn by the TopologyMap island (its own bundle, loaded by this page only), and the links as a
 * table, which is the whole page without JavaScript.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { TopologyQuery } from "../../api/routes/topology.ts";
import { getTopology, TOPOLOGY_LEVELS } from "../../../storage/read/topology.ts";
import { hasRole } from "../../../storage/accounts/users.ts";
import { uiAssets } from "../bundle.ts";
import { formatBytes, formatCount } from "../components/format.ts";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { EmptyRow, withQuery } from "../components/table.tsx";
import { TopologyFilters, TopologyViews } from "../components/topology_filters.tsx";
import type { PageContext } from "../context.ts";
import { pageQuery } from "../query.ts";
import type { MapWords, TopologyMapProps } from "../islands/topology_props.ts";

function wordsOf(ctx: PageContext): MapWords {
  const { t } = ctx;
  return {
    search: t("topo.search"),
    layout: t("topo.layout"),
    force: t("topo.force"),
    purdue: t("topo.purdue"),
    type: t("topo.type"),
    vendor: t("topo.vendor"),
    vlans: t("topo.vlans"),
    purdueLevel: t("topo.purdue_level"),
    addresses: t("topo.addresses"),
    bytes: t("common.bytes"),
    open: t("topo.open"),
    close: t("topo.close"),
    saved: t("topo.saved"),
    saveFailed: t("topo.save_failed"),
    notFound: t("topo.not_found"),
    map: t("topo.map"),
    png: t("topo.png"),
  };
}

/** The API's answer to the page's filters, as JSON or GraphML (a download). */
function exportUrl(url: URL, format: "json" | "graphml"): string {
  const query = new URLSearchParams();
  for (const [key, value] of url.searchParams) if (value !== "") query.set(key, value);
  query.set("format", format);
  return `/api/v1/topology?${query}`;
}

/** The topology page. */
export async function topologyPage(c: Context<ApiEnv>, ctx: PageContext) {
  const { t, url } = ctx;
  const { format: _format, ...query } = pageQuery(c, TopologyQuery);
  const deps = c.get("deps");
  const topology = await getTopology(deps.db, query);
  const script = (await uiAssets(deps.log)).topology?.path ?? null;
  const labels = new Map(topology.nodes.map((node) => [node.id, node.label]));
  const canMove = ctx.user !== null && hasRole(ctx.user.role, "operator");
  const props: TopologyMapProps = {
    nodes: topology.nodes.map((
      { id, label, type, vendor, vlans, purdue_level, bytes, devices, ips, device_id, mac_address, x, y },
    ) => ({
      id,
      label,
      type,
      vendor,
      vlans,
      purdue_level,
      bytes,
      devices,
      ips,
      device_id,
      mac_address,
      x,
      y,
    })),
    edges: topology.edges.map(({ source, target, protocols, packets, bytes }) => ({
      source,
      target,
      protocols,
      packets,
      bytes,
    })),
    canMove,
    words: wordsOf(ctx),
  };
  const subnets = topology.aggregated ? topology.nodes.filter((node) => node.type === "subnet") : [];
  return (
    <Layout ctx={ctx} title={t("topo.title")}>
      <TopologyViews ctx={ctx} />
      <TopologyFilters
        c={c}
        ctx={ctx}
        action="/topology"
        choice={{
          name: "level",
          label: t("topo.level"),
          value: query.level,
          options: TOPOLOGY_LEVELS.map((level) => ({ value: level, label: t(`topo.level.${level}`) })),
        }}
      />
      <p class="hint">
        {t("topo.nodes", {
          nodes: formatCount(topology.nodes.length),
          edges: formatCount(topology.edges.length),
        })}
        {canMove && ` · ${t("topo.move_hint")}`}
      </p>
      {topology.aggregated && <p class="note">{t("topo.aggregated")}</p>}
      {topology.truncated && (
        <p class="note">{t("topo.truncated", { nodes: formatCount(topology.nodes.length) })}</p>
      )}
      {subnets.length > 0 && (
        <ul class="topo-subnets">
          {subnets.map((node) => (
            <li>
              <a href={withQuery(url, { level: "device", expand: node.id })}>
                {`${t("topo.open_subnet")} ${node.label}`}
              </a>
            </li>
          ))}
        </ul>
      )}
      {script && <Island name="TopologyMap" props={props} class="topo-island" />}
      {script && <script type="module" src={script} />}
      <p class="topo-exports">
        {t("topo.export")}: <a href={exportUrl(url, "json")} download>JSON</a>
        {" · "}
        <a href={exportUrl(url, "graphml")} download>GraphML</a>
      </p>
      <h2>{t("topo.edges")}</h2>
      <div class="table-wrap">
        <table class="grid" id="topology-edges">
          <thead>
            <tr>
              <th scope="col">{t("common.source")}</th>
              <th scope="col">{t("topo.target")}</th>
              <th scope="col">{t("topo.protocols")}</th>
              <th scope="col" class="num">{t("common.packets")}</th>
              <th scope="col" class="num">{t("common.bytes")}</th>
            </tr>
          </thead>
          <tbody>
            {topology.edges.length === 0 && <EmptyRow columns={5} t={t} />}
            {topology.edges.map((edge) => (
              <tr>
                <td>{labels.get(edge.source) ?? edge.source}</td>
                <td>{labels.get(edge.target) ?? edge.target}</td>
                <td>{edge.protocols.join(", ")}</td>
                <td class="num">{formatCount(edge.packets)}</td>
                <td class="num">{formatBytes(edge.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
