/**
 * The logical topology: who talks to whom, as nodes and undirected edges, at the level of devices,
 * subnets, VLANs or zones, computed in one SQL statement from `traffic_flows`.
 *
 * - A side of a flow is the device whose own address it is (an address learnt from its traffic,
 *   ARP, NDP or DHCP), else the address itself as an external host (`ip:8.8.8.8`: routed traffic
 *   is an edge to the remote host, not to the gateway's MAC). Non-IP flows (ARP, LLDP, GOOSE…) are
 *   placed by their frame's device.
 * - Flows to a broadcast or multicast destination are not edges; their sender is still a node.
 * - An edge is a conversation: packets and bytes of both directions, and per direction.
 * - Above `limit` nodes at the device level the answer is the subnet level (`aggregated: true`),
 *   with the subnet named by `expand` opened into its devices. Past `limit` nodes at any level, the
 *   busiest are kept (`truncated: true`).
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { Conditions } from "./sql.ts";
import {
  deviceNodeOf,
  deviceOf,
  endpointPairs,
  OWNER_CTES,
  ownerJoins,
  PROTOCOL_SQL,
  type Side,
  subnetNodeOf,
  vlanNodeOf,
  zoneNodeOf,
} from "./topology_sql.ts";

/** Levels of the logical topology. */
export const TOPOLOGY_LEVELS = ["device", "subnet", "vlan", "zone"] as const;
/** A level of the logical topology. */
export type TopologyLevel = typeof TOPOLOGY_LEVELS[number];

/** Nodes drawn at once by default: above it, the device level is aggregated by subnet. */
export const DEFAULT_NODE_LIMIT = 300;

/** What is asked for. */
export interface TopologyQuery {
  level: TopologyLevel;
  vlan?: number;
  /** A protocol name (`modbus`, `tcp`, `arp`…) or an IP protocol number. */
  protocol?: string | number;
  from?: string;
  to?: string;
  /** At the aggregated device level: the subnet node (`subnet:10.0.0.0/24` or `10.0.0.0/24`) to open. */
  expand?: string;
  /** Node limit (default {@linkcode DEFAULT_NODE_LIMIT}). */
  limit?: number;
}

/** A node. */
export interface TopologyNode {
  /** `d:<device id>`, `ip:<address>`, `mac:<mac>`, `subnet:<cidr>`, `vlan:<id>|none`, `zone:<id>`, `external`. */
  id: string;
  label: string;
  /** The device type, or `external`, `subnet`, `vlan`, `zone`. */
  type: string;
  vendor: string | null;
  vlans: number[];
  /** The device's Purdue level; for a group, the lowest level among its devices. */
  purdue_level: number | null;
  /** Bytes it sent or received in the flows shown. */
  bytes: number;
  /** Devices in the node (1 for a device). */
  devices: number;
  /** Own addresses of a device; the address of an external host. */
  ips: string[];
  device_id: number | null;
  mac_address: string | null;
  /** Where a user placed it (absent: never placed). */
  x?: number;
  y?: number;
}

/** Packets and bytes of one direction. */
export interface DirectionCounts {
  packets: number;
  bytes: number;
}

/** An undirected edge (`source` < `target` as text). */
export interface TopologyEdge {
  source: string;
  target: string;
  protocols: string[];
  packets: number;
  bytes: number;
  flows: number;
  source_to_target: DirectionCounts;
  target_to_source: DirectionCounts;
  first_seen: string;
  last_seen: string;
}

/** The answer. */
export interface Topology {
  /** The level answered (`subnet` when a device level was aggregated). */
  level: TopologyLevel;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  aggregated: boolean;
  /** The subnet opened, when aggregated with `expand`. */
  expanded?: string;
  /** Nodes before truncation, when some were left out. */
  truncated?: { nodes: number; edges: number };
}

function groupOf(level: TopologyLevel, side: Side): string {
  switch (level) {
    case "device":
      return deviceNodeOf(side);
    case "subnet":
      return subnetNodeOf(side);
    case "vlan":
      return vlanNodeOf(side);
    case "zone":
      return zoneNodeOf(side);
  }
}

function filters(query: TopologyQuery): Conditions {
  const where = new Conditions();
  if (query.vlan !== undefined) where.add(query.vlan, (p) => `f.vlan_id = ${p}`);
  if (typeof query.protocol === "number") where.add(query.protocol, (p) => `f.ip_protocol = ${p}`);
  else if (query.protocol) where.add(query.protocol, (p) => `${PROTOCOL_SQL} = ${p}`);
  if (query.from) where.add(query.from, (p) => `f.last_seen >= ${p}::timestamptz`);
  if (query.to) where.add(query.to, (p) => `f.first_seen <= ${p}::timestamptz`);
  return where;
}

/** The one statement: every side of every flow placed, grouped into nodes and edges, as JSON text. */
function statement(query: TopologyQuery, where: Conditions): string {
  const device = query.level === "device";
  const limit = device ? `${where.param(query.limit ?? DEFAULT_NODE_LIMIT)}::int` : "";
  const expand = device ? `${where.param(query.expand ?? "")}::text` : "";
  const group = (side: Side) =>
    device
      ? `CASE WHEN (SELECT n FROM device_count) > ${limit}
          THEN CASE WHEN s_${side} = ${expand} THEN n_${side} ELSE s_${side} END ELSE n_${side} END`
      : `n_${side}`;
  return `WITH ${OWNER_CTES},
placed AS MATERIALIZED (
  SELECT ${device ? deviceNodeOf("src") : groupOf(query.level, "src")} AS n_src,
    ${device ? deviceNodeOf("dst") : groupOf(query.level, "dst")} AS n_dst,
    ${device ? subnetNodeOf("src") : "NULL::text"} AS s_src, ${
    device ? subnetNodeOf("dst") : "NULL::text"
  } AS s_dst,
    ${deviceOf("src")} AS dev_src, ${deviceOf("dst")} AS dev_dst,
    f.unicast, f.packet_count AS packets, f.byte_count AS bytes, f.flow_count AS flows,
    f.first_seen, f.last_seen, f.protocol
  FROM ${endpointPairs(where.where())} ${ownerJoins("src")} ${ownerJoins("dst")}),
device_count AS (
  SELECT count(*) AS n FROM (SELECT n_src FROM placed WHERE n_src IS NOT NULL
    UNION SELECT n_dst FROM placed WHERE unicast AND n_dst IS NOT NULL) nodes),
grouped AS (
  SELECT ${group("src")} AS g_src, ${group("dst")} AS g_dst, dev_src, dev_dst, unicast, packets, bytes,
    flows, first_seen, last_seen, protocol FROM placed),
edges AS (
  SELECT LEAST(g_src, g_dst) AS source, GREATEST(g_src, g_dst) AS target,
    sum(packets)::float8 AS packets, sum(bytes)::float8 AS bytes, sum(flows)::float8 AS flows,
    COALESCE(sum(packets) FILTER (WHERE g_src < g_dst), 0)::float8 AS st_packets,
    COALESCE(sum(bytes) FILTER (WHERE g_src < g_dst), 0)::float8 AS st_bytes,
    COALESCE(sum(packets) FILTER (WHERE g_src > g_dst), 0)::float8 AS ts_packets,
    COALESCE(sum(bytes) FILTER (WHERE g_src > g_dst), 0)::float8 AS ts_bytes,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen,
    array_agg(DISTINCT protocol ORDER BY protocol) AS protocols
  FROM grouped WHERE unicast AND g_src IS NOT NULL AND g_dst IS NOT NULL AND g_src <> g_dst GROUP BY 1, 2),
members AS (
  SELECT g, dev, sum(bytes) AS bytes FROM (
    SELECT g_src AS g, dev_src AS dev, bytes FROM grouped WHERE g_src IS NOT NULL
    UNION ALL SELECT g_dst, dev_dst, bytes FROM grouped
      WHERE unicast AND g_dst IS NOT NULL AND g_dst IS DISTINCT FROM g_src) sides
  GROUP BY g, dev),
nodes AS (
  SELECT m.g AS id, sum(m.bytes)::float8 AS bytes, count(m.dev)::int AS devices,
    min(d.purdue_level)::int AS purdue_level, min(m.dev)::float8 AS device_id,
    ARRAY(SELECT DISTINCT v.vlan_id::int FROM device_vlans v WHERE v.device_id = ANY (array_agg(m.dev))
      ORDER BY 1) AS vlans
  FROM members m LEFT JOIN devices d ON d.id = m.dev GROUP BY m.g)
SELECT json_build_object(
  'aggregated', ${device ? `(SELECT n FROM device_count) > ${limit}` : "false"},
  'nodes', (SELECT COALESCE(json_agg(json_build_object(
      'id', n.id, 'bytes', n.bytes, 'devices', n.devices, 'purdue_level', n.purdue_level, 'vlans', n.vlans,
      'device_id', CASE WHEN n.id LIKE 'd:%' THEN n.device_id END,
      'x', p.x, 'y', p.y)), '[]') FROM nodes n LEFT JOIN topology_positions p ON p.node_id = n.id),
  'edges', (SELECT COALESCE(json_agg(json_build_object(
      'source', e.source, 'target', e.target, 'protocols', e.protocols, 'packets', e.packets,
      'bytes', e.bytes, 'flows', e.flows,
      'source_to_target', json_build_object('packets', e.st_packets, 'bytes', e.st_bytes),
      'target_to_source', json_build_object('packets', e.ts_packets, 'bytes', e.ts_bytes),
      'first_seen', to_char(e.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'last_seen', to_char(e.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))), '[]')
    FROM edges e)
)::text AS doc`;
}

interface RawNode {
  id: string;
  bytes: number;
  devices: number;
  purdue_level: number | null;
  vlans: number[];
  device_id: number | null;
  x: number | null;
  y: number | null;
}

interface RawDoc {
  aggregated: boolean;
  nodes: RawNode[];
  edges: TopologyEdge[];
}

/** Normalises `expand` to a node id (`10.0.0.0/24` → `subnet:10.0.0.0/24`). */
export function subnetNodeId(expand: string): string {
  return expand.startsWith("subnet:") ? expand : `subnet:${expand}`;
}

/** The logical topology. */
export async function getTopology(db: Queryable, query: TopologyQuery): Promise<Topology> {
  const where = filters(query);
  const normalised = {
    ...query,
    expand: query.expand === undefined ? undefined : subnetNodeId(query.expand),
  };
  const [{ doc }] = await db.query<{ doc: string }>(statement(normalised, where), where.params);
  const raw = JSON.parse(doc) as RawDoc;
  const limit = query.limit ?? DEFAULT_NODE_LIMIT;
  let nodes = raw.nodes;
  let edges = raw.edges;
  let truncated: Topology["truncated"];
  if (nodes.length > limit) {
    truncated = { nodes: nodes.length, edges: edges.length };
    nodes = [...nodes].sort((a, b) => b.bytes - a.bytes || (a.id < b.id ? -1 : 1)).slice(0, limit);
    const kept = new Set(nodes.map((node) => node.id));
    edges = edges.filter((edge) => kept.has(edge.source) && kept.has(edge.target));
  }
  const described = await describeNodes(db, nodes);
  edges.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.target < b.target ? -1 : 1));
  const answer: Topology = {
    level: raw.aggregated ? "subnet" : query.level,
    nodes: described,
    edges,
    aggregated: raw.aggregated,
  };
  if (raw.aggregated && normalised.expand) answer.expanded = normalised.expand;
  if (truncated) answer.truncated = truncated;
  return answer;
}

interface DeviceLabel {
  id: number;
  label: string;
  type: string;
  vendor: string | null;
  mac_address: string;
  ips: string[];
}

/** Labels, types and vendors of the nodes (one query for the devices, one for the zones and VLANs). */
async function describeNodes(db: Queryable, nodes: RawNode[]): Promise<TopologyNode[]> {
  const deviceIds = nodes.filter((node) => node.id.startsWith("d:")).map((node) => node.device_id!);
  const zoneIds = nodes.filter((node) => node.id.startsWith("zone:")).map((node) => Number(node.id.slice(5)));
  const [devices, zones, vlans] = await Promise.all([
    deviceIds.length === 0 ? [] : db.query<DeviceLabel>(
      `SELECT d.id::float8 AS id, d.mac_address::text AS mac_address, d.oui_vendor AS vendor,
         COALESCE(d.device_type_override, d.device_type) AS type,
         ARRAY(SELECT DISTINCT host(i.ip_address) FROM device_ips i
               WHERE i.device_id = d.id AND cardinality(i.learnt_from) > 0 ORDER BY 1) AS ips,
         COALESCE(d.device_name, d.display_name) AS label
       FROM devices d WHERE d.id = ANY ($1::bigint[])`,
      [deviceIds],
    ),
    zoneIds.length === 0 ? [] : db.query<{ id: number; name: string }>(
      "SELECT id::float8 AS id, name FROM zones WHERE id = ANY ($1::bigint[])",
      [zoneIds],
    ),
    db.query<{ vlan_id: number; vlan_name: string | null }>(
      "SELECT DISTINCT ON (vlan_id) vlan_id, vlan_name FROM vlans WHERE vlan_name IS NOT NULL ORDER BY vlan_id",
    ),
  ]);
  const deviceById = new Map(devices.map((device) => [device.id, device]));
  const zoneName = new Map(zones.map((zone) => [zone.id, zone.name]));
  const vlanName = new Map(vlans.map((vlan) => [vlan.vlan_id, vlan.vlan_name]));
  return nodes.map((node) => {
    const base = {
      id: node.id,
      bytes: node.bytes,
      devices: node.devices,
      purdue_level: node.purdue_level,
      vlans: node.vlans,
      vendor: null as string | null,
      ips: [] as string[],
      device_id: null as number | null,
      mac_address: null as string | null,
      ...(node.x === null || node.y === null ? {} : { x: node.x, y: node.y }),
    };
    const [kind, rest] = [node.id.slice(0, node.id.indexOf(":")), node.id.slice(node.id.indexOf(":") + 1)];
    if (kind === "d") {
      const device = deviceById.get(node.device_id!);
      return {
        ...base,
        label: device?.label ?? device?.ips[0] ?? device?.mac_address ?? node.id,
        type: device?.type ?? "unknown",
        vendor: device?.vendor ?? null,
        ips: device?.ips ?? [],
        device_id: node.device_id,
        mac_address: device?.mac_address ?? null,
        devices: 1,
      };
    }
    if (kind === "ip") return { ...base, label: rest, type: "external", ips: [rest], devices: 0 };
    if (kind === "mac") return { ...base, label: rest, type: "unknown", mac_address: rest };
    if (kind === "subnet") return { ...base, label: rest, type: "subnet" };
    if (kind === "zone") return { ...base, label: zoneName.get(Number(rest)) ?? node.id, type: "zone" };
    if (kind === "vlan") {
      const label = rest === "none" ? "untagged" : vlanName.get(Number(rest)) ?? `VLAN ${rest}`;
      return { ...base, label, type: "vlan" };
    }
    return { ...base, label: "external hosts", type: "external" };
  });
}
