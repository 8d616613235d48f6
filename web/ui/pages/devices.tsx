/**
 * The device list: filters (search, VLAN, type, vendor, OT role, state) as a GET form, sortable
 * columns and pages as links; all of it works without JavaScript.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { DEVICE_TYPES, DeviceQuery } from "../../api/routes/inventory.ts";
import { listDevices } from "../../../storage/read/devices.ts";
import { Layout } from "../components/layout.tsx";
import { EmptyRow, Pager, SortHeader } from "../components/table.tsx";
import { formatBytes, formatTime } from "../components/format.ts";
import { deviceName } from "../components/rows.ts";
import type { PageContext } from "../context.ts";
import { filterValue, pageQuery } from "../query.ts";

const OT_ROLES = [
  "plc",
  "rtu",
  "ied",
  "hmi",
  "scada",
  "engineering_workstation",
  "historian",
  "io_device",
  "gateway",
];

/** The device list page. */
export async function devicesPage(c: Context<ApiEnv>, ctx: PageContext) {
  const { t, url } = ctx;
  const query = pageQuery(c, DeviceQuery);
  const sort = query.sort ?? "-last_seen";
  const result = await listDevices(c.get("deps").db, { ...query, sort });
  const value = (name: string) => filterValue(c, name);
  const header = (key: string | undefined, label: string, firstDescending = false, cls?: string) => (
    <SortHeader url={url} t={t} sortKey={key} sort={sort} firstDescending={firstDescending} class={cls}>
      {label}
    </SortHeader>
  );
  return (
    <Layout ctx={ctx} title={t("devices.title")}>
      <form method="get" action="/devices" class="filters" role="search" id="device-filters">
        <label>
          {t("devices.q")}
          <input
            type="search"
            name="q"
            value={value("q")}
            placeholder={t("devices.q_hint")}
            maxLength={128}
          />
        </label>
        <label>
          {t("devices.vlan")}
          <input type="number" name="vlan" min={0} max={4095} value={value("vlan")} class="short" />
        </label>
        <label>
          {t("devices.type")}
          <select name="type">
            <option value="">{t("common.any")}</option>
            {DEVICE_TYPES.map((type) => (
              <option key={type} value={type} selected={value("type") === type}>{type}</option>
            ))}
          </select>
        </label>
        <label>
          {t("devices.vendor")}
          <input name="vendor" value={value("vendor")} maxLength={128} />
        </label>
        <label>
          {t("devices.ot_role")}
          <select name="ot_role">
            <option value="">{t("common.any")}</option>
            {OT_ROLES.map((role) => (
              <option key={role} value={role} selected={value("ot_role") === role}>{role}</option>
            ))}
          </select>
        </label>
        <label>
          {t("devices.active")}
          <select name="active">
            <option value="">{t("common.any")}</option>
            <option value="true" selected={value("active") === "true"}>{t("devices.active_only")}</option>
            <option value="false" selected={value("active") === "false"}>{t("devices.inactive_only")}</option>
          </select>
        </label>
        {query.sort && <input type="hidden" name="sort" value={query.sort} />}
        <button type="submit" class="primary">{t("common.filter")}</button>
        <a href="/devices" class="button">{t("common.reset")}</a>
      </form>
      <div class="table-wrap">
        <table class="grid" id="devices">
          <thead>
            <tr>
              {header("name", t("col.name"))}
              {header("mac", t("col.mac"))}
              {header(undefined, t("col.ip"))}
              {header("vendor", t("col.vendor"))}
              {header("type", t("col.type"))}
              {header(undefined, t("col.os"))}
              {header(undefined, t("col.ot_role"))}
              {header(undefined, t("col.vlans"))}
              {header("bytes", t("col.traffic"), true, "num")}
              {header("first_seen", t("common.first_seen"), true)}
              {header("last_seen", t("common.last_seen"), true)}
              {header(undefined, t("col.state"))}
            </tr>
          </thead>
          <tbody>
            {result.items.length === 0 && <EmptyRow columns={12} t={t} />}
            {result.items.map((device) => (
              <tr data-device-id={device.id}>
                <td>
                  <a href={`/devices/${device.id}`}>{deviceName(device)}</a>
                </td>
                <td class="mono nowrap">{device.mac_address}</td>
                <td class="mono">{device.ip_addresses.slice(0, 3).join(", ")}</td>
                <td>{device.oui_vendor ?? "—"}</td>
                <td>{device.device_type}</td>
                <td>{device.os_family ?? "—"}</td>
                <td>
                  {device.ot_role ?? "—"}
                  {device.purdue_level !== null ? ` (L${device.purdue_level})` : ""}
                </td>
                <td class="mono">{device.vlans.join(", ") || "—"}</td>
                <td class="num">{formatBytes(device.total_bytes_sent + device.total_bytes_received)}</td>
                <td class="mono nowrap">{formatTime(device.first_seen)}</td>
                <td class="mono nowrap">{formatTime(device.last_seen)}</td>
                <td>
                  <span class={device.is_active ? "tag ok" : "tag"}>
                    {t(device.is_active ? "state.active" : "state.inactive")}
                  </span>
                  {device.is_flagged && <span class="tag warn">{t("state.flagged")}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager url={url} t={t} page={result.page} pages={result.pages} total={result.total} />
    </Layout>
  );
}
