/**
 * Tables of the DHCP views the API answers besides the leases: servers (rogue ones marked), pools
 * with their use, conflicts with their evidence, and reservation suggestions. The shapes are those
 * of `GET /api/v1/dhcp/servers`, `/pools`, `/conflicts` and `/reservations`.
 *
 * @module
 */

import type { Translate } from "../i18n/index.ts";
import { formatCount, formatPercent, formatTime } from "./format.ts";

/** A DHCP server heard answering. */
export interface DhcpServerRow {
  server: string;
  mac: string | null;
  device_id: number | null;
  subnets: string[];
  offers: number;
  acks: number;
  leases: number;
  first_seen: string;
  last_seen: string;
  rogue: boolean;
  reason: string | null;
}

/** A subnet where leases were handed out. */
export interface DhcpPoolRow {
  subnet: string;
  servers: string[];
  routers: string[];
  relays: string[];
  range_start: string | null;
  range_end: string | null;
  leased: number;
  capacity: number;
  utilisation: number;
}

/** A conflict over addresses. */
export interface DhcpConflictRow {
  kind: string;
  ip: string | null;
  macs: string[];
  device_ids: (number | null)[];
  evidence: string[];
  detected_at: string;
}

/** A device whose address never changed. */
export interface ReservationRow {
  mac_address: string;
  device_id: number | null;
  device_name: string | null;
  ip_address: string;
  hostname: string | null;
  servers: string[];
  leases: number;
  renewals: number;
  last_seen: string;
}

function Device({ id, label }: { id: number | null; label: string }) {
  return id !== null
    ? <a href={`/devices/${id}`} class="mono">{label}</a>
    : <span class="mono">{label}</span>;
}

/** The servers. */
export function ServersTable({ rows, t }: { rows: DhcpServerRow[]; t: Translate }) {
  return (
    <table class="grid" id="dhcp-servers">
      <thead>
        <tr>
          <th scope="col">{t("dhcp.server")}</th>
          <th scope="col">MAC</th>
          <th scope="col">{t("dhcp.subnets")}</th>
          <th scope="col" class="num">OFFER / ACK</th>
          <th scope="col" class="num">{t("dhcp.leases")}</th>
          <th scope="col">{t("common.first_seen")}</th>
          <th scope="col">{t("common.last_seen")}</th>
          <th scope="col">{t("dhcp.verdict")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.server} class={row.rogue ? "rogue" : undefined}>
            <td class="mono">{row.server}</td>
            <td>{row.mac ? <Device id={row.device_id} label={row.mac} /> : "—"}</td>
            <td class="mono">{row.subnets.join(", ") || "—"}</td>
            <td class="num">{formatCount(row.offers)} / {formatCount(row.acks)}</td>
            <td class="num">{formatCount(row.leases)}</td>
            <td class="mono nowrap">{formatTime(row.first_seen)}</td>
            <td class="mono nowrap">{formatTime(row.last_seen)}</td>
            <td>
              {row.rogue
                ? <span class="tag bad">{t("dhcp.rogue")}</span>
                : <span class="tag ok">{t("dhcp.legitimate")}</span>}
              {row.reason && <div class="sub">{row.reason}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The pools. */
export function PoolsTable({ rows, t }: { rows: DhcpPoolRow[]; t: Translate }) {
  return (
    <table class="grid" id="dhcp-pools">
      <thead>
        <tr>
          <th scope="col">{t("dhcp.subnet")}</th>
          <th scope="col">{t("dhcp.server_list")}</th>
          <th scope="col">{t("dhcp.routers")}</th>
          <th scope="col">{t("dhcp.relay")}</th>
          <th scope="col">{t("dhcp.range")}</th>
          <th scope="col" class="num">{t("dhcp.use")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.subnet}>
            <td class="mono">{row.subnet}</td>
            <td class="mono">{row.servers.join(", ") || "—"}</td>
            <td class="mono">{row.routers.join(", ") || "—"}</td>
            <td class="mono">{row.relays.join(", ") || "—"}</td>
            <td class="mono">{row.range_start ? `${row.range_start} – ${row.range_end}` : "—"}</td>
            <td class="num">
              {formatCount(row.leased)} / {formatCount(row.capacity)} ({formatPercent(row.utilisation)})
              <meter min={0} max={1} value={row.utilisation} high={0.85} optimum={0.3} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The conflicts. */
export function ConflictsTable({ rows, t }: { rows: DhcpConflictRow[]; t: Translate }) {
  return (
    <table class="grid" id="dhcp-conflicts">
      <thead>
        <tr>
          <th scope="col">{t("dhcp.kind")}</th>
          <th scope="col">{t("dhcp.ip")}</th>
          <th scope="col">MAC</th>
          <th scope="col">{t("device.evidence")}</th>
          <th scope="col">{t("dhcp.detected")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={index}>
            <td class="mono">{row.kind}</td>
            <td class="mono">{row.ip ?? "—"}</td>
            <td>
              {row.macs.map((mac, i) => (
                <div key={mac}>
                  <Device id={row.device_ids[i] ?? null} label={mac} />
                </div>
              ))}
            </td>
            <td>
              <ul class="reasons">
                {row.evidence.map((line) => <li key={line}>{line}</li>)}
              </ul>
            </td>
            <td class="mono nowrap">{formatTime(row.detected_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The reservation suggestions. */
export function ReservationsTable({ rows, t }: { rows: ReservationRow[]; t: Translate }) {
  return (
    <table class="grid" id="dhcp-reservations">
      <thead>
        <tr>
          <th scope="col">{t("dhcp.client")}</th>
          <th scope="col">{t("dhcp.ip")}</th>
          <th scope="col">{t("dhcp.hostname")}</th>
          <th scope="col">{t("dhcp.server_list")}</th>
          <th scope="col" class="num">{t("dhcp.leases")}</th>
          <th scope="col" class="num">{t("dhcp.renewals")}</th>
          <th scope="col">{t("common.last_seen")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.mac_address}>
            <td>
              <Device id={row.device_id} label={row.device_name ?? row.mac_address} />
            </td>
            <td class="mono">{row.ip_address}</td>
            <td>{row.hostname ?? "—"}</td>
            <td class="mono">{row.servers.join(", ") || "—"}</td>
            <td class="num">{formatCount(row.leases)}</td>
            <td class="num">{formatCount(row.renewals)}</td>
            <td class="mono nowrap">{formatTime(row.last_seen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
