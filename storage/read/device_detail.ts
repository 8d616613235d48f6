/**
 * One device with everything the stored tables say about it: identity attributes (source,
 * confidence, first/last heard), addresses with how each was learnt, VLANs, classification and its
 * reasons, OT facts and children, DHCP leases, protocols it speaks, its IP history and L2 neighbour
 * (storage/read/device_history.ts), and the user's fields.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { DEVICE_COLUMNS, type DeviceSummary } from "./devices.ts";
import { ipHistory, type IpHistoryEntry, type L2Neighbour, l2Neighbour } from "./device_history.ts";
import { iso, num } from "./sql.ts";

/** An identity attribute heard about the device. */
export interface DeviceAttribute {
  key: string;
  value: string;
  source: string;
  confidence: number;
  ip_address: string | null;
  first_seen: string;
  last_seen: string;
  count: number;
}

/** An address of the device. */
export interface DeviceAddress {
  ip_address: string;
  ip_version: number;
  vlan_id: number | null;
  outer_vlan_id: number | null;
  learnt_from: string[];
  first_seen: string | null;
  last_seen: string | null;
  packets_sent: number;
  bytes_sent: number;
}

/** Everything about one device. */
export interface DeviceDetail extends DeviceSummary {
  device_notes: string | null;
  device_type_override: string | null;
  oui_prefix: string;
  locally_administered: boolean;
  classification: {
    device_type: string;
    confidence: number;
    reasons: string[];
    os_family: string | null;
    display_name_source: string | null;
    gateway_reasons: string[];
    identified_at: string | null;
  };
  ot: {
    role: string | null;
    confidence: number;
    reasons: string[];
    purdue_level: number | null;
    protocols: string[];
    facts: Record<string, unknown>;
    children: unknown[];
  };
  addresses: DeviceAddress[];
  vlan_memberships: { vlan_id: number; outer_vlan_id: number | null; first_seen: string }[];
  attributes: DeviceAttribute[];
  dhcp_leases: {
    ip_address: string;
    server_ip: string | null;
    hostname: string | null;
    state: string;
    first_seen: string;
    last_seen: string;
  }[];
  protocols: { application: string; flows: number; bytes: number }[];
  /** Every address it held (learnt addresses and DHCP leases), oldest first. */
  ip_history: IpHistoryEntry[];
  /** What it announces on its link (LLDP, else CDP): system and port, or null. */
  l2_neighbour: L2Neighbour | null;
}

type DetailRow = DeviceSummary & {
  device_notes: string | null;
  device_type_override: string | null;
  oui_prefix: string;
  locally_administered: boolean;
  type_confidence: number;
  type_reasons: string[];
  display_name_source: string | null;
  gateway_reasons: string[];
  identified_at: string | null;
  ot_role_confidence: number;
  ot_role_reasons: string[];
  ot_protocols: string[];
  ot_facts: string;
  ot_children: string;
};

/** Finds a device by numeric id or MAC address (`aa:bb:cc:dd:ee:ff`, any case); null when absent. */
export async function getDevice(db: Queryable, idOrMac: string | number): Promise<DeviceDetail | null> {
  const byId = typeof idOrMac === "number";
  const rows = await db.query<DetailRow>(
    `SELECT ${DEVICE_COLUMNS}, d.device_notes, d.device_type_override, d.oui_prefix, d.locally_administered,
       d.type_confidence, d.type_reasons, d.display_name_source, d.gateway_reasons, ${
      iso("d.identified_at", "identified_at")
    },
       d.ot_role_confidence, d.ot_role_reasons, d.ot_protocols, d.ot_facts::text AS ot_facts,
       d.ot_children::text AS ot_children
     FROM devices d WHERE ${byId ? "d.id = $1" : "d.mac_address = $1::macaddr"}`,
    [idOrMac],
  );
  const row = rows[0];
  if (!row) return null;
  const {
    type_confidence,
    type_reasons,
    display_name_source,
    gateway_reasons,
    identified_at,
    ot_role_confidence,
    ot_role_reasons,
    ot_protocols,
    ot_facts,
    ot_children,
    ...device
  } = row;
  const id = row.id;
  const [addresses, vlans, attributes, leases, protocols] = await Promise.all([
    db.query<DeviceAddress>(
      `SELECT host(ip_address) AS ip_address, ip_version, vlan_id, outer_vlan_id, learnt_from,
         ${iso("first_seen", "first_seen")}, ${iso("last_seen", "last_seen")},
         ${num("packets_sent", "packets_sent")}, ${num("bytes_sent", "bytes_sent")}
       FROM device_ips WHERE device_id = $1 AND cardinality(learnt_from) > 0
       ORDER BY last_seen DESC NULLS LAST, ip_address`,
      [id],
    ),
    db.query<{ vlan_id: number; outer_vlan_id: number | null; first_seen: string }>(
      `SELECT vlan_id, outer_vlan_id, ${
        iso("first_seen", "first_seen")
      } FROM device_vlans WHERE device_id = $1
       ORDER BY vlan_id, COALESCE(outer_vlan_id, -1)`,
      [id],
    ),
    db.query<DeviceAttribute>(
      `SELECT key, value, source, confidence, host(ip_address) AS ip_address, ${
        iso("first_seen", "first_seen")
      },
         ${iso("last_seen", "last_seen")}, ${num("count", "count")}
       FROM identity_attributes WHERE device_id = $1 ORDER BY key, confidence DESC, last_seen DESC LIMIT 500`,
      [id],
    ),
    db.query<DeviceDetail["dhcp_leases"][number]>(
      `SELECT host(ip_address) AS ip_address, host(server_ip) AS server_ip, hostname, state,
         ${iso("first_seen", "first_seen")}, ${iso("last_seen", "last_seen")}
       FROM dhcp_leases WHERE client_mac = $1::macaddr ORDER BY last_seen DESC LIMIT 100`,
      [row.mac_address],
    ),
    db.query<{ application: string; flows: number; bytes: number }>(
      `SELECT application, count(*)::float8 AS flows, sum(byte_count)::float8 AS bytes FROM traffic_flows
       WHERE (src_device_id = $1 OR dst_device_id = $1) AND application IS NOT NULL
       GROUP BY application ORDER BY 3 DESC, 1 LIMIT 100`,
      [id],
    ),
  ]);
  return {
    ...device,
    classification: {
      device_type: row.detected_type,
      confidence: type_confidence,
      reasons: type_reasons,
      os_family: row.os_family,
      display_name_source,
      gateway_reasons,
      identified_at,
    },
    ot: {
      role: row.ot_role,
      confidence: ot_role_confidence,
      reasons: ot_role_reasons,
      purdue_level: row.purdue_level,
      protocols: ot_protocols,
      facts: JSON.parse(ot_facts),
      children: JSON.parse(ot_children),
    },
    addresses,
    vlan_memberships: vlans,
    attributes,
    dhcp_leases: leases,
    protocols,
    ip_history: ipHistory(addresses, leases),
    l2_neighbour: l2Neighbour(attributes),
  };
}

/** What a user may change on a device (absent: unchanged; null: cleared). */
export interface DeviceChanges {
  device_name?: string | null;
  device_type?: string | null;
  device_notes?: string | null;
  is_flagged?: boolean;
}

/** Applies the user's changes to a device; false when it does not exist. */
export async function updateDevice(db: Queryable, id: number, changes: DeviceChanges): Promise<boolean> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (changes.device_name !== undefined) set("device_name", changes.device_name);
  if (changes.device_type !== undefined) set("device_type_override", changes.device_type);
  if (changes.device_notes !== undefined) set("device_notes", changes.device_notes);
  if (changes.is_flagged !== undefined) set("is_flagged", changes.is_flagged);
  sets.push("updated_at = now()");
  const rows = await db.query(`UPDATE devices SET ${sets.join(", ")} WHERE id = $1 RETURNING id`, params);
  return rows.length > 0;
}
