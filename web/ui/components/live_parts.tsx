/**
 * The dashboard's live parts, rendered the same on the server and by the islands that keep them up to
 * date (web/ui/islands/live_*.tsx): the KPI cards, the newest devices and the latest events.
 * Labels come translated in the props; numbers and times are formatted here, identically on both sides.
 *
 * @module
 */

import { formatBits, formatCount, formatTime } from "./format.ts";

/** The KPI figures. */
export interface KpiValues {
  devices: number;
  active: number;
  new_today: number;
  flows: number;
  /** Current bandwidth in bit/s (null: unknown). */
  bps: number | null;
  events: number;
  alerts_open: number;
  /** Capture drops since start (null: no capture status). */
  drops: number | null;
}

/** Labels of the KPI cards. */
export interface KpiLabels {
  devices: string;
  active: string;
  new_today: string;
  flows: string;
  bandwidth: string;
  events: string;
  alerts: string;
  drops: string;
}

/** The KPI cards. */
export function KpiCards({ values, labels }: { values: KpiValues; labels: KpiLabels }) {
  const cards: [string, string, string, string?][] = [
    ["devices", labels.devices, formatCount(values.devices), "/devices"],
    ["active", labels.active, formatCount(values.active), "/devices?active=true"],
    ["new_today", labels.new_today, formatCount(values.new_today), "/devices?sort=-first_seen"],
    ["flows", labels.flows, formatCount(values.flows), "/flows"],
    ["bandwidth", labels.bandwidth, values.bps === null ? "—" : formatBits(values.bps)],
    ["events", labels.events, formatCount(values.events), "/events"],
    ["alerts", labels.alerts, formatCount(values.alerts_open), "/events?min_severity=warning"],
    ["drops", labels.drops, values.drops === null ? "—" : formatCount(values.drops), "/capture"],
  ];
  return (
    <ul class="kpis">
      {cards.map(([key, label, value, href]) => (
        <li class={`kpi kpi-${key}${key === "drops" && values.drops ? " warn" : ""}`} data-kpi={key}>
          <span class="kpi-label">{href ? <a href={href}>{label}</a> : label}</span>
          <span class="kpi-value">{value}</span>
        </li>
      ))}
    </ul>
  );
}

/** A device in the newest-devices table. */
export interface DeviceRow {
  id: number;
  name: string;
  mac: string;
  vendor: string | null;
  type: string;
  ips: string[];
  first_seen: string;
}

/** Column labels of {@linkcode DeviceRows}. */
export interface DeviceRowLabels {
  name: string;
  ip: string;
  vendor: string;
  type: string;
  first_seen: string;
  empty: string;
}

/** The newest devices as a table. */
export function DeviceRows({ rows, labels }: { rows: DeviceRow[]; labels: DeviceRowLabels }) {
  return (
    <table class="grid">
      <thead>
        <tr>
          <th scope="col">{labels.name}</th>
          <th scope="col">{labels.ip}</th>
          <th scope="col">{labels.vendor}</th>
          <th scope="col">{labels.type}</th>
          <th scope="col">{labels.first_seen}</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={5} class="empty">{labels.empty}</td>
          </tr>
        )}
        {rows.map((row) => (
          <tr key={row.id}>
            <td>
              <a href={`/devices/${row.id}`}>{row.name}</a>
              {row.name !== row.mac && <div class="sub mono">{row.mac}</div>}
            </td>
            <td class="mono">{row.ips.slice(0, 2).join(", ")}</td>
            <td>{row.vendor ?? "—"}</td>
            <td>{row.type}</td>
            <td class="mono nowrap">{formatTime(row.first_seen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** An event in the latest-events table. */
export interface EventRow {
  id: number;
  time: string;
  type: string;
  severity: string;
  device_id: number | null;
  text: string;
}

/** Column labels of {@linkcode EventRows}. */
export interface EventRowLabels {
  time: string;
  severity: string;
  type: string;
  details: string;
  empty: string;
}

/** The latest events as a table. */
export function EventRows({ rows, labels }: { rows: EventRow[]; labels: EventRowLabels }) {
  return (
    <table class="grid">
      <thead>
        <tr>
          <th scope="col">{labels.time}</th>
          <th scope="col">{labels.severity}</th>
          <th scope="col">{labels.type}</th>
          <th scope="col">{labels.details}</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={4} class="empty">{labels.empty}</td>
          </tr>
        )}
        {rows.map((row) => (
          <tr key={row.id}>
            <td class="mono nowrap">{formatTime(row.time)}</td>
            <td>
              <span class={`sev sev-${row.severity}`}>{row.severity}</span>
            </td>
            <td class="mono">{row.type}</td>
            <td>
              {row.device_id !== null ? <a href={`/devices/${row.device_id}`}>{row.text}</a> : row.text}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
