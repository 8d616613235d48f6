/**
 * DHCP: the leases heard on the wire (client, address, server, relay, host name, lease time,
 * renewals). Pools, conflicts and rogue servers get their sections when storage reads them.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { LeaseQuery } from "../../api/routes/insight.ts";
import { listLeases } from "../../../storage/read/dhcp.ts";
import { Layout } from "../components/layout.tsx";
import { EmptyRow, Pager } from "../components/table.tsx";
import { formatCount, formatTime } from "../components/format.ts";
import type { PageContext } from "../context.ts";
import { filterValue, pageQuery } from "../query.ts";

function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds >= 86_400 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}

/** The DHCP page. */
export async function dhcpPage(c: Context<ApiEnv>, ctx: PageContext) {
  const { t, url } = ctx;
  const leases = await listLeases(c.get("deps").db, pageQuery(c, LeaseQuery));
  return (
    <Layout ctx={ctx} title={t("dhcp.title")}>
      <form method="get" action="/dhcp" class="filters" role="search">
        <label>
          {t("dhcp.client")} (MAC)
          <input name="mac" value={filterValue(c, "mac")} maxLength={17} class="mono" />
        </label>
        <label>
          {t("dhcp.server")}
          <input name="server" value={filterValue(c, "server")} maxLength={15} class="mono" />
        </label>
        <button type="submit" class="primary">{t("common.filter")}</button>
        <a href="/dhcp" class="button">{t("common.reset")}</a>
      </form>
      <section aria-labelledby="leases-title">
        <h2 id="leases-title">{t("dhcp.leases")}</h2>
        <div class="table-wrap">
          <table class="grid" id="leases">
            <thead>
              <tr>
                <th scope="col">{t("dhcp.client")}</th>
                <th scope="col">{t("dhcp.ip")}</th>
                <th scope="col">{t("dhcp.hostname")}</th>
                <th scope="col">{t("dhcp.server")}</th>
                <th scope="col">{t("dhcp.relay")}</th>
                <th scope="col">{t("common.vlan")}</th>
                <th scope="col">{t("dhcp.lease")}</th>
                <th scope="col">{t("dhcp.state")}</th>
                <th scope="col" class="num">{t("dhcp.renewals")}</th>
                <th scope="col">{t("common.first_seen")}</th>
                <th scope="col">{t("common.last_seen")}</th>
              </tr>
            </thead>
            <tbody>
              {leases.items.length === 0 && <EmptyRow columns={11} t={t} />}
              {leases.items.map((lease) => (
                <tr>
                  <td class="mono">
                    {lease.device_id !== null
                      ? <a href={`/devices/${lease.device_id}`}>{lease.client_mac}</a>
                      : lease.client_mac}
                  </td>
                  <td class="mono">{lease.ip_address}</td>
                  <td>{lease.hostname ?? "—"}</td>
                  <td class="mono">{lease.server_ip ?? "—"}</td>
                  <td class="mono">{lease.relay_ip ?? "—"}</td>
                  <td class="mono">{lease.vlan_id ?? "—"}</td>
                  <td>{duration(lease.lease_seconds)}</td>
                  <td>{lease.state}</td>
                  <td class="num">{formatCount(lease.renewals)}</td>
                  <td class="mono nowrap">{formatTime(lease.first_seen)}</td>
                  <td class="mono nowrap">{formatTime(lease.last_seen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager url={url} t={t} page={leases.page} pages={leases.pages} total={leases.total} />
      </section>
      {/* Pools, conflicts and servers (rogue ones marked): sections to add here once storage/read reads them. */}
    </Layout>
  );
}
