/**
 * CSV export of the inventory: one RFC 4180 file per table, named after the seed schema's tables.
 *
 * @module
 */

import type { InventoryDocument } from "../aggregator/inventory_types.ts";
import { type FileContent, writeFilesAtomically, type WriteFilesOptions } from "./output_files.ts";
import type { TextSink } from "./text_sink.ts";

type Cell = string | number | boolean | null | undefined;

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180 section 2). */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes one CSV table (RFC 4180, CRLF line ends), a row at a time. */
export function toCsv<T>(header: string[], rows: readonly T[], row: (item: T) => Cell[]) {
  return async (sink: TextSink): Promise<void> => {
    await sink.write(header.map(csvField).join(",") + "\r\n");
    for (const item of rows) await sink.write(row(item).map(csvField).join(",") + "\r\n");
  };
}

function table<T extends object>(rows: T[], columns: (keyof T & string)[]) {
  return toCsv(columns, rows, (row) => columns.map((column) => row[column] as Cell));
}

const asIs = (row: Cell[]) => row;

/** Names of the files {@linkcode writeCsvReport} writes. */
export const CSV_FILE_NAMES: readonly string[] = [
  "devices.csv",
  "device_ips.csv",
  "traffic_flows.csv",
  "vlans.csv",
  "protocols.csv",
  "traffic_metrics.csv",
  "events.csv",
];

/**
 * Writes the CSV files into `dir` (created if needed), all or nothing, and returns their paths.
 *
 * @throws {OutputError} when they cannot be written (full disk, files in the way, existing files
 *   without `force`); `dir` is then as it was
 */
export function writeCsvReport(
  doc: InventoryDocument,
  dir: string,
  options: WriteFilesOptions = {},
): Promise<string[]> {
  const files: Record<string, FileContent> = {
    "devices.csv": toCsv(
      [
        "mac_address",
        "oui_prefix",
        "oui_vendor",
        "locally_administered",
        "first_seen",
        "last_seen",
        "total_packets_sent",
        "total_packets_received",
        "total_bytes_sent",
        "total_bytes_received",
        "is_gateway",
        "ips",
        "vlans",
      ],
      doc.devices,
      (d) => [
        d.mac_address,
        d.oui_prefix,
        d.oui_vendor,
        d.locally_administered,
        d.first_seen,
        d.last_seen,
        d.total_packets_sent,
        d.total_packets_received,
        d.total_bytes_sent,
        d.total_bytes_received,
        d.is_gateway,
        [...new Set(d.ips.map((ip) => ip.ip_address))].join(" "),
        d.vlans.map((v) => v.outer_vlan_id === null ? `${v.vlan_id}` : `${v.outer_vlan_id}/${v.vlan_id}`)
          .join(" "),
      ],
    ),
    "device_ips.csv": toCsv(
      [
        "mac_address",
        "ip_address",
        "ip_version",
        "vlan_id",
        "outer_vlan_id",
        "first_seen",
        "last_seen",
        "packets_sent",
        "bytes_sent",
        "packets_received",
        "bytes_received",
        "learnt_from",
      ],
      doc.devices.flatMap((d) =>
        d.ips.map((ip) => [
          d.mac_address,
          ip.ip_address,
          ip.ip_version,
          ip.vlan_id,
          ip.outer_vlan_id,
          ip.first_seen,
          ip.last_seen,
          ip.packets_sent,
          ip.bytes_sent,
          ip.packets_received,
          ip.bytes_received,
          ip.learnt_from.join(" "),
        ])
      ),
      asIs,
    ),
    "traffic_flows.csv": table(doc.flows, [
      "id",
      "src_mac",
      "src_ip",
      "src_port",
      "dst_mac",
      "dst_ip",
      "dst_port",
      "vlan_id",
      "outer_vlan_id",
      "ethertype",
      "ip_protocol",
      "application",
      "application_source",
      "first_seen",
      "last_seen",
      "packet_count",
      "byte_count",
      "tcp_flags_seen",
      "tcp_syn_count",
      "tcp_rst_count",
      "tcp_fin_count",
    ]),
    "vlans.csv": table(doc.vlans, [
      "vlan_id",
      "outer_vlan_id",
      "device_count",
      "first_seen",
      "last_seen",
      "total_packets",
      "total_bytes",
    ]),
    "protocols.csv": toCsv(
      ["layer", "id", "name", "flows", "packets", "bytes"],
      (["ethertypes", "ip_protocols", "applications"] as const).flatMap((layer) =>
        doc.protocols[layer].map((p): Cell[] => [layer, p.id, p.name, p.flows, p.packets, p.bytes])
      ),
      asIs,
    ),
    "traffic_metrics.csv": table(doc.metrics, [
      "time",
      "bucket_seconds",
      "metric_type",
      "flow_id",
      "device_mac",
      "packet_count",
      "byte_count",
      "avg_packet_size",
      "min_packet_size",
      "max_packet_size",
      "tcp_syn_count",
      "tcp_rst_count",
      "tcp_fin_count",
    ]),
    "events.csv": toCsv(
      [
        "type",
        "severity",
        "kind",
        "source",
        "mac",
        "ip",
        "src_ip",
        "dst_ip",
        "vlan_id",
        "first_seen",
        "last_seen",
        "count",
        "fields",
      ],
      doc.events,
      (e) => [
        e.type as Cell,
        e.severity as Cell,
        e.kind as Cell,
        e.source as Cell,
        e.mac as Cell,
        e.ip as Cell,
        e.src_ip as Cell,
        e.dst_ip as Cell,
        e.vlan_id as Cell,
        e.first_seen as Cell,
        e.last_seen as Cell,
        e.count as Cell,
        JSON.stringify(e.fields),
      ],
    ),
  };
  return writeFilesAtomically(dir, files, options);
}
