/**
 * One device: everything `getDevice()` reads (identity attributes with their evidence,
 * classification and its reasons, IP history, VLANs, L2 neighbour, OT facts and children,
 * protocols, DHCP leases), its flows, its bandwidth chart, and the edit form (operators).
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { DEVICE_TYPES } from "../../api/routes/inventory.ts";
import { ApiError } from "../../api/errors.ts";
import { hasRole } from "../../../storage/accounts/users.ts";
import { type DeviceAttribute, getDevice } from "../../../storage/read/device_detail.ts";
import { listFlows } from "../../../storage/read/flows.ts";
import { listEvents } from "../../../storage/read/events.ts";
import { EventRows } from "../components/live_parts.tsx";
import { eventLabels, eventRow } from "../components/rows.ts";
import { Layout } from "../components/layout.tsx";
import { rangeText, seriesProps, SeriesSlot } from "../components/charts.tsx";
import { chartRange, chartSeries } from "../series.ts";
import { formatBytes, formatCount, formatPercent, formatTime } from "../components/format.ts";
import { deviceName } from "../components/rows.ts";
import { FlowTable } from "../components/flow_table.tsx";
import { EmptyRow } from "../components/table.tsx";
import type { PageContext } from "../context.ts";

const NEIGHBOUR_SOURCES = /^(lldp|cdp|stp)/;

/** What storage may add to a device's detail: its address history and its switch port. */
interface DetailExtras {
  ip_history?: { ip_address: string; from: string | null; to: string | null; sources: string[] }[];
  l2_neighbour?: Record<string, unknown> | null;
}

function isNeighbour(attribute: DeviceAttribute): boolean {
  return NEIGHBOUR_SOURCES.test(attribute.source) || NEIGHBOUR_SOURCES.test(attribute.key);
}

function AttributeTable({ rows, ctx }: { rows: DeviceAttribute[]; ctx: PageContext }) {
  const { t } = ctx;
  return (
    <table class="grid">
      <thead>
        <tr>
          <th scope="col">{t("device.key")}</th>
          <th scope="col">{t("device.value")}</th>
          <th scope="col">{t("common.source")}</th>
          <th scope="col" class="num">{t("common.confidence")}</th>
          <th scope="col">{t("device.evidence")}</th>
          <th scope="col">{t("common.first_seen")}</th>
          <th scope="col">{t("common.last_seen")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && <EmptyRow columns={7} t={t} />}
        {rows.map((row) => (
          <tr>
            <td class="mono">{row.key}</td>
            <td class="break">{row.value}</td>
            <td>{row.source}</td>
            <td class="num">{formatPercent(row.confidence)}</td>
            <td class="mono">{[row.ip_address, `×${formatCount(row.count)}`].filter(Boolean).join(" ")}</td>
            <td class="mono nowrap">{formatTime(row.first_seen)}</td>
            <td class="mono nowrap">{formatTime(row.last_seen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Facts({ entries }: { entries: [string, unknown][] }) {
  return (
    <dl class="facts">
      {entries.map(([key, value]) => (
        <>
          <dt>{key}</dt>
          <dd>
            {value === null || value === undefined || value === ""
              ? "—"
              : typeof value === "object"
              ? JSON.stringify(value)
              : String(value)}
          </dd>
        </>
      ))}
    </dl>
  );
}

/** The device page; `error` is the edit form's refusal, shown above it. */
export async function devicePage(c: Context<ApiEnv>, ctx: PageContext, error?: string) {
  const { t } = ctx;
  const raw = c.req.param("id") ?? "";
  const id = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ApiError(400, "invalid", `Cannot show device "${raw.slice(0, 40)}": not a device id`, {
      field: "id",
    });
  }
  const db = c.get("deps").db;
  const device = await getDevice(db, id);
  if (!device) throw new ApiError(404, "not_found", `Cannot find device ${id}`);
  const range = chartRange(device.first_seen, device.last_seen);
  const [flows, series, events] = await Promise.all([
    listFlows(db, { page: 1, page_size: 25, device: id, sort: "-bytes" }),
    chartSeries(db, range, id),
    listEvents(db, { page: 1, page_size: 10, device: id }),
  ]);
  const chart = seriesProps(
    series,
    { in: t("device.in"), out: t("device.out") },
    t("device.bandwidth", { range: rangeText(series) }),
    200,
  );
  const name = deviceName(device);
  const canEdit = ctx.user !== null && hasRole(ctx.user.role, "operator");
  const extras = device as typeof device & DetailExtras;
  const neighbour = device.attributes.filter(isNeighbour);
  const identity = device.attributes.filter((attribute) => !isNeighbour(attribute));
  const saved = ctx.url.searchParams.get("saved") === "1";
  return (
    <Layout ctx={ctx} title={t("device.title", { name })}>
      <div class="cols">
        <section class="card" aria-labelledby="identity-title">
          <h2 id="identity-title">{t("device.identity")}</h2>
          <Facts
            entries={[
              [t("col.mac"), device.mac_address],
              [
                t("device.oui"),
                `${device.oui_prefix}${device.locally_administered ? ` (${t("device.local_mac")})` : ""}`,
              ],
              [t("col.vendor"), device.oui_vendor],
              [
                t("col.name"),
                `${name}${
                  device.classification.display_name_source
                    ? ` (${device.classification.display_name_source})`
                    : ""
                }`,
              ],
              [t("col.type"), device.device_type],
              [t("col.os"), device.os_family],
              [t("col.ip"), device.ip_addresses.join(", ")],
              [t("col.vlans"), device.vlans.join(", ")],
              [t("common.first_seen"), formatTime(device.first_seen)],
              [t("common.last_seen"), formatTime(device.last_seen)],
              [
                t("device.sent"),
                `${formatBytes(device.total_bytes_sent)} · ${formatCount(device.total_packets_sent)} ${
                  t("common.packets").toLowerCase()
                }`,
              ],
              [
                t("device.received"),
                `${formatBytes(device.total_bytes_received)} · ${
                  formatCount(device.total_packets_received)
                } ${t("common.packets").toLowerCase()}`,
              ],
              [
                t("col.state"),
                `${t(device.is_active ? "state.active" : "state.inactive")}${
                  device.is_flagged ? `, ${t("state.flagged")}` : ""
                }`,
              ],
            ]}
          />
        </section>
        <section class="card" aria-labelledby="edit-title">
          <h2 id="edit-title">{t("device.edit")}</h2>
          {saved && <p class="ok" role="status">{t("device.saved")}</p>}
          {error && <p class="error" role="alert" id="edit-error">{error}</p>}
          {canEdit
            ? (
              <form method="post" action={`/devices/${device.id}`} class="stack" id="device-edit">
                <label>
                  {t("device.name")}
                  <input
                    name="device_name"
                    value={device.device_name ?? ""}
                    maxLength={255}
                    placeholder={device.display_name ?? ""}
                  />
                </label>
                <label>
                  {t("device.type_override")}
                  <select name="device_type">
                    <option value="">{t("device.type_auto", { type: device.detected_type })}</option>
                    {DEVICE_TYPES.map((type) => (
                      <option value={type} selected={device.device_type_override === type}>{type}</option>
                    ))}
                  </select>
                </label>
                <label>
                  {t("device.notes")}
                  <textarea name="notes" rows={3} maxLength={10_000}>{device.device_notes ?? ""}</textarea>
                </label>
                <label class="check">
                  <input type="checkbox" name="is_flagged" checked={device.is_flagged} /> {t("device.flag")}
                </label>
                <button type="submit" class="primary">{t("common.save")}</button>
              </form>
            )
            : <p class="note">{t("device.read_only")}</p>}
          <h3>{t("device.classification")}</h3>
          <Facts
            entries={[
              [
                t("device.detected_type"),
                `${device.classification.device_type} (${formatPercent(device.classification.confidence)})`,
              ],
              [t("device.override"), device.device_type_override],
              [t("col.os"), device.classification.os_family],
              [
                t("device.gateway"),
                device.is_gateway
                  ? device.classification.gateway_reasons.join("; ") || t("common.yes")
                  : t("common.no"),
              ],
            ]}
          />
          <h4>{t("device.reasons")}</h4>
          <ul class="reasons">
            {device.classification.reasons.length === 0 && <li>—</li>}
            {device.classification.reasons.map((reason) => <li key={reason}>{reason}</li>)}
          </ul>
        </section>
      </div>
      <section class="card" aria-labelledby="bw-title">
        <h2 id="bw-title">{chart.title}</h2>
        <SeriesSlot chart={chart} t={t} />
      </section>
      <section class="card" aria-labelledby="attr-title">
        <h2 id="attr-title">{t("device.attributes")}</h2>
        <div class="table-wrap">
          <AttributeTable rows={identity} ctx={ctx} />
        </div>
      </section>
      <div class="cols">
        <section class="card" aria-labelledby="ip-title">
          <h2 id="ip-title">{t("device.addresses")}</h2>
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">IP</th>
                <th scope="col">{t("common.vlan")}</th>
                <th scope="col">{t("device.learnt_from")}</th>
                <th scope="col" class="num">{t("common.bytes")}</th>
                <th scope="col">{t("common.first_seen")}</th>
                <th scope="col">{t("common.last_seen")}</th>
              </tr>
            </thead>
            <tbody>
              {device.addresses.length === 0 && <EmptyRow columns={6} t={t} />}
              {device.addresses.map((address) => (
                <tr>
                  <td class="mono">{address.ip_address}</td>
                  <td class="mono">
                    {address.vlan_id ?? "—"}
                    {address.outer_vlan_id !== null ? `/${address.outer_vlan_id}` : ""}
                  </td>
                  <td>{address.learnt_from.join(", ")}</td>
                  <td class="num">{formatBytes(address.bytes_sent)}</td>
                  <td class="mono nowrap">{formatTime(address.first_seen)}</td>
                  <td class="mono nowrap">{formatTime(address.last_seen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t("device.vlans")}</h3>
          <p class="mono">
            {device.vlan_memberships.length === 0
              ? "—"
              : device.vlan_memberships.map((v) =>
                v.outer_vlan_id !== null ? `${v.outer_vlan_id}.${v.vlan_id}` : String(v.vlan_id)
              ).join(", ")}
          </p>
          <h3>{t("device.neighbour")}</h3>
          {extras.l2_neighbour ? <Facts entries={Object.entries(extras.l2_neighbour)} /> : null}
          {!extras.l2_neighbour && neighbour.length === 0 && <p class="sub">{t("device.neighbour_none")}</p>}
          {neighbour.length > 0 && (
            <Facts entries={neighbour.map((a) => [`${a.key} (${a.source})`, a.value])} />
          )}
          {extras.ip_history && extras.ip_history.length > 0 && (
            <>
              <h3>{t("device.ip_history")}</h3>
              <table class="grid">
                <thead>
                  <tr>
                    <th scope="col">IP</th>
                    <th scope="col">{t("common.first_seen")}</th>
                    <th scope="col">{t("common.last_seen")}</th>
                    <th scope="col">{t("device.learnt_from")}</th>
                  </tr>
                </thead>
                <tbody>
                  {extras.ip_history.map((entry) => (
                    <tr key={entry.ip_address}>
                      <td class="mono">{entry.ip_address}</td>
                      <td class="mono nowrap">{formatTime(entry.from)}</td>
                      <td class="mono nowrap">{formatTime(entry.to)}</td>
                      <td>{entry.sources.join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
        <section class="card" aria-labelledby="proto-title">
          <h2 id="proto-title">{t("device.protocols")}</h2>
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">{t("common.protocol")}</th>
                <th scope="col" class="num">{t("common.flows")}</th>
                <th scope="col" class="num">{t("common.bytes")}</th>
              </tr>
            </thead>
            <tbody>
              {device.protocols.length === 0 && <EmptyRow columns={3} t={t} />}
              {device.protocols.map((protocol) => (
                <tr>
                  <td>
                    <a
                      href={`/flows?device=${device.id}&protocol=${encodeURIComponent(protocol.application)}`}
                    >
                      {protocol.application}
                    </a>
                  </td>
                  <td class="num">{formatCount(protocol.flows)}</td>
                  <td class="num">{formatBytes(protocol.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t("device.ot")}</h3>
          <Facts
            entries={[
              [
                t("ot.role"),
                device.ot.role ? `${device.ot.role} (${formatPercent(device.ot.confidence)})` : null,
              ],
              [t("col.purdue"), device.ot.purdue_level],
              [t("ot.protocols"), device.ot.protocols.join(", ")],
              ...Object.entries(device.ot.facts),
              [t("device.ot_children"), device.ot.children.length > 0 ? device.ot.children : null],
            ]}
          />
          {device.ot.reasons.length > 0 && (
            <ul class="reasons">
              {device.ot.reasons.map((reason) => <li key={reason}>{reason}</li>)}
            </ul>
          )}
          <h3>{t("device.leases")}</h3>
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">{t("dhcp.ip")}</th>
                <th scope="col">{t("dhcp.server")}</th>
                <th scope="col">{t("dhcp.hostname")}</th>
                <th scope="col">{t("dhcp.state")}</th>
                <th scope="col">{t("common.last_seen")}</th>
              </tr>
            </thead>
            <tbody>
              {device.dhcp_leases.length === 0 && <EmptyRow columns={5} t={t} />}
              {device.dhcp_leases.map((lease) => (
                <tr>
                  <td class="mono">{lease.ip_address}</td>
                  <td class="mono">{lease.server_ip ?? "—"}</td>
                  <td>{lease.hostname ?? "—"}</td>
                  <td>{lease.state}</td>
                  <td class="mono nowrap">{formatTime(lease.last_seen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <section class="card" aria-labelledby="flows-title">
        <h2 id="flows-title">
          {t("device.flows")}{" "}
          <a class="sub" href={`/flows?device=${device.id}`}>({formatCount(flows.total)})</a>
        </h2>
        <FlowTable flows={flows.items} ctx={ctx} />
      </section>
      <section class="card" aria-labelledby="events-title">
        <h2 id="events-title">
          {t("device.events")}{" "}
          <a class="sub" href={`/events?device=${device.id}`}>({formatCount(events.total)})</a>
        </h2>
        <EventRows rows={events.items.map(eventRow)} labels={eventLabels(t)} />
      </section>
    </Layout>
  );
}
