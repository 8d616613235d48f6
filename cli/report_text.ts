/**
 * The readable summary `analyze` prints: devices, flows, VLANs, protocols, top talkers, events
 * and problems.
 *
 * @module
 */

import type { Flow, InventoryDocument, IpDevice } from "../aggregator/inventory_types.ts";
import { etherTypeName } from "../dissectors/ethertypes.ts";
import { builtinLinkTypes } from "../dissectors/builtin.ts";
import { linkTypeName } from "../capture/batch.ts";
import { formatBytes, formatCount, formatTable } from "./table.ts";

/** Options of {@linkcode formatTextReport}. */
export interface TextReportOptions {
  /** Rows shown per section before "… and N more" (default 25). */
  limit?: number;
}

function more(total: number, shown: number): string {
  return total > shown
    ? `\n… and ${formatCount(total - shown)} more (use --json or --csv for everything)`
    : "";
}

function vlanText(vlan: number | null, outer: number | null): string {
  if (vlan === null) return "-";
  return outer === null ? String(vlan) : `${outer}/${vlan}`;
}

function endpoint(mac: string | null, ip: string | null, port: number | null): string {
  const host = ip ?? mac ?? "?";
  if (port === null) return host;
  return host.includes(":") && ip ? `[${host}]:${port}` : `${host}:${port}`;
}

function protocolText(flow: Flow): string {
  const base = flow.ip_protocol === 6
    ? "TCP"
    : flow.ip_protocol === 17
    ? "UDP"
    : flow.ip_protocol === 1
    ? "ICMP"
    : flow.ip_protocol === 58
    ? "ICMPv6"
    : flow.ip_protocol !== null
    ? `IP/${flow.ip_protocol}`
    : etherTypeName(flow.ethertype ?? -1);
  return flow.application
    ? `${base}/${flow.application}${flow.application_source === "port" ? "?" : ""}`
    : base;
}

/** A device keyed by IP as a row of the device table: no MAC, so no vendor, name or VLAN. */
function ipDeviceRow(device: IpDevice): (string | number)[] {
  return [
    "(no MAC: by IP)",
    "-",
    "-",
    "-",
    device.ip_address,
    "-",
    device.total_packets_sent,
    device.total_bytes_sent,
    device.total_packets_received,
    device.total_bytes_received,
  ];
}

/** The warning for frames no link-layer dissector decodes, naming the capture's link types, or null. */
function unsupportedLinkTypeLine(doc: InventoryDocument): string | null {
  const frames = Object.values(doc.stats).reduce((sum, counters) => sum + counters.unsupported_link_type, 0);
  if (frames === 0) return null;
  const decoded = builtinLinkTypes();
  const names = new Set<string>();
  for (const iface of Array.isArray(doc.source.interfaces) ? doc.source.interfaces : []) {
    const linkType = (iface as { linkType?: unknown } | null)?.linkType;
    if (typeof linkType === "number" && !decoded.has(linkType)) names.add(linkTypeName(linkType));
  }
  return `WARNING: ${formatCount(frames)} frames of an unsupported link type${
    names.size > 0 ? ` (${[...names].join(", ")})` : ""
  } were counted but not analysed`;
}

/** The whole summary as text. */
export function formatTextReport(doc: InventoryDocument, options: TextReportOptions = {}): string {
  const limit = options.limit ?? 25;
  const out: string[] = [];
  const s = doc.summary;
  const interfaces = Array.isArray(doc.source.interfaces) && typeof doc.source.interfaces[0] === "string"
    ? doc.source.interfaces.join(", ")
    : null;
  const what = interfaces !== null
    ? `live capture on ${interfaces}`
    : `${typeof doc.source.file === "string" ? doc.source.file : "capture"} (${doc.source.format ?? "?"})`;
  out.push(`NetSentinel ${doc.netsentinel.version}: ${what}`);
  out.push(
    `${formatCount(s.packets)} packets, ${formatBytes(s.bytes)}, ${s.first_seen ?? "-"} → ${
      s.last_seen ?? "-"
    }; ` +
      `${s.devices + (s.ip_devices ?? 0)} devices${s.ip_devices ? ` (${s.ip_devices} keyed by IP)` : ""}, ` +
      `${formatCount(s.flows)} flows, ${s.vlans} VLANs; ` +
      `${formatCount(s.malformed)} malformed, ${formatCount(s.truncated)} truncated`,
  );
  const retransmissions = Object.values(doc.stats).reduce(
    (sum, counters) => sum + (counters.tcp_retransmissions ?? 0),
    0,
  );
  if (retransmissions > 0) {
    out.push(`${formatCount(retransmissions)} TCP retransmissions (counted in flows, not decoded twice)`);
  }
  const givenUp = Object.values(doc.stats).reduce(
    (sum, counters) => sum + (counters.tcp_reassembly_dropped ?? 0),
    0,
  );
  if (givenUp > 0) {
    out.push(
      `${formatCount(givenUp)} PDUs split over TCP segments given up (a segment missing, or too long)`,
    );
  }

  const earlyFlushes = Object.values(doc.stats).reduce(
    (sum, counters) => sum + (counters.flow_table_flushes ?? 0),
    0,
  );
  if (earlyFlushes > 0) {
    out.push(
      `${formatCount(earlyFlushes)} early flushes of a full flow table ([dissectors] max_flows): ` +
        "memory held flat, every flow accounted",
    );
  }

  const unsupported = unsupportedLinkTypeLine(doc);
  if (unsupported !== null) out.push(unsupported);
  const overSnaplen = doc.source.frames_over_snaplen;
  if (typeof overSnaplen === "number" && overSnaplen > 0) {
    out.push(
      `WARNING: ${formatCount(overSnaplen)} frames longer than the file's snapshot length (read whole, ` +
        "as Wireshark does; the writer of the file is at fault)",
    );
  }

  const devices = [...doc.devices, ...doc.ip_devices ?? []].sort((a, b) =>
    b.total_bytes_sent + b.total_bytes_received - a.total_bytes_sent - a.total_bytes_received
  );
  const byIp = doc.ip_devices?.length ?? 0;
  out.push(
    `\nDEVICES (${devices.length}${
      byIp > 0 ? `, ${byIp} keyed by IP: no MAC on their link` : ""
    }, busiest first)`,
  );
  const types = new Map((doc.classification ?? []).map((c) => [c.mac_address, c]));
  out.push(
    formatTable(
      ["MAC", "name", "type", "vendor", "IPs", "VLANs", "pkts out", "bytes out", "pkts in", "bytes in"],
      devices.slice(0, limit).map((device) => {
        if ("keyed_by" in device) return ipDeviceRow(device);
        const ips = [...new Set(device.ips.map((ip) => ip.ip_address))];
        const name = doc.display_names?.[device.mac_address]?.name;
        const type = types.get(device.mac_address);
        return [
          device.mac_address + (device.locally_administered ? " (local)" : ""),
          (name ?? "-").slice(0, 28),
          type && type.device_type !== "unknown" ? type.device_type : "-",
          (device.oui_vendor ?? "-").slice(0, 24),
          ips.length > 3 ? `${ips.slice(0, 2).join(", ")} +${ips.length - 2}` : ips.join(", ") || "-",
          device.vlans.map((v) => vlanText(v.vlan_id, v.outer_vlan_id)).join(",") || "-",
          device.total_packets_sent,
          device.total_bytes_sent,
          device.total_packets_received,
          device.total_bytes_received,
        ];
      }),
    ) + more(devices.length, limit),
  );

  const ot = doc.ot_assets ?? [];
  if (ot.length > 0) {
    out.push(`\nOT ASSETS (${ot.length}; role, Purdue level, what they state about themselves)`);
    const byMac = new Map(doc.devices.map((device) => [device.mac_address, device]));
    out.push(
      formatTable(
        [
          "MAC",
          "name / IP",
          "role",
          "level",
          "protocols",
          "vendor / product / firmware",
          "controls",
          "alerts",
        ],
        ot.slice(0, limit).map((asset) => {
          const device = byMac.get(asset.mac_address);
          const name = doc.display_names?.[asset.mac_address]?.name ?? device?.ips[0]?.ip_address ?? "-";
          const facts = asset.facts;
          const what = [facts["ot.vendor"], facts["ot.product"] ?? facts["ot.cpu_type"], facts["ot.firmware"]]
            .filter(Boolean).join(" / ");
          const children = asset.children.length > 0 ? ` (+${asset.children.length} behind)` : "";
          return [
            asset.mac_address,
            name.slice(0, 24),
            asset.role ? `${asset.role} (${asset.confidence})` : "-",
            asset.purdue_level ?? "-",
            asset.protocols.join(",").slice(0, 40) + children,
            (what || "-").slice(0, 48),
            asset.controls.slice(0, 3).join(", ") + (asset.controls.length > 3 ? ", …" : "") || "-",
            Object.values(asset.notable_events).reduce((a, b) => a + b, 0) || "-",
          ];
        }),
      ) + more(ot.length, limit),
    );
  }

  const dhcp = doc.dhcp;
  if (dhcp && (dhcp.leases.length > 0 || dhcp.rogue_servers.length > 0 || dhcp.conflicts.length > 0)) {
    out.push(`\nDHCP: ${dhcp.leases.length} leases, ${dhcp.pools.length} pools`);
    for (const rogue of dhcp.rogue_servers) out.push(`ROGUE DHCP SERVER ${rogue.server}: ${rogue.reason}`);
    for (const conflict of dhcp.conflicts) {
      out.push(
        `IP CONFLICT ${conflict.ip}: ${conflict.macs.join(" and ")} (${conflict.evidence.join("; ")})`,
      );
    }
  }

  const flows = [...doc.flows].sort((a, b) => b.byte_count - a.byte_count);
  out.push(`\nFLOWS (${formatCount(flows.length)}, largest first)`);
  out.push(
    formatTable(
      ["source", "destination", "protocol", "VLAN", "packets", "bytes"],
      flows.slice(0, limit).map((flow) => [
        endpoint(flow.src_mac, flow.src_ip, flow.src_port),
        endpoint(flow.dst_mac, flow.dst_ip, flow.dst_port),
        protocolText(flow),
        vlanText(flow.vlan_id, flow.outer_vlan_id),
        flow.packet_count,
        flow.byte_count,
      ]),
    ) + more(flows.length, limit),
  );

  if (doc.vlans.length > 0) {
    out.push(`\nVLANS (${doc.vlans.length}; QinQ shown as outer/inner)`);
    out.push(formatTable(
      ["VLAN", "devices", "packets", "bytes"],
      doc.vlans.map((
        v,
      ) => [vlanText(v.vlan_id, v.outer_vlan_id), v.device_count, v.total_packets, v.total_bytes]),
    ));
  }

  out.push(`\nPROTOCOLS`);
  for (
    const [title, shares] of [
      ["EtherType", doc.protocols.ethertypes],
      ["IP protocol", doc.protocols.ip_protocols],
      ["Application", doc.protocols.applications],
    ] as const
  ) {
    if (shares.length === 0) continue;
    out.push(formatTable(
      [title, "flows", "packets", "bytes"],
      shares.slice(0, limit).map((share) => [share.name, share.flows, share.packets, share.bytes]),
    ));
  }

  out.push(`\nTOP TALKERS`);
  out.push(formatTable(
    ["MAC", "IPs", "packets", "bytes"],
    doc.top_talkers.map((t) => [t.mac_address, t.ips.join(", ") || "-", t.packets, t.bytes]),
  ));

  if (doc.events.length > 0) {
    out.push(`\nEVENTS (${doc.events.length})`);
    out.push(
      formatTable(
        ["type", "severity", "who", "count"],
        doc.events.slice(0, limit).map((e) => [
          String(e.type),
          String(e.severity),
          String(e.ip ?? e.mac ?? "-"),
          Number(e.count),
        ]),
      ) + more(doc.events.length, limit),
    );
  }

  const errors: Record<string, number> = {};
  const disabled = Object.values(doc.stats).flatMap((counters) => counters.disabled_dissectors);
  for (const counters of Object.values(doc.stats)) {
    for (const [name, count] of Object.entries(counters.dissector_errors)) {
      errors[name] = (errors[name] ?? 0) + count;
    }
  }
  const dropped = Object.values(doc.stats).reduce(
    (sum, counters) => sum + (counters.observations_dropped ?? 0),
    0,
  );
  const lost = Object.values(doc.stats).reduce(
    (sum, counters) => sum + (counters.plugin_frames_lost ?? 0),
    0,
  );
  if (Object.keys(errors).length > 0 || disabled.length > 0 || dropped > 0 || lost > 0) {
    out.push(`\nDISSECTORS`);
    for (const [name, count] of Object.entries(errors)) {
      out.push(`${name}: ${count} errors (the packets were skipped)`);
    }
    for (const d of disabled) out.push(`${d.name}: DISABLED, ${d.reason}`);
    if (lost > 0) out.push(`${lost} frames LOST to drop-in plugins (stopped by the watchdog or restarting)`);
    if (dropped > 0) {
      out.push(
        `${dropped} identities/events NOT RECORDED: a flush held the most allowed (a dissector reports a value that changes with every packet?)`,
      );
    }
  }

  const problems = Object.values(doc.stats).flatMap((counters) => counters.problems);
  if (problems.length > 0) {
    out.push(`\nPROBLEMS (first ${problems.length})`);
    out.push(problems.join("\n"));
  }
  return out.join("\n") + "\n";
}
