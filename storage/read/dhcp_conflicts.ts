/**
 * Address conflicts seen on the wire, three kinds:
 *
 * | kind                 | what                                                                                      |
 * | -------------------- | ----------------------------------------------------------------------------------------- |
 * | `ip_claimed_twice`   | one IPv4 address claimed by two MACs at overlapping times (a lease, valid until its last ACK plus its lease time unless released, or an ARP/DHCP sighting; 5 minutes of slack), on the same VLAN or untagged |
 * | `several_ips_static` | a device expected to have one static address (it never took a DHCP lease, or it is an OT device) that announced several IPv4 addresses (ARP, traffic); gateways are left out |
 * | `duplicate_address`  | a client declined an address (DHCP DECLINE: its ARP probe found the address in use, RFC 2131 3.1.5), or a gratuitous ARP announced an address another MAC holds |
 *
 * Each is computed in SQL over the stored leases, addresses and events.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { type Page, pageOf, type PageRequest } from "./sql.ts";

/** The kinds of conflict. */
export const CONFLICT_KINDS = ["ip_claimed_twice", "several_ips_static", "duplicate_address"] as const;

/** One conflict. */
export interface DhcpConflict {
  kind: (typeof CONFLICT_KINDS)[number];
  /** The contested address (for `several_ips_static`: null). */
  ip: string | null;
  /** The MACs involved (sorted). */
  macs: string[];
  /** Their devices, when the inventory has them (same order as `macs`, null when absent). */
  device_ids: (number | null)[];
  /** What it rests on, one line each. */
  evidence: string[];
  /** When it was first observable (ISO 8601). */
  detected_at: string;
}

/** Filters of {@linkcode listDhcpConflicts}. */
export interface ConflictQuery extends PageRequest {
  kind?: DhcpConflict["kind"];
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const CLAIMED_TWICE = `
WITH claims AS (
  SELECT l.client_mac AS mac, l.ip_address AS ip, l.vlan_id, l.first_seen AS since,
    CASE WHEN l.state = 'released' OR l.lease_seconds IS NULL THEN l.last_seen
         ELSE l.last_seen + make_interval(secs => l.lease_seconds) END AS until,
    'dhcp lease (' || l.state || ')' AS source
  FROM dhcp_leases l WHERE l.state IN ('bound', 'released') AND family(l.ip_address) = 4
  UNION ALL
  SELECT d.mac_address, i.ip_address, i.vlan_id, i.first_seen, i.last_seen, array_to_string(i.learnt_from, '+')
  FROM device_ips i JOIN devices d ON d.id = i.device_id
  WHERE i.learnt_from && '{arp,dhcp}'::text[] AND family(i.ip_address) = 4 AND i.first_seen IS NOT NULL
    AND NOT d.is_gateway
)
SELECT 'ip_claimed_twice' AS kind, host(a.ip) AS ip, a.mac::text AS mac_a, b.mac::text AS mac_b,
  array_agg(DISTINCT concat(a.mac, ': ', a.source, ' ', ${ISO("a.since")}, ' → ', ${ISO("a.until")}))
    || array_agg(DISTINCT concat(b.mac, ': ', b.source, ' ', ${ISO("b.since")}, ' → ', ${ISO("b.until")}))
    AS evidence,
  ${ISO("min(GREATEST(a.since, b.since))")} AS detected_at
FROM claims a JOIN claims b ON a.ip = b.ip AND a.mac < b.mac
  AND (a.vlan_id IS NULL OR b.vlan_id IS NULL OR a.vlan_id = b.vlan_id)
  AND a.since <= b.until + interval '5 minutes' AND b.since <= a.until + interval '5 minutes'
GROUP BY a.ip, a.mac, b.mac`;

const SEVERAL_IPS = `
SELECT 'several_ips_static' AS kind, NULL AS ip, d.mac_address::text AS mac_a, NULL AS mac_b,
  array_agg(concat(host(i.ip_address), ' (', array_to_string(i.learnt_from, '+'), ') ', ${
  ISO("i.first_seen")
},
    ' → ', ${ISO("i.last_seen")}) ORDER BY i.first_seen)
    || ARRAY[CASE WHEN d.ot_role IS NOT NULL THEN 'OT device (' || d.ot_role || '): a static address is expected'
             ELSE 'no DHCP lease heard: a static address is expected' END] AS evidence,
  ${ISO("min(i.last_seen)")} AS detected_at
FROM devices d JOIN device_ips i ON i.device_id = d.id
WHERE NOT d.is_gateway AND family(i.ip_address) = 4 AND i.first_seen IS NOT NULL
  AND i.learnt_from && '{arp,traffic}'::text[] AND NOT i.ip_address <<= '169.254.0.0/16'::inet
  AND NOT i.ip_address = '0.0.0.0'::inet
  AND (d.ot_role IS NOT NULL OR NOT EXISTS (SELECT 1 FROM dhcp_leases l WHERE l.client_mac = d.mac_address))
GROUP BY d.id
HAVING count(DISTINCT i.ip_address) > 1`;

const DUPLICATES = `
SELECT 'duplicate_address' AS kind, e.fields->>'requested_ip' AS ip, (e.fields->>'client_mac') AS mac_a,
  NULL AS mac_b,
  ARRAY[concat(e.fields->>'client_mac', ': DHCP DECLINE of ', e.fields->>'requested_ip', ' at ', ${
  ISO("e.time")
},
    ' (the address is in use)')] AS evidence,
  ${ISO("e.time")} AS detected_at
FROM protocol_events e
WHERE e.type = 'dhcp.decline' AND e.fields->>'requested_ip' ~ '^[0-9.]+$' AND e.fields->>'client_mac' IS NOT NULL
UNION ALL
SELECT 'duplicate_address', host(e.ip_address), e.src_mac::text, d.mac_address::text,
  ARRAY[concat(e.src_mac, ': gratuitous ARP for ', host(e.ip_address), ' at ', ${ISO("e.time")}),
        concat(d.mac_address, ': holds ', host(i.ip_address), ' (', array_to_string(i.learnt_from, '+'), ')')],
  ${ISO("e.time")}
FROM protocol_events e
JOIN device_ips i ON i.ip_address = e.ip_address AND i.learnt_from && '{arp,dhcp}'::text[]
JOIN devices d ON d.id = i.device_id AND d.mac_address <> e.src_mac AND NOT d.is_gateway
WHERE e.type = 'arp.gratuitous' AND e.ip_address IS NOT NULL AND e.src_mac IS NOT NULL`;

/** One page of conflicts, newest first. */
export async function listDhcpConflicts(db: Queryable, query: ConflictQuery): Promise<Page<DhcpConflict>> {
  const parts = {
    ip_claimed_twice: CLAIMED_TWICE,
    several_ips_static: SEVERAL_IPS,
    duplicate_address: DUPLICATES,
  };
  const union = (query.kind ? [parts[query.kind]] : Object.values(parts)).map((sql) => `(${sql})`)
    .join(" UNION ALL ");
  const rows = await db.query<
    {
      kind: DhcpConflict["kind"];
      ip: string | null;
      mac_a: string;
      mac_b: string | null;
      evidence: string[];
      detected_at: string;
      total: number;
    }
  >(
    `WITH found AS (${union})
     SELECT f.*, count(*) OVER ()::float8 AS total FROM found f
     ORDER BY f.detected_at DESC, f.kind, f.ip, f.mac_a LIMIT $1 OFFSET $2`,
    [query.page_size, (query.page - 1) * query.page_size],
  );
  const macs = [...new Set(rows.flatMap((row) => [row.mac_a, row.mac_b]).filter((mac) => mac !== null))];
  const devices = await db.query<{ mac: string; id: number }>(
    "SELECT mac_address::text AS mac, id::float8 AS id FROM devices WHERE mac_address = ANY($1::macaddr[])",
    [macs],
  );
  const idOf = new Map(devices.map((row) => [row.mac, row.id]));
  const items = rows.map((row) => {
    const pair = [row.mac_a, row.mac_b].filter((mac): mac is string => mac !== null).sort();
    return {
      kind: row.kind,
      ip: row.ip,
      macs: pair,
      device_ids: pair.map((mac) => idOf.get(mac) ?? null),
      evidence: row.evidence,
      detected_at: row.detected_at,
    };
  });
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && query.page > 1) {
    total = (await db.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM (${union}) f`))[0].n;
  }
  return pageOf(items, total, query);
}
