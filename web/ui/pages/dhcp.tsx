/**
 * DHCP: the leases heard on the wire (client, address, server, relay, host name, lease time,
 * renewals). Pools, conflicts and rogue servers get their sections when storage reads them.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { z } from "zod";
import { paging } from "../../api/validate.ts";
import { listLeases } from "../../../storage/read/dhcp.ts";
import { type ApiFetch, callApi } from "../api_call.ts";
import { Layout } from "../components/layout.tsx";
import {
  ConflictsTable,
  type DhcpConflictRow,
  type DhcpPoolRow,
  type DhcpServerRow,
  PoolsTable,
  type ReservationRow,
  ReservationsTable,
  ServersTable,
} from "../components/dhcp_tables.tsx";
import { EmptyRow, Pager } from "../components/table.tsx";
import { formatCount, formatTime } from "../components/format.ts";
import type { PageContext } from "../context.ts";
import { filterValue, pageQuery } from "../query.ts";

/** Query of the leases table (the same checks as `GET /api/v1/dhcp/leases`). */
export const LeasePageQuery = z.object({
  ...paging,
  mac: z.string().regex(
    /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i,
    "must be a MAC address such as 00:1b:1b:23:eb:3b",
  )
    .transform((mac) => mac.replaceAll("-", ":").toLowerCase()).optional(),
  server: z.string().regex(/^(\d{1,3})(\.\d{1,3}){3}$/, "must be an IPv4 address").optional(),
}).strict();

/** The DHCP views the API may offer besides the leases (absent routes are left out). */
const EXTRAS = [
  { path: "/dhcp/servers", key: "dhcp.servers" },
  { path: "/dhcp/pools", key: "dhcp.pools" },
  { path: "/dhcp/conflicts", key: "dhcp.conflicts" },
  { path: "/dhcp/reservations", key: "dhcp.reservations" },
] as const;

function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds >= 86_400 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}

/** The DHCP page. */
export async function dhcpPage(c: Context<ApiEnv>, ctx: PageContext, api: ApiFetch) {
  const { t, url } = ctx;
  const [leases, ...extras] = await Promise.all([
    listLeases(c.get("deps").db, pageQuery(c, LeasePageQuery)),
    ...EXTRAS.map((extra) => callApi<{ items?: unknown[] }>(api, c, "GET", extra.path)),
  ]);
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
      {EXTRAS.map((extra, index) => {
        const items = extras[index].body?.items;
        if (!Array.isArray(items)) return null;
        return (
          <section class="card" aria-labelledby={`dhcp-${index}`} key={extra.path}>
            <h2 id={`dhcp-${index}`}>{t(extra.key)}</h2>
            {items.length === 0 ? <p class="sub">{t("common.empty")}</p> : (
              <div class="table-wrap">
                {extra.path === "/dhcp/servers" && <ServersTable rows={items as DhcpServerRow[]} t={t} />}
                {extra.path === "/dhcp/pools" && <PoolsTable rows={items as DhcpPoolRow[]} t={t} />}
                {extra.path === "/dhcp/conflicts" && (
                  <ConflictsTable rows={items as DhcpConflictRow[]} t={t} />
                )}
                {extra.path === "/dhcp/reservations" && (
                  <ReservationsTable rows={items as ReservationRow[]} t={t} />
                )}
              </div>
            )}
          </section>
        );
      })}
    </Layout>
  );
}
