/**
 * The communication matrix page: groups (VLAN, subnet, zone or Purdue level) as rows (senders) and
 * columns (receivers), each cell's background as dark as its share of the busiest cell's bytes (a
 * class per step: the CSP allows no inline style), the flows that skip a Purdue level outlined.
 * Server-rendered only.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { MatrixQuery } from "../../api/routes/topology.ts";
import { getMatrix, MATRIX_GROUPINGS, type MatrixCell } from "../../../storage/read/topology_matrix.ts";
import { formatBytes, formatCount } from "../components/format.ts";
import { Layout } from "../components/layout.tsx";
import { TopologyFilters, TopologyViews } from "../components/topology_filters.tsx";
import type { PageContext } from "../context.ts";
import { pageQuery } from "../query.ts";

/** Heat steps 0 (empty) to 8 (the busiest cell), by the square root of the share of bytes. */
export function heatStep(bytes: number, max: number): number {
  if (bytes <= 0 || max <= 0) return 0;
  return Math.max(1, Math.min(8, Math.ceil(8 * Math.sqrt(bytes / max))));
}

/** The matrix page. */
export async function matrixPage(c: Context<ApiEnv>, ctx: PageContext) {
  const { t } = ctx;
  const query = pageQuery(c, MatrixQuery);
  const matrix = await getMatrix(c.get("deps").db, query);
  const cells = new Map<string, MatrixCell>(
    matrix.cells.map((cell) => [`${cell.row}\u0000${cell.column}`, cell]),
  );
  const max = Math.max(0, ...matrix.cells.map((cell) => cell.bytes));
  return (
    <Layout ctx={ctx} title={t("matrix.title")}>
      <TopologyViews ctx={ctx} />
      <TopologyFilters
        c={c}
        ctx={ctx}
        action="/topology/matrix"
        choice={{
          name: "by",
          label: t("matrix.by"),
          value: query.by,
          options: MATRIX_GROUPINGS.map((by) => ({ value: by, label: t(`matrix.by.${by}`) })),
        }}
      />
      <p class="note">{t("matrix.intro")}</p>
      <p class="hint">
        {t("matrix.totals", {
          flows: formatCount(matrix.totals.flows),
          bytes: formatBytes(matrix.totals.bytes),
        })}
      </p>
      <div class="table-wrap">
        <table class="grid heat" id="matrix">
          <thead>
            <tr>
              <th scope="col">{t("matrix.from_to")}</th>
              {matrix.groups.map((group) => <th key={group} scope="col" class="mono">{group}</th>)}
            </tr>
          </thead>
          <tbody>
            {matrix.groups.map((row) => (
              <tr>
                <th scope="row" class="mono">{row}</th>
                {matrix.groups.map((column) => {
                  const cell = cells.get(`${row}\u0000${column}`);
                  if (!cell) return <td key={column} class="cell h0" />;
                  const title = `${row} → ${column}: ${formatCount(cell.flows)} ${t("common.flows")}, ${
                    formatBytes(cell.bytes)
                  }; ${cell.protocols.join(", ")}${cell.skips_levels ? ` (${t("matrix.skips")})` : ""}`;
                  return (
                    <td
                      key={column}
                      class={`cell h${heatStep(cell.bytes, max)}${cell.skips_levels ? " skips" : ""}`}
                      title={title}
                      data-flows={cell.flows}
                    >
                      {formatBytes(cell.bytes)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
