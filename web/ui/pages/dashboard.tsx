/**
 * The dashboard: KPI cards, the network's bandwidth, the protocol donut, top talkers, newest devices
 * and latest events, from storage (storage/read/dashboard.ts, bandwidth.ts); the cards and the two
 * lists are islands that the live socket keeps current.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { readDashboard } from "../../../storage/read/dashboard.ts";
import { listDevices } from "../../../storage/read/devices.ts";
import { Layout } from "../components/layout.tsx";
import { Island } from "../components/island.tsx";
import {
  DeviceRows,
  EventRows,
  KpiCards,
  type KpiLabels,
  type KpiValues,
} from "../components/live_parts.tsx";
import { DonutSlot, rangeText, seriesProps, SeriesSlot } from "../components/charts.tsx";
import { chartRange, chartSeries } from "../series.ts";
import { deviceLabels, deviceName, deviceRow, eventLabels, eventRow } from "../components/rows.ts";
import { formatBytes, formatCount, formatTime } from "../components/format.ts";
import type { PageContext } from "../context.ts";
import type { LiveDevicesProps, LiveEventsProps, LiveKpisProps } from "../islands/props.ts";

/** Capture drops from the appliance's health, when it reports them. */
export function dropsOf(capture: Record<string, unknown>): number | null {
  const drops = capture.drops;
  if (typeof drops === "number") return drops;
  if (drops && typeof drops === "object") {
    const total = (drops as Record<string, unknown>).total;
    if (typeof total === "number") return total;
    const values = Object.values(drops).filter((value): value is number => typeof value === "number");
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) : null;
  }
  return null;
}

/** The dashboard. */
export async function dashboardPage(c: Context<ApiEnv>, ctx: PageContext) {
  const { t } = ctx;
  const deps = c.get("deps");
  const db = deps.db;
  const [dashboard, oldest] = await Promise.all([
    readDashboard(db),
    listDevices(db, { page: 1, page_size: 1, sort: "first_seen" }),
  ]);
  const range = chartRange(oldest.items[0]?.first_seen ?? null, dashboard.last_seen);
  const series = await chartSeries(db, range);
  const chart = seriesProps(
    series,
    { out: t("common.bytes") },
    t("dash.bandwidth_chart", { range: rangeText(series) }),
  );
  chart.datasets[0].name = t("dash.bandwidth");
  const values = chart.datasets[0].values;
  const recent = Date.now() - Date.parse(range.to) < 3 * series.bucket_seconds * 1000;
  const kpis: KpiValues = {
    devices: dashboard.devices.total,
    active: dashboard.devices.active,
    new_today: dashboard.devices.new_today,
    flows: dashboard.flows.total,
    bps: recent && values.length > 1 ? values[values.length - 2] : recent ? values.at(-1) ?? 0 : 0,
    events: dashboard.events.total,
    alerts_open: dashboard.alerts_open,
    drops: dropsOf(deps.health().capture),
  };
  const labels: KpiLabels = {
    devices: t("dash.devices"),
    active: t("dash.active"),
    new_today: t("dash.new_today"),
    flows: t("dash.flows"),
    bandwidth: t("dash.bandwidth"),
    events: t("dash.events"),
    alerts: t("dash.alerts"),
    drops: t("dash.drops"),
  };
  const liveKpis: LiveKpisProps = {
    values: kpis,
    labels,
    status: { on: t("live.on"), off: t("live.off"), connecting: t("live.connecting") },
  };
  const liveDevices: LiveDevicesProps = {
    rows: dashboard.newest_devices.map(deviceRow),
    labels: deviceLabels(t),
    unnamed: t("common.none"),
  };
  const liveEvents: LiveEventsProps = { rows: dashboard.latest_events.map(eventRow), labels: eventLabels(t) };
  const donut = {
    title: t("dash.protocols"),
    labels: dashboard.protocols.map((p) => p.application),
    values: dashboard.protocols.map((p) => p.bytes),
    height: 240,
  };
  return (
    <Layout ctx={ctx} title={t("dash.title")}>
      <section aria-label={t("dash.title")}>
        <Island name="LiveKpis" hydrate props={liveKpis}>
          <div>
            <p class="live live-connecting" role="status" data-live="connecting">{t("live.connecting")}</p>
            <KpiCards values={kpis} labels={labels} />
          </div>
        </Island>
        {dashboard.last_seen && (
          <p class="sub">{t("dash.last_heard", { time: formatTime(dashboard.last_seen) })}</p>
        )}
      </section>
      <div class="cols">
        <section class="card wide" aria-labelledby="bw-title">
          <h2 id="bw-title">{chart.title}</h2>
          <SeriesSlot chart={chart} t={t} />
        </section>
        <section class="card" aria-labelledby="proto-title">
          <h2 id="proto-title">{t("dash.protocols")}</h2>
          <DonutSlot chart={donut} t={t} />
        </section>
      </div>
      <div class="cols">
        <section class="card" aria-labelledby="talkers-title">
          <h2 id="talkers-title">{t("dash.top_talkers")}</h2>
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">{t("col.name")}</th>
                <th scope="col">{t("col.ip")}</th>
                <th scope="col" class="num">{t("device.sent")}</th>
                <th scope="col" class="num">{t("device.received")}</th>
                <th scope="col" class="num">{t("common.packets")}</th>
              </tr>
            </thead>
            <tbody>
              {dashboard.top_talkers.map((device) => (
                <tr>
                  <td>
                    <a href={`/devices/${device.id}`}>{deviceName(device)}</a>
                  </td>
                  <td class="mono">{device.ip_addresses.slice(0, 2).join(", ")}</td>
                  <td class="num">{formatBytes(device.total_bytes_sent)}</td>
                  <td class="num">{formatBytes(device.total_bytes_received)}</td>
                  <td class="num">
                    {formatCount(device.total_packets_sent + device.total_packets_received)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card" aria-labelledby="newest-title">
          <h2 id="newest-title">{t("dash.newest")}</h2>
          <Island name="LiveDevices" hydrate props={liveDevices}>
            <DeviceRows rows={liveDevices.rows} labels={liveDevices.labels} />
          </Island>
        </section>
      </div>
      <section class="card" aria-labelledby="events-title">
        <h2 id="events-title">{t("dash.latest_events")}</h2>
        <Island name="LiveEvents" hydrate props={liveEvents}>
          <EventRows rows={liveEvents.rows} labels={liveEvents.labels} />
        </Island>
      </section>
    </Layout>
  );
}
