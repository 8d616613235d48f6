/**
 * Batched upserts of devices, their addresses and VLANs: one statement per table and flush, each
 * taking its rows as arrays (`unnest`), never one statement per row. Rows are sorted by key so two
 * aggregators writing the same devices lock them in the same order.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";
import type { AddressRow } from "./batch_rows.ts";

const UPSERT_DEVICES = `
INSERT INTO devices AS d (mac_address, oui_prefix, locally_administered, first_seen, last_seen,
  total_packets_sent, total_packets_received, total_bytes_sent, total_bytes_received, oui_vendor)
SELECT * FROM unnest($1::macaddr[], $2::text[], $3::boolean[], $4::timestamptz[], $5::timestamptz[],
  $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[])
ON CONFLICT (mac_address) DO UPDATE SET
  oui_vendor = COALESCE(EXCLUDED.oui_vendor, d.oui_vendor),
  first_seen = LEAST(d.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(d.last_seen, EXCLUDED.last_seen),
  total_packets_sent = d.total_packets_sent + EXCLUDED.total_packets_sent,
  total_packets_received = d.total_packets_received + EXCLUDED.total_packets_received,
  total_bytes_sent = d.total_bytes_sent + EXCLUDED.total_bytes_sent,
  total_bytes_received = d.total_bytes_received + EXCLUDED.total_bytes_received,
  updated_at = now()`;

/** Adds the flush's device counters (devices sorted by MAC in the document). */
export async function upsertDevices(tx: Queryable, document: InventoryDocument): Promise<void> {
  const devices = document.devices;
  if (devices.length === 0) return;
  await tx.query(UPSERT_DEVICES, [
    devices.map((d) => d.mac_address),
    devices.map((d) => d.oui_prefix),
    devices.map((d) => d.locally_administered),
    devices.map((d) => d.first_seen),
    devices.map((d) => d.last_seen),
    devices.map((d) => d.total_packets_sent),
    devices.map((d) => d.total_packets_received),
    devices.map((d) => d.total_bytes_sent),
    devices.map((d) => d.total_bytes_received),
    devices.map((d) => d.oui_vendor === null ? null : d.oui_vendor.slice(0, 128)),
  ]);
}

const UPSERT_ADDRESSES = `
INSERT INTO device_ips AS x (device_id, ip_address, ip_version, vlan_id, outer_vlan_id, first_seen, last_seen,
  packets_sent, bytes_sent, packets_received, bytes_received, learnt_from)
SELECT d.id, i.ip, i.version, i.vlan, i.outer_vlan, i.first_seen, i.last_seen, i.ps, i.bs, i.pr, i.br,
  COALESCE(string_to_array(NULLIF(i.learnt, ''), ','), '{}')
FROM unnest($1::macaddr[], $2::inet[], $3::smallint[], $4::smallint[], $5::smallint[], $6::timestamptz[],
  $7::timestamptz[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[])
  AS i(mac, ip, version, vlan, outer_vlan, first_seen, last_seen, ps, bs, pr, br, learnt)
JOIN devices d ON d.mac_address = i.mac
ON CONFLICT (device_id, ip_address, (COALESCE(vlan_id, -1)), (COALESCE(outer_vlan_id, -1))) DO UPDATE SET
  first_seen = LEAST(x.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(x.last_seen, EXCLUDED.last_seen),
  packets_sent = x.packets_sent + EXCLUDED.packets_sent,
  bytes_sent = x.bytes_sent + EXCLUDED.bytes_sent,
  packets_received = x.packets_received + EXCLUDED.packets_received,
  bytes_received = x.bytes_received + EXCLUDED.bytes_received,
  learnt_from = CASE WHEN EXCLUDED.learnt_from <@ x.learnt_from THEN x.learnt_from
    ELSE ARRAY(SELECT DISTINCT l FROM unnest(x.learnt_from || EXCLUDED.learnt_from) AS l ORDER BY l) END`;

/** Adds the flush's per-address counters and learnt-from sets. */
export async function upsertAddresses(tx: Queryable, rows: AddressRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(UPSERT_ADDRESSES, [
    rows.map((r) => r.mac),
    rows.map((r) => r.ip),
    rows.map((r) => r.version),
    rows.map((r) => r.vlan),
    rows.map((r) => r.outer),
    rows.map((r) => r.first),
    rows.map((r) => r.last),
    rows.map((r) => r.packetsSent),
    rows.map((r) => r.bytesSent),
    rows.map((r) => r.packetsReceived),
    rows.map((r) => r.bytesReceived),
    rows.map((r) => r.learnt.join(",")),
  ]);
}

const INSERT_DEVICE_VLANS = `
INSERT INTO device_vlans (device_id, vlan_id, outer_vlan_id)
SELECT d.id, i.vlan, i.outer_vlan
FROM unnest($1::macaddr[], $2::smallint[], $3::smallint[]) AS i(mac, vlan, outer_vlan)
JOIN devices d ON d.mac_address = i.mac
ON CONFLICT DO NOTHING`;

const UPSERT_VLANS = `
INSERT INTO vlans AS v (vlan_id, outer_vlan_id, first_seen, last_seen, total_packets, total_bytes)
SELECT * FROM unnest($1::smallint[], $2::smallint[], $3::timestamptz[], $4::timestamptz[], $5::bigint[],
  $6::bigint[])
ON CONFLICT (vlan_id, (COALESCE(outer_vlan_id, -1))) DO UPDATE SET
  first_seen = LEAST(v.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(v.last_seen, EXCLUDED.last_seen),
  total_packets = v.total_packets + EXCLUDED.total_packets,
  total_bytes = v.total_bytes + EXCLUDED.total_bytes`;

/** Recounts the devices of the given VLANs from device_vlans (a count is not additive). */
const RECOUNT_VLANS = `
UPDATE vlans v SET device_count = c.devices
FROM (
  SELECT t.vlan, t.outer_vlan, count(dv.device_id)::int AS devices
  FROM unnest($1::smallint[], $2::smallint[]) AS t(vlan, outer_vlan)
  LEFT JOIN device_vlans dv ON dv.vlan_id = t.vlan AND dv.outer_vlan_id IS NOT DISTINCT FROM t.outer_vlan
  GROUP BY t.vlan, t.outer_vlan
) c
WHERE v.vlan_id = c.vlan AND v.outer_vlan_id IS NOT DISTINCT FROM c.outer_vlan AND v.device_count <> c.devices`;

/** Records VLAN memberships, adds VLAN counters, recounts the devices of the VLANs touched. */
export async function upsertVlans(tx: Queryable, document: InventoryDocument): Promise<void> {
  const memberships: [string, number, number | null][] = [];
  for (const device of document.devices) {
    for (const vlan of device.vlans) memberships.push([device.mac_address, vlan.vlan_id, vlan.outer_vlan_id]);
  }
  if (memberships.length > 0) {
    await tx.query(INSERT_DEVICE_VLANS, [
      memberships.map((m) => m[0]),
      memberships.map((m) => m[1]),
      memberships.map((m) => m[2]),
    ]);
  }
  const vlans = document.vlans;
  if (vlans.length === 0) return;
  const ids = vlans.map((v) => v.vlan_id);
  const outers = vlans.map((v) => v.outer_vlan_id);
  await tx.query(UPSERT_VLANS, [
    ids,
    outers,
    vlans.map((v) => v.first_seen),
    vlans.map((v) => v.last_seen),
    vlans.map((v) => v.total_packets),
    vlans.map((v) => v.total_bytes),
  ]);
  await tx.query(RECOUNT_VLANS, [ids, outers]);
}
