/**
 * Identification kept in the database: each device's type, OS family, display name, OT role,
 * Purdue level, OT facts and children (`devices` columns of migration 004), the OT activity they
 * are inferred from (`device_activity`), and DHCP leases (`dhcp_leases`).
 *
 * The conclusions are not additive: they are recomputed, in the batch's transaction, for the
 * devices the batch told something about (an identity, an OT event, a gateway flag), from
 * everything the database holds about them — with the same functions as `analyze`
 * (`aggregator/identify/`), on a document made of the stored rows. Recomputing is idempotent, so a
 * redelivered batch (skipped anyway) or a crash between batches leaves nothing half done.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { Device, InventoryDocument } from "../aggregator/inventory_types.ts";
import { classifyDevices, displayNames, inferOtAssets, OT_PROTOCOLS } from "../aggregator/identify/mod.ts";
import { cleanText, normalizeMac, parseIp } from "./addresses.ts";

type Json = Record<string, unknown>;

function ipOrNull(value: unknown): string | null {
  return typeof value === "string" && parseIp(value) ? value.trim() : null;
}

function macOrNull(value: unknown): string | null {
  return normalizeMac(typeof value === "string" ? value : null);
}

const UPSERT_ACTIVITY = `
INSERT INTO device_activity AS a (src_mac, src_ip, dst_mac, dst_ip, source, type, op, severity, first_seen,
  last_seen, count)
SELECT * FROM unnest($1::macaddr[], $2::inet[], $3::macaddr[], $4::inet[], $5::text[], $6::text[], $7::text[],
  $8::text[], $9::timestamptz[], $10::timestamptz[], $11::bigint[])
ON CONFLICT ((COALESCE(src_mac, '00:00:00:00:00:00'::macaddr)), (COALESCE(src_ip, '0.0.0.0/0'::inet)),
  (COALESCE(dst_mac, '00:00:00:00:00:00'::macaddr)), (COALESCE(dst_ip, '0.0.0.0/0'::inet)),
  source, type, op, severity) DO UPDATE SET
  first_seen = LEAST(a.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(a.last_seen, EXCLUDED.last_seen),
  count = a.count + EXCLUDED.count`;

/** Adds the batch's OT events to `device_activity` (summed per pair, dissector, type, operation). */
export async function upsertActivity(tx: Queryable, document: InventoryDocument): Promise<void> {
  const merged = new Map<string, Json>();
  for (const event of document.events as Json[]) {
    if (event.kind !== "event" || !OT_PROTOCOLS.includes(String(event.source))) continue;
    const fields = (event.fields ?? {}) as Json;
    const row = {
      srcMac: macOrNull(event.src_mac),
      srcIp: ipOrNull(event.src_ip),
      dstMac: macOrNull(event.dst_mac),
      dstIp: ipOrNull(event.dst_ip),
      source: cleanText(event.source, 64),
      type: cleanText(event.type, 128),
      op: cleanText(typeof fields.op === "string" ? fields.op : "other", 32),
      severity: cleanText(event.severity, 16),
      first: String(event.first_seen),
      last: String(event.last_seen),
      count: Number(event.count) || 1,
    };
    const id = [row.srcMac, row.srcIp, row.dstMac, row.dstIp, row.source, row.type, row.op, row.severity]
      .join("|");
    const known = merged.get(id);
    if (known === undefined) merged.set(id, row);
    else {
      known.first = String(known.first) < row.first ? known.first : row.first;
      known.last = String(known.last) > row.last ? known.last : row.last;
      known.count = (known.count as number) + row.count;
    }
  }
  const rows = [...merged.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (rows.length === 0) return;
  const column = (name: string) => rows.map((row) => row[name]);
  await tx.query(UPSERT_ACTIVITY, [
    column("srcMac"),
    column("srcIp"),
    column("dstMac"),
    column("dstIp"),
    column("source"),
    column("type"),
    column("op"),
    column("severity"),
    column("first"),
    column("last"),
    column("count"),
  ]);
}

const UPSERT_LEASES = `
INSERT INTO dhcp_leases AS l (client_mac, ip_address, server_ip, relay_ip, hostname, lease_seconds, state,
  renewals, first_seen, last_seen)
SELECT * FROM unnest($1::macaddr[], $2::inet[], $3::inet[], $4::inet[], $5::text[], $6::integer[], $7::text[],
  $8::integer[], $9::timestamptz[], $10::timestamptz[])
ON CONFLICT (client_mac, ip_address, (COALESCE(server_ip, '0.0.0.0/0'::inet)), (COALESCE(vlan_id, -1)),
  (COALESCE(outer_vlan_id, -1))) DO UPDATE SET
  relay_ip = COALESCE(EXCLUDED.relay_ip, l.relay_ip),
  hostname = COALESCE(EXCLUDED.hostname, l.hostname),
  lease_seconds = COALESCE(EXCLUDED.lease_seconds, l.lease_seconds),
  state = CASE WHEN EXCLUDED.last_seen >= l.last_seen THEN EXCLUDED.state ELSE l.state END,
  renewals = l.renewals + EXCLUDED.renewals,
  first_seen = LEAST(l.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(l.last_seen, EXCLUDED.last_seen),
  count = l.count + 1`;

/** Adds the batch's DHCP leases (the tracker's view of the batch) to `dhcp_leases`. */
export async function upsertLeases(tx: Queryable, document: InventoryDocument): Promise<void> {
  const leases = (document.dhcp?.leases ?? [])
    .map((lease) => ({ ...lease, mac: macOrNull(lease.mac), ip: ipOrNull(lease.ip) }))
    .filter((lease) => lease.mac !== null && lease.ip !== null)
    .sort((a, b) => `${a.mac}|${a.ip}|${a.server}`.localeCompare(`${b.mac}|${b.ip}|${b.server}`));
  if (leases.length === 0) return;
  await tx.query(UPSERT_LEASES, [
    leases.map((l) => l.mac),
    leases.map((l) => l.ip),
    leases.map((l) => ipOrNull(l.server)),
    leases.map((l) => ipOrNull(l.relay)),
    leases.map((l) => (l.hostname === null ? null : cleanText(l.hostname, 255))),
    leases.map((
      l,
    ) => (l.lease_seconds !== null && l.lease_seconds <= 2_147_483_647 ? l.lease_seconds : null)),
    leases.map((l) => l.state),
    leases.map((l) => l.renewals),
    leases.map((l) => l.first_seen),
    leases.map((l) => l.last_seen),
  ]);
}

/**
 * The devices a batch told something about: MACs and IPs of its identities and OT events, and
 * devices the batch alone already classifies (gateways, industrial OUIs).
 */
export function touchedMacs(document: InventoryDocument): { macs: string[]; ips: string[] } {
  const macs = new Set<string>();
  const ips = new Set<string>();
  const add = (mac: unknown, ip: unknown) => {
    const m = macOrNull(mac);
    if (m !== null) macs.add(m);
    const i = ipOrNull(ip);
    if (i !== null) ips.add(i);
  };
  for (const identity of document.identities as Json[]) add(identity.mac, identity.ip);
  for (const event of document.events as Json[]) {
    if (!OT_PROTOCOLS.includes(String(event.source))) continue;
    add(event.src_mac, event.src_ip);
    add(event.dst_mac, event.dst_ip);
  }
  for (const device of document.devices) if (device.is_gateway) macs.add(device.mac_address);
  for (const found of document.classification ?? []) {
    if (found.device_type !== "unknown") macs.add(found.mac_address);
  }
  return { macs: [...macs].sort(), ips: [...ips].sort() };
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const TOUCHED_DEVICES = `
SELECT DISTINCT d.id::float8 AS id, d.mac_address::text AS mac, d.oui_prefix, d.oui_vendor, d.locally_administered,
  d.is_gateway, array_to_string(d.gateway_reasons, E'\\n') AS reasons
FROM devices d
WHERE d.mac_address = ANY($1::macaddr[])
   OR d.id IN (SELECT device_id FROM device_ips WHERE ip_address = ANY($2::inet[]) AND cardinality(learnt_from) > 0)
ORDER BY 2`;

const DEVICE_IPS = `
SELECT device_id::float8 AS device_id, host(ip_address) AS ip, array_to_string(learnt_from, ',') AS learnt
FROM device_ips WHERE device_id = ANY($1::bigint[]) AND cardinality(learnt_from) > 0`;

const IDENTITIES = `
SELECT key, value, confidence, mac_address::text AS mac, host(ip_address) AS ip, source,
  ${ISO("first_seen")} AS first_seen, ${ISO("last_seen")} AS last_seen, count::float8 AS count
FROM identity_attributes
WHERE device_id = ANY($1::bigint[]) OR mac_address = ANY($2::macaddr[]) OR ip_address = ANY($3::inet[])`;

const ACTIVITY = `
SELECT src_mac::text AS src_mac, host(src_ip) AS src_ip, dst_mac::text AS dst_mac, host(dst_ip) AS dst_ip, source,
  type, op, severity, ${ISO("first_seen")} AS first_seen, ${
  ISO("last_seen")
} AS last_seen, count::float8 AS count
FROM device_activity
WHERE src_mac = ANY($1::macaddr[]) OR dst_mac = ANY($1::macaddr[]) OR src_ip = ANY($2::inet[])
   OR dst_ip = ANY($2::inet[])`;

const UPDATE_DEVICES = `
UPDATE devices d SET device_type = u.device_type, type_confidence = u.type_confidence,
  type_reasons = COALESCE(string_to_array(NULLIF(u.type_reasons, ''), E'\\n'), '{}'), os_family = u.os_family,
  display_name = u.display_name, display_name_source = u.display_name_source, ot_role = u.ot_role,
  ot_role_confidence = u.ot_role_confidence,
  ot_role_reasons = COALESCE(string_to_array(NULLIF(u.ot_role_reasons, ''), E'\\n'), '{}'),
  purdue_level = u.purdue_level,
  ot_protocols = COALESCE(string_to_array(NULLIF(u.ot_protocols, ''), E'\\n'), '{}'),
  ot_facts = u.ot_facts::jsonb, ot_children = u.ot_children::jsonb, identified_at = now()
FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::smallint[], $10::text[], $11::smallint[], $12::text[], $13::text[], $14::text[])
  AS u(id, device_type, type_confidence, type_reasons, os_family, display_name, display_name_source, ot_role,
    ot_role_confidence, ot_role_reasons, purdue_level, ot_protocols, ot_facts, ot_children)
WHERE d.id = u.id`;

interface StoredDevice {
  id: number;
  mac: string;
  oui_prefix: string;
  oui_vendor: string | null;
  locally_administered: boolean;
  is_gateway: boolean;
  reasons: string;
}

/** A document of the stored facts about `devices` (only what identification reads). */
function storedDocument(
  devices: StoredDevice[],
  ips: { device_id: number; ip: string; learnt: string }[],
  identities: Json[],
  activity: Json[],
): InventoryDocument {
  const byDevice = new Map<number, Device["ips"]>();
  for (const row of ips) {
    let list = byDevice.get(row.device_id);
    if (list === undefined) byDevice.set(row.device_id, list = []);
    list.push(
      {
        ip_address: row.ip,
        ip_version: row.ip.includes(":") ? 6 : 4,
        vlan_id: null,
        outer_vlan_id: null,
        first_seen: null,
        last_seen: null,
        packets_sent: 0,
        bytes_sent: 0,
        packets_received: 0,
        bytes_received: 0,
        learnt_from: row.learnt.split(",").filter(Boolean),
      } as unknown as Device["ips"][number],
    );
  }
  return {
    devices: devices.map((d) => ({
      mac_address: d.mac,
      oui_prefix: d.oui_prefix,
      oui_vendor: d.oui_vendor,
      locally_administered: d.locally_administered,
      is_gateway: d.is_gateway,
      gateway_reasons: d.reasons ? d.reasons.split("\n") : [],
      ips: byDevice.get(d.id) ?? [],
      vlans: [],
    })),
    identities,
    events: activity.map((row) => ({
      type: row.type,
      kind: "event",
      severity: row.severity,
      source: row.source,
      mac: null,
      ip: null,
      src_mac: row.src_mac,
      dst_mac: row.dst_mac,
      src_ip: row.src_ip,
      dst_ip: row.dst_ip,
      vlan_id: null,
      fields: { op: row.op },
      first_seen: row.first_seen,
      last_seen: row.last_seen,
      count: row.count,
    })),
  } as unknown as InventoryDocument;
}

/**
 * Recomputes type, OS, display name, OT role, Purdue level, OT facts and children of the devices
 * the batch `document` told something about, from the stored identities and activity.
 *
 * @returns the number of devices updated
 */
export async function refreshIdentification(tx: Queryable, document: InventoryDocument): Promise<number> {
  const touched = touchedMacs(document);
  if (touched.macs.length === 0 && touched.ips.length === 0) return 0;
  const devices = await tx.query<StoredDevice>(TOUCHED_DEVICES, [touched.macs, touched.ips]);
  if (devices.length === 0) return 0;
  const ids = devices.map((d) => d.id);
  const macs = devices.map((d) => d.mac);
  const ips = await tx.query<{ device_id: number; ip: string; learnt: string }>(DEVICE_IPS, [ids]);
  const ownIps = [...new Set(ips.map((row) => row.ip))];
  const identities = await tx.query<Json>(IDENTITIES, [ids, macs, ownIps]);
  const activity = await tx.query<Json>(ACTIVITY, [macs, ownIps]);
  const stored = storedDocument(devices, ips, identities, activity);
  const assets = new Map(inferOtAssets(stored).map((asset) => [asset.mac_address, asset]));
  const classes = classifyDevices(stored, [...assets.values()]);
  const names = displayNames(stored);
  const rows = devices.map((device, index) => {
    const type = classes[index];
    const name = names.get(device.mac);
    const ot = assets.get(device.mac);
    return {
      id: device.id,
      type: type.device_type,
      confidence: type.confidence,
      reasons: type.reasons.map((r) => cleanText(r, 1000)).join("\n"),
      os: type.os_family === null ? null : cleanText(type.os_family, 128),
      name: name ? cleanText(name.name, 255) : null,
      nameSource: name ? cleanText(name.source, 32) : null,
      role: ot?.role ?? null,
      roleConfidence: ot?.confidence ?? 0,
      roleReasons: (ot?.reasons ?? []).map((r) => cleanText(r, 1000)).join("\n"),
      level: ot?.purdue_level ?? null,
      protocols: (ot?.protocols ?? []).join("\n"),
      facts: JSON.stringify(ot?.facts ?? {}),
      children: JSON.stringify(ot?.children ?? []),
    };
  });
  await tx.query(UPDATE_DEVICES, [
    rows.map((r) => r.id),
    rows.map((r) => r.type),
    rows.map((r) => r.confidence),
    rows.map((r) => r.reasons),
    rows.map((r) => r.os),
    rows.map((r) => r.name),
    rows.map((r) => r.nameSource),
    rows.map((r) => r.role),
    rows.map((r) => r.roleConfidence),
    rows.map((r) => r.roleReasons),
    rows.map((r) => r.level),
    rows.map((r) => r.protocols),
    rows.map((r) => r.facts),
    rows.map((r) => r.children),
  ]);
  return rows.length;
}
