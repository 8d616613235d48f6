/**
 * The device list of the API: one page of devices, filtered and sorted in SQL (an index-backed
 * `ORDER BY … LIMIT`), with each device's addresses and VLANs.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { Conditions, containsPattern, iso, num, type Page, pageOf, type PageRequest } from "./sql.ts";

/** A device in a list: the seed spec's `DeviceResponse` plus what identification concluded. */
export interface DeviceSummary {
  id: number;
  mac_address: string;
  oui_vendor: string | null;
  device_type: string;
  /** The detected type (device_type is the user's override when there is one). */
  detected_type: string;
  device_name: string | null;
  display_name: string | null;
  os_family: string | null;
  ot_role: string | null;
  purdue_level: number | null;
  first_seen: string;
  last_seen: string;
  is_active: boolean;
  is_flagged: boolean;
  is_gateway: boolean;
  total_packets_sent: number;
  total_packets_received: number;
  total_bytes_sent: number;
  total_bytes_received: number;
  ip_addresses: string[];
  vlans: number[];
}

/** Sort keys of the list; a leading `-` sorts descending. */
export const DEVICE_SORTS: Record<string, string> = {
  last_seen: "d.last_seen",
  first_seen: "d.first_seen",
  mac: "d.mac_address",
  name: "COALESCE(d.device_name, d.display_name, d.mac_address::text)",
  type: "COALESCE(d.device_type_override, d.device_type)",
  vendor: "d.oui_vendor",
  bytes: "(d.total_bytes_sent + d.total_bytes_received)",
  packets: "(d.total_packets_sent + d.total_packets_received)",
};

/** Filters of {@linkcode listDevices}; absent: no filter. */
export interface DeviceQuery extends PageRequest {
  /** Searches name, display name, hostname attributes, MAC, IP and vendor (case-insensitive). */
  q?: string;
  vlan?: number;
  type?: string;
  vendor?: string;
  ot_role?: string;
  /** Only devices with an OT role (the OT asset list). */
  ot_only?: boolean;
  active?: boolean;
  flagged?: boolean;
  /** A key of {@linkcode DEVICE_SORTS}, optionally prefixed by `-` (default `-last_seen`). */
  sort?: string;
}

/** Columns of a device summary, from `devices d`. */
export const DEVICE_COLUMNS = `${num("d.id", "id")}, d.mac_address::text AS mac_address, d.oui_vendor,
  COALESCE(d.device_type_override, d.device_type) AS device_type, d.device_type AS detected_type,
  d.device_name, d.display_name, d.os_family, d.ot_role, d.purdue_level,
  ${iso("d.first_seen", "first_seen")}, ${iso("d.last_seen", "last_seen")}, d.is_active, d.is_flagged,
  d.is_gateway, ${num("d.total_packets_sent", "total_packets_sent")},
  ${num("d.total_packets_received", "total_packets_received")},
  ${num("d.total_bytes_sent", "total_bytes_sent")}, ${num("d.total_bytes_received", "total_bytes_received")},
  ARRAY(SELECT DISTINCT host(i.ip_address) FROM device_ips i
        WHERE i.device_id = d.id AND cardinality(i.learnt_from) > 0 ORDER BY 1) AS ip_addresses,
  ARRAY(SELECT DISTINCT v.vlan_id::int FROM device_vlans v WHERE v.device_id = d.id ORDER BY 1) AS vlans`;

function filters(query: DeviceQuery): Conditions {
  const where = new Conditions();
  if (query.q) {
    where.add(
      containsPattern(query.q),
      (p) =>
        `(d.device_name ILIKE ${p} OR d.display_name ILIKE ${p} OR d.mac_address::text ILIKE ${p}
        OR d.oui_vendor ILIKE ${p}
        OR EXISTS (SELECT 1 FROM device_ips i WHERE i.device_id = d.id AND cardinality(i.learnt_from) > 0
                   AND host(i.ip_address) ILIKE ${p})
        OR EXISTS (SELECT 1 FROM identity_attributes a WHERE a.device_id = d.id
                   AND a.key IN ('hostname', 'dhcp.fqdn', 'lldp.system_name', 'cdp.device_id') AND a.value ILIKE ${p}))`,
    );
  }
  if (query.vlan !== undefined) {
    where.add(
      query.vlan,
      (p) => `EXISTS (SELECT 1 FROM device_vlans v WHERE v.device_id = d.id AND v.vlan_id = ${p})`,
    );
  }
  if (query.type) where.add(query.type, (p) => `COALESCE(d.device_type_override, d.device_type) = ${p}`);
  if (query.vendor) where.add(containsPattern(query.vendor), (p) => `d.oui_vendor ILIKE ${p}`);
  if (query.ot_role) where.add(query.ot_role, (p) => `d.ot_role = ${p}`);
  if (query.ot_only) where.add(true, (p) => `(d.ot_role IS NOT NULL) = ${p}`);
  if (query.active !== undefined) where.add(query.active, (p) => `d.is_active = ${p}`);
  if (query.flagged !== undefined) where.add(query.flagged, (p) => `d.is_flagged = ${p}`);
  return where;
}

/** The ORDER BY of a sort key; unknown keys are refused by the API before they get here. */
export function deviceOrder(sort = "-last_seen"): string {
  const descending = sort.startsWith("-");
  const expression = DEVICE_SORTS[descending ? sort.slice(1) : sort];
  if (!expression) throw new RangeError(`Cannot sort devices by "${sort}": unknown sort key`);
  const direction = descending ? "DESC NULLS LAST" : "ASC NULLS LAST";
  return `${expression} ${direction}, d.id ${descending ? "DESC" : "ASC"}`;
}

/** One page of devices. */
export async function listDevices(db: Queryable, query: DeviceQuery): Promise<Page<DeviceSummary>> {
  const order = deviceOrder(query.sort);
  const where = filters(query);
  const total = (await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM devices d ${where.where()}`,
    where.params,
  ))[0].n;
  const limit = where.param(query.page_size);
  const offset = where.param((query.page - 1) * query.page_size);
  const items = await db.query<DeviceSummary>(
    `SELECT ${DEVICE_COLUMNS} FROM devices d ${where.where()} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
    where.params,
  );
  return pageOf(items, total, query);
}

/** A peer an OT asset sends industrial requests to, or receives them from (`device_activity`). */
export interface OtPeer {
  mac_address: string;
  device_id: number | null;
  /** Dissectors the requests were heard by (modbus, s7comm…). */
  protocols: string[];
  /** Operations (read, write, program_download, stop…). */
  operations: string[];
  count: number;
  last_seen: string;
}

/** The OT side of a device: what the OT asset list adds to a summary. */
export interface OtFields {
  ot_role_confidence: number;
  ot_role_reasons: string[];
  ot_protocols: string[];
  ot_facts: Record<string, unknown>;
  ot_children: unknown[];
  /** Who it sends requests to (it is their master, client or engineering station). */
  controls: OtPeer[];
  /** Who sends it requests. */
  controlled_by: OtPeer[];
}

/**
 * Who controls whom, for the devices `ids`: their peers in `device_activity`, both ways, requests
 * only (an `exception` is the responder's answer, not a command).
 */
async function otPeers(
  db: Queryable,
  ids: number[],
): Promise<(OtPeer & { asset: number; direction: string })[]> {
  return await db.query<OtPeer & { asset: number; direction: string }>(
    `SELECT x.asset, x.direction, x.mac::text AS mac_address, ${num("p.id", "device_id")},
       array_agg(DISTINCT x.source ORDER BY x.source) AS protocols, array_agg(DISTINCT x.op ORDER BY x.op) AS operations,
       sum(x.count)::float8 AS count, ${iso("max(x.last_seen)", "last_seen")}
     FROM (
       SELECT d.id::float8 AS asset, 'controls' AS direction, a.dst_mac AS mac, a.source, a.op, a.count, a.last_seen
         FROM devices d JOIN device_activity a ON a.src_mac = d.mac_address
        WHERE d.id = ANY ($1::bigint[]) AND a.dst_mac IS NOT NULL AND a.dst_mac <> d.mac_address
          AND a.op <> 'exception'
       UNION ALL
       SELECT d.id::float8, 'controlled_by', a.src_mac, a.source, a.op, a.count, a.last_seen
         FROM devices d JOIN device_activity a ON a.dst_mac = d.mac_address
        WHERE d.id = ANY ($1::bigint[]) AND a.src_mac IS NOT NULL AND a.src_mac <> d.mac_address
          AND a.op <> 'exception'
     ) x LEFT JOIN devices p ON p.mac_address = x.mac
     GROUP BY x.asset, x.direction, x.mac, p.id ORDER BY x.asset, x.direction, 7 DESC, 3`,
    [ids],
  );
}

/** One page of OT assets (devices with an OT role), each with its OT facts, protocols, children and who controls whom. */
export async function listOtAssets(
  db: Queryable,
  query: DeviceQuery,
): Promise<Page<DeviceSummary & OtFields>> {
  const page = await listDevices(db, { ...query, ot_only: true });
  const rows = await db.query<
    & { id: number; ot_facts: string; ot_children: string }
    & Omit<
      OtFields,
      "ot_facts" | "ot_children" | "controls" | "controlled_by"
    >
  >(
    `SELECT id::float8 AS id, ot_role_confidence, ot_role_reasons, ot_protocols, ot_facts::text AS ot_facts,
       ot_children::text AS ot_children FROM devices WHERE id = ANY ($1::bigint[])`,
    [page.items.map((item) => item.id)],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const peers = await otPeers(db, page.items.map((item) => item.id));
  const items = page.items.map((item) => {
    const row = byId.get(item.id)!;
    const of = (direction: string) =>
      peers.filter((peer) => peer.asset === item.id && peer.direction === direction)
        .map(({ asset: _asset, direction: _direction, ...peer }) => peer);
    return {
      ...item,
      ot_role_confidence: row.ot_role_confidence,
      ot_role_reasons: row.ot_role_reasons,
      ot_protocols: row.ot_protocols,
      ot_facts: JSON.parse(row.ot_facts),
      ot_children: JSON.parse(row.ot_children),
      controls: of("controls"),
      controlled_by: of("controlled_by"),
    };
  });
  return { ...page, items };
}
