/**
 * A table of flows (source → destination, protocol, application, VLAN, counters, times), with
 * sortable headers when given the list's URL and sort.
 *
 * @module
 */

import type { FlowSummary } from "../../../storage/read/flows.ts";
import type { PageContext } from "../context.ts";
import { formatBytes, formatCount, formatTime } from "./format.ts";
import { EmptyRow, SortHeader } from "./table.tsx";

const IP_PROTOCOLS: Record<number, string> = {
  1: "ICMP",
  2: "IGMP",
  6: "TCP",
  17: "UDP",
  47: "GRE",
  50: "ESP",
  58: "ICMPv6",
  89: "OSPF",
  132: "SCTP",
};

/** `TCP` for 6, `ARP` for ethertype 0x0806, else the number. */
export function protocolName(flow: Pick<FlowSummary, "ip_protocol" | "ethertype">): string {
  if (flow.ip_protocol !== null) return IP_PROTOCOLS[flow.ip_protocol] ?? String(flow.ip_protocol);
  if (flow.ethertype === 0x0806) return "ARP";
  return flow.ethertype !== null ? `0x${flow.ethertype.toString(16).padStart(4, "0")}` : "—";
}

function Endpoint(
  { device, ip, port, mac }: {
    device: number | null;
    ip: string | null;
    port: number | null;
    mac: string | null;
  },
) {
  const address = ip
    ? (port !== null ? (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`) : ip)
    : mac ?? "—";
  return device !== null
    ? <a href={`/devices/${device}`} class="mono">{address}</a>
    : <span class="mono">{address}</span>;
}

/** Props of {@linkcode FlowTable}. */
export interface FlowTableProps {
  flows: FlowSummary[];
  ctx: PageContext;
  /** The list's current sort, to make the headers sort links. */
  sort?: string;
}

/** The flows as a table. */
export function FlowTable({ flows, ctx, sort }: FlowTableProps) {
  const { t, url } = ctx;
  const header = (key: string | undefined, label: string, cls?: string) =>
    sort === undefined
      ? <th scope="col" class={cls}>{label}</th>
      : <SortHeader url={url} t={t} sortKey={key} sort={sort} firstDescending class={cls}>{label}
      </SortHeader>;
  return (
    <div class="table-wrap">
      <table class="grid" id="flows">
        <thead>
          <tr>
            {header(undefined, t("flows.src"))}
            {header(undefined, t("flows.dst"))}
            {header(undefined, t("common.protocol"))}
            {header(undefined, t("flows.app"))}
            {header(undefined, t("common.vlan"))}
            {header("packets", t("common.packets"), "num")}
            {header("bytes", t("common.bytes"), "num")}
            {header(undefined, t("flows.flags"), "num")}
            {header("first_seen", t("common.first_seen"))}
            {header("last_seen", t("common.last_seen"))}
          </tr>
        </thead>
        <tbody>
          {flows.length === 0 && <EmptyRow columns={10} t={t} />}
          {flows.map((flow) => (
            <tr>
              <td>
                <Endpoint
                  device={flow.src_device_id}
                  ip={flow.src_ip}
                  port={flow.src_port}
                  mac={flow.src_mac}
                />
              </td>
              <td>
                <Endpoint
                  device={flow.dst_device_id}
                  ip={flow.dst_ip}
                  port={flow.dst_port}
                  mac={flow.dst_mac}
                />
              </td>
              <td>{protocolName(flow)}</td>
              <td>{flow.application ?? "—"}</td>
              <td class="mono">{flow.vlan_id ?? "—"}</td>
              <td class="num">{formatCount(flow.packet_count)}</td>
              <td class="num">{formatBytes(flow.byte_count)}</td>
              <td class="num mono">
                {flow.ip_protocol === 6
                  ? `${flow.tcp_syn_count}/${flow.tcp_fin_count}/${flow.tcp_rst_count}`
                  : "—"}
              </td>
              <td class="mono nowrap">{formatTime(flow.first_seen)}</td>
              <td class="mono nowrap">{formatTime(flow.last_seen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
