/**
 * The physical topology page: the switches with their ports, the neighbour announced on each port
 * (LLDP, CDP), the spanning tree's bridges and roles, and the end devices placed behind a port —
 * each row with its evidence (which protocol said it, how often, when). Server-rendered only.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { getL2Topology, type L2Evidence } from "../../../storage/read/l2_topology.ts";
import { formatCount, formatTime } from "../components/format.ts";
import { Layout } from "../components/layout.tsx";
import { EmptyRow } from "../components/table.tsx";
import { TopologyViews } from "../components/topology_filters.tsx";
import type { PageContext } from "../context.ts";

function Evidence({ ctx, evidence }: { ctx: PageContext; evidence: L2Evidence }) {
  return (
    <span class="sub">
      {ctx.t("l2.evidence_text", {
        protocol: evidence.protocol.toUpperCase(),
        count: formatCount(evidence.count),
        first: formatTime(evidence.first_heard),
        last: formatTime(evidence.last_heard),
      })}
    </span>
  );
}

function DeviceLink({ id, label }: { id: number | null; label: string }) {
  return id === null ? <span class="mono">{label}</span> : <a href={`/devices/${id}`}>{label}</a>;
}

/** The L2 topology page. */
export async function l2Page(c: Context<ApiEnv>, ctx: PageContext) {
  const { t } = ctx;
  const l2 = await getL2Topology(c.get("deps").db);
  const names = new Map(l2.switches.map((sw) => [sw.device_id, sw.name ?? sw.mac_address]));
  return (
    <Layout ctx={ctx} title={t("l2.title")}>
      <TopologyViews ctx={ctx} />
      <p class="note">{t("l2.intro")}</p>
      <h2>{t("l2.switches")}</h2>
      <div class="table-wrap">
        <table class="grid" id="l2-switches">
          <thead>
            <tr>
              <th scope="col">{t("l2.switch")}</th>
              <th scope="col">MAC</th>
              <th scope="col">{t("l2.platform")}</th>
              <th scope="col">{t("l2.management")}</th>
              <th scope="col">{t("l2.ports")}</th>
              <th scope="col">{t("l2.stp_root")}</th>
            </tr>
          </thead>
          <tbody>
            {l2.switches.length === 0 && <EmptyRow columns={6} t={t} />}
            {l2.switches.map((sw) => (
              <tr>
                <td>
                  <DeviceLink id={sw.device_id} label={sw.name ?? sw.mac_address} />
                </td>
                <td class="mono">{sw.mac_address}</td>
                <td class="break">{sw.platform ?? t("common.none")}</td>
                <td class="mono">{sw.management_addresses.join(", ") || t("common.none")}</td>
                <td>
                  {sw.ports.map((port) => (
                    <div class="mono">
                      {`${port.port_id} (${port.protocols.join(", ")}${
                        port.native_vlan === null ? "" : `, VLAN ${port.native_vlan}`
                      }${port.stp_role ? `, ${port.stp_role}` : ""})`}
                    </div>
                  ))}
                </td>
                <td>{sw.is_stp_root ? t("common.yes") : t("common.no")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t("l2.links")}</h2>
      <div class="table-wrap">
        <table class="grid" id="l2-links">
          <thead>
            <tr>
              <th scope="col">{t("l2.neighbour")}</th>
              <th scope="col">{t("l2.port")}</th>
              <th scope="col">{t("l2.platform")}</th>
              <th scope="col">{t("l2.management")}</th>
              <th scope="col" class="num">{t("l2.native_vlan")}</th>
              <th scope="col">{t("l2.evidence")}</th>
            </tr>
          </thead>
          <tbody>
            {l2.links.length === 0 && <EmptyRow columns={6} t={t} />}
            {l2.links.map((link) => (
              <tr>
                <td>
                  <DeviceLink id={link.device_id} label={link.system_name ?? link.chassis_id} />
                  <div class="sub mono">{link.chassis_id}</div>
                </td>
                <td class="mono">{link.port_id}</td>
                <td class="break">{link.platform ?? t("common.none")}</td>
                <td class="mono">{link.management_address ?? t("common.none")}</td>
                <td class="num">{link.native_vlan ?? t("common.none")}</td>
                <td>
                  <Evidence ctx={ctx} evidence={link.evidence} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t("l2.stp")}</h2>
      <div class="table-wrap">
        <table class="grid" id="l2-stp">
          <thead>
            <tr>
              <th scope="col">{t("l2.bridge")}</th>
              <th scope="col">{t("l2.root")}</th>
              <th scope="col">{t("l2.port")}</th>
              <th scope="col">{t("l2.role")}</th>
              <th scope="col" class="num">{t("common.vlan")}</th>
              <th scope="col">{t("l2.evidence")}</th>
            </tr>
          </thead>
          <tbody>
            {l2.stp.ports.length === 0 && <EmptyRow columns={6} t={t} />}
            {l2.stp.ports.map((port) => (
              <tr>
                <td>
                  <DeviceLink id={port.device_id} label={port.bridge_id} />
                  {port.is_root_bridge && <span class="tag ok">{t("l2.root")}</span>}
                </td>
                <td class="mono">{port.root_id}</td>
                <td class="mono">{port.port_id ?? t("common.none")}</td>
                <td>{port.port_role ?? t("common.none")}</td>
                <td class="num">{port.vlan ?? t("common.none")}</td>
                <td>
                  <Evidence ctx={ctx} evidence={port.evidence} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t("l2.end_devices")}</h2>
      <div class="table-wrap">
        <table class="grid" id="l2-end-devices">
          <thead>
            <tr>
              <th scope="col">{t("l2.device")}</th>
              <th scope="col">MAC</th>
              <th scope="col">{t("topo.protocols")}</th>
              <th scope="col">{t("l2.behind")}</th>
            </tr>
          </thead>
          <tbody>
            {l2.end_devices.length === 0 && <EmptyRow columns={4} t={t} />}
            {l2.end_devices.map((device) => (
              <tr>
                <td>
                  <DeviceLink
                    id={device.device_id}
                    label={device.name ?? device.station_name ?? device.mac_address}
                  />
                </td>
                <td class="mono">{device.mac_address}</td>
                <td>{device.protocols.join(", ")}</td>
                <td>
                  {device.behind
                    ? (
                      <>
                        <DeviceLink
                          id={device.behind.device_id}
                          label={`${
                            names.get(device.behind.device_id) ?? device.behind.device_id
                          } ${device.behind.port_id}`}
                        />
                        <div class="sub">{device.behind.evidence}</div>
                      </>
                    )
                    : t("l2.unknown")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
