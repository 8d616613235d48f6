/**
 * Batched upserts of devices, their addresses and VLANs: one statement per table and flush, each
 * taking its rows as arrays (`unnest`), never one statement per row. Rows are sorted by key so two
 * aggregators writing the same devices lock them in the same order.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { AddressRow, BatchRows } from "./batch_rows.ts";
import { ouiVendor } from "../aggregator/oui.ts";

const UPSERT_DEVICES = `
INSERT INTO devices AS d (mac_address, oui_prefix, locally_administered, first_seen, last_seen,
  total_packets_sent, total_packets_received, total_bytes_sent, total_bytes_received, oui_vendor)
SELECT mac, prefix, local, netsentinel_time(first_us), netsentinel_time(last_us), ps, pr, bs, br, vendor
FROM unnest($1::macaddr[], $2::text[], $3::boolean[], $4::float8[], $5::float8[], $6::bigint[], $7::bigint[],
  $8::bigint[], $9::bigint[], $10::text[]) AS i(mac, prefix, local, first_us, last_us, ps, pr, bs, br, vendor)
ON CONFLICT (mac_address) DO UPDATE SET
  oui_vendor = COALESCE(EXCLUDED.oui_vendor, d.oui_vendor),
  first_seen = LEAST(d.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(d.last_seen, EXCLUDED.last_seen),
  total_packets_sent = d.total_packets_sent + EXCLUDED.total_packets_sent,
  total_packets_received = d.total_packets_received + EXCLUDED.total_packets_received,
  total_bytes_sent = d.total_bytes_sent + EXCLUDED.total_bytes_sent,
  total_bytes_received = d.total_bytes_received + EXCLUDED.total_bytes_received,
  updated_at = now()
RETURNING d.id::float8 AS id, d.mac_address::text AS mac, (d.xmax = 0) AS inserted`;

/** The database ids of a batch's devices, and which of them the batch created. */
export interface DeviceIds {
  /** Device id by MAC. */
  byMac: Map<string, number>;
  /** MACs of the devices this batch inserted. */
  inserted: string[];
}

/** Adds the flush's device counters (devices sorted by MAC). */
export async function upsertDevices(tx: Queryable, rows: BatchRows): Promise<DeviceIds> {
  const devices = rows.devices;
  const ids: DeviceIds = { byMac: new Map(), inserted: [] };
  if (devices.length === 0) return ids;
  const result = await tx.query<{ id: number; mac: string; inserted: boolean }>(UPSERT_DEVICES, [
    devices.map((d) => d.mac),
    devices.map((d) => d.mac.slice(0, 8).toUpperCase()),
    devices.map((d) => (parseInt(d.mac.slice(0, 2), 16) & 0x02) !== 0),
    devices.map((d) => d.firstUs),
    devices.map((d) => d.lastUs),
    devices.map((d) => d.packetsSent),
    devices.map((d) => d.packetsReceived),
    devices.map((d) => d.bytesSent),
    devices.map((d) => d.bytesReceived),
    devices.map((d) => ouiVendor(d.mac)?.slice(0, 128) ?? null),
  ]);
  for (const row of result) {
    ids.byMac.set(row.mac, row.id);
    if (row.inserted) ids.inserted.push(row.mac);
  }
  if (ids.byMac.size !== devices.length) {
    throw new Error(
      `Cannot match device ids: ${devices.length} devices upserted, ${ids.byMac.size} returned`,
    );
  }
  return ids;
}

/**
 * Adds the flush's per-address counters and learnt-from sets, and returns what the learnt rows of
 * the batch held before: `old` reads the table as it was before this statement (every part of a
 * statement sees the same snapshot), through the unique index.
 */
const UPSERT_ADDRESSES = `
WITH i AS (
  SELECT * FROM unnest($1::bigint[], $2::inet[], $3::smallint[], $4::smallint[], $5::smallint[], $6::float8[],
    $7::float8[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[])
    WITH ORDINALITY AS i(device_id, ip, version, vlan, outer_vlan, first_us, last_us, ps, bs, pr, br, learnt, ord)
), old AS (
  SELECT i.ord, array_to_string(x.learnt_from, ',') AS learnt FROM i JOIN device_ips x
    ON x.device_id = i.device_id AND x.ip_address = i.ip
    AND COALESCE(x.vlan_id, -1) = COALESCE(i.vlan, -1) AND COALESCE(x.outer_vlan_id, -1) = COALESCE(i.outer_vlan, -1)
  WHERE i.learnt <> ''
), up AS (
  INSERT INTO device_ips AS x (device_id, ip_address, ip_version, vlan_id, outer_vlan_id, first_seen, last_seen,
    packets_sent, bytes_sent, packets_received, bytes_received, learnt_from)
  SELECT i.device_id, i.ip, i.version, i.vlan, i.outer_vlan, netsentinel_time(i.first_us),
    netsentinel_time(i.last_us), i.ps, i.bs, i.pr, i.br, COALESCE(string_to_array(NULLIF(i.learnt, ''), ','), '{}')
  FROM i
  ON CONFLICT (device_id, ip_address, (COALESCE(vlan_id, -1)), (COALESCE(outer_vlan_id, -1))) DO UPDATE SET
    first_seen = LEAST(x.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(x.last_seen, EXCLUDED.last_seen),
    packets_sent = x.packets_sent + EXCLUDED.packets_sent,
    bytes_sent = x.bytes_sent + EXCLUDED.bytes_sent,
    packets_received = x.packets_received + EXCLUDED.packets_received,
    bytes_received = x.bytes_received + EXCLUDED.bytes_received,
    learnt_from = CASE WHEN EXCLUDED.learnt_from <@ x.learnt_from THEN x.learnt_from
      ELSE ARRAY(SELECT DISTINCT l FROM unnest(x.learnt_from || EXCLUDED.learnt_from) AS l ORDER BY l) END
)
SELECT ord::int AS ord, learnt FROM old`;

/**
 * Adds the flush's per-address counters and learnt-from sets.
 *
 * @returns the rows whose learnt-from set grew (new addresses of their devices, new announcements)
 */
export async function upsertAddresses(
  tx: Queryable,
  rows: BatchRows,
  devices: DeviceIds,
): Promise<AddressRow[]> {
  const addresses = rows.addresses;
  if (addresses.length === 0) return [];
  const before = await tx.query<{ ord: number; learnt: string }>(UPSERT_ADDRESSES, [
    addresses.map((r) => deviceId(devices, r.mac)),
    addresses.map((r) => r.ip),
    addresses.map((r) => r.version),
    addresses.map((r) => r.vlan),
    addresses.map((r) => r.outer),
    addresses.map((r) => r.firstUs),
    addresses.map((r) => r.lastUs),
    addresses.map((r) => r.packetsSent),
    addresses.map((r) => r.bytesSent),
    addresses.map((r) => r.packetsReceived),
    addresses.map((r) => r.bytesReceived),
    addresses.map((r) => r.learnt.join(",")),
  ]);
  const known = new Map(before.map((row) => [row.ord - 1, new Set(row.learnt.split(","))]));
  return addresses.filter((row, index) => {
    if (row.learnt.length === 0) return false;
    const labels = known.get(index);
    return labels === undefined || row.learnt.some((label) => !labels.has(label));
  });
}

/** The id of a device of the batch. */
export function deviceId(devices: DeviceIds, mac: string): number {
  const id = devices.byMac.get(mac);
  if (id === undefined) throw new Error(`Cannot find the device id of ${mac}: not a device of the batch`);
  return id;
}

const INSERT_DEVICE_VLANS = `
INSERT INTO device_vlans (device_id, vlan_id, outer_vlan_id)
SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::smallint[])
ON CONFLICT DO NOTHING`;

const UPSERT_VLANS = `
INSERT INTO vlans AS v (vlan_id, outer_vlan_id, first_seen, last_seen, total_packets, total_bytes)
SELECT vlan, outer_vlan, netsentinel_time(first_us), netsentinel_time(last_us), packets, bytes
FROM unnest($1::smallint[], $2::smallint[], $3::float8[], $4::float8[], $5::bigint[], $6::bigint[])
  AS i(vlan, outer_vlan, first_us, last_us, packets, bytes)
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
export async function upsertVlans(tx: Queryable, rows: BatchRows, devices: DeviceIds): Promise<void> {
  const memberships: [number, number, number | null][] = [];
  for (const device of rows.devices) {
    const id = deviceId(devices, device.mac);
    for (const vlan of device.vlans.values()) memberships.push([id, vlan.vlan_id, vlan.outer_vlan_id]);
  }
  if (memberships.length > 0) {
    await tx.query(INSERT_DEVICE_VLANS, [
      memberships.map((m) => m[0]),
      memberships.map((m) => m[1]),
      memberships.map((m) => m[2]),
    ]);
  }
  const vlans = rows.vlans;
  if (vlans.length === 0) return;
  const ids = vlans.map((v) => v.vlan_id);
  const outers = vlans.map((v) => v.outer_vlan_id);
  await tx.query(UPSERT_VLANS, [
    ids,
    outers,
    vlans.map((v) => v.firstUs),
    vlans.map((v) => v.lastUs),
    vlans.map((v) => v.packets),
    vlans.map((v) => v.bytes),
  ]);
  await tx.query(RECOUNT_VLANS, [ids, outers]);
}
