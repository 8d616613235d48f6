/**
 * Identification kept in the database: each device's type, OS family, display name, OT role,
 * Purdue level, OT facts and children (`devices` columns of migration 004), the OT activity they
 * are inferred from (`device_activity`), and DHCP leases (`dhcp_leases`).
 *
 * The conclusions are not additive. In the batch's transaction they are recomputed, with the same
 * pure function as `analyze` (`identify`, aggregator/identify/), for the devices whose evidence
 * the batch changed — new devices, new or more trusted identities and repeated names, new OT
 * activity, new addresses and announcements, changed gateway flags (their subjects are gathered
 * by the upserts) — from everything stored about those devices. A batch that only repeats what
 * was known (counters, last seen) recomputes nothing: the work follows the batch, not the history.
 * Recomputing is idempotent, so a crash between batches leaves nothing half done.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { BatchRows } from "./batch_rows.ts";
import { eventFact } from "../aggregator/derive_observations.ts";
import { dhcpLeases, identify, OT_PROTOCOLS } from "../aggregator/identify/mod.ts";
import type {
  EventFact,
  IdentificationInput,
  IdentifiedDevice,
  IdentityFact,
} from "../aggregator/identify/mod.ts";
import { canonicalIp, cleanText } from "./addresses.ts";
import { ipOrNull, macOrNull, type Subject } from "./insert_observations.ts";

/** The MACs and IPs whose devices must be identified again. */
export class Changed {
  readonly macs: Set<string> = new Set();
  readonly ips: Set<string> = new Set();

  /** Adds subjects (a null MAC or IP is skipped). */
  add(subjects: Iterable<Subject>): void {
    for (const { mac, ip } of subjects) {
      if (mac !== null) this.macs.add(mac);
      if (ip !== null) this.ips.add(ip);
    }
  }

  get empty(): boolean {
    return this.macs.size === 0 && this.ips.size === 0;
  }
}

/** Adds OT activity and returns the ends of the conversations seen for the first time. */
const UPSERT_ACTIVITY = `
INSERT INTO device_activity AS a (src_mac, src_ip, dst_mac, dst_ip, source, type, op, severity, first_seen,
  last_seen, count)
SELECT src_mac, src_ip, dst_mac, dst_ip, source, type, op, severity, netsentinel_time(first_us),
  netsentinel_time(last_us), count
FROM unnest($1::macaddr[], $2::inet[], $3::macaddr[], $4::inet[], $5::text[], $6::text[], $7::text[],
  $8::text[], $9::float8[], $10::float8[], $11::bigint[])
  AS i(src_mac, src_ip, dst_mac, dst_ip, source, type, op, severity, first_us, last_us, count)
ON CONFLICT ((COALESCE(src_mac, '00:00:00:00:00:00'::macaddr)), (COALESCE(src_ip, '0.0.0.0/0'::inet)),
  (COALESCE(dst_mac, '00:00:00:00:00:00'::macaddr)), (COALESCE(dst_ip, '0.0.0.0/0'::inet)),
  source, type, op, severity) DO UPDATE SET
  first_seen = LEAST(a.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(a.last_seen, EXCLUDED.last_seen),
  count = a.count + EXCLUDED.count
RETURNING (a.xmax = 0) AS inserted, a.src_mac::text AS src_mac, host(a.src_ip) AS src_ip,
  a.dst_mac::text AS dst_mac, host(a.dst_ip) AS dst_ip`;

interface ActivityRow {
  srcMac: string | null;
  srcIp: string | null;
  dstMac: string | null;
  dstIp: string | null;
  source: string;
  type: string;
  op: string;
  severity: string;
  firstUs: number;
  lastUs: number;
  count: number;
}

/**
 * Adds the batch's OT events to `device_activity` (summed per pair, dissector, type, operation).
 *
 * @returns the ends of the activity rows this batch created
 */
export async function upsertActivity(tx: Queryable, rows: BatchRows): Promise<Subject[]> {
  const merged = new Map<string, ActivityRow>();
  for (const event of rows.events) {
    if (event.kind !== "event" || !OT_PROTOCOLS.includes(event.source)) continue;
    const row: ActivityRow = {
      srcMac: macOrNull(event.src_mac),
      srcIp: ipOrNull(event.src_ip),
      dstMac: macOrNull(event.dst_mac),
      dstIp: ipOrNull(event.dst_ip),
      source: cleanText(event.source, 64),
      type: cleanText(event.type, 128),
      op: cleanText(typeof event.fields.op === "string" ? event.fields.op : "other", 32),
      severity: cleanText(event.severity, 16),
      firstUs: event.first_seen_us,
      lastUs: event.last_seen_us,
      count: Number(event.count) || 1,
    };
    const id = [row.srcMac, row.srcIp, row.dstMac, row.dstIp, row.source, row.type, row.op, row.severity]
      .join("|");
    const known = merged.get(id);
    if (known === undefined) merged.set(id, row);
    else {
      known.firstUs = Math.min(known.firstUs, row.firstUs);
      known.lastUs = Math.max(known.lastUs, row.lastUs);
      known.count += row.count;
    }
  }
  // Sorted so two aggregators lock the same rows in the same order.
  const list = [...merged.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0).map(([, r]) => r);
  if (list.length === 0) return [];
  const column = <K extends keyof ActivityRow>(name: K) => list.map((row) => row[name]);
  const result = await tx.query<
    {
      inserted: boolean;
      src_mac: string | null;
      src_ip: string | null;
      dst_mac: string | null;
      dst_ip: string | null;
    }
  >(UPSERT_ACTIVITY, [
    column("srcMac"),
    column("srcIp"),
    column("dstMac"),
    column("dstIp"),
    column("source"),
    column("type"),
    column("op"),
    column("severity"),
    column("firstUs"),
    column("lastUs"),
    column("count"),
  ]);
  return result.filter((row) => row.inserted).flatMap((row) => [
    { mac: row.src_mac, ip: row.src_ip },
    { mac: row.dst_mac, ip: row.dst_ip },
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

/** Adds the batch's DHCP leases (the tracker's view of the batch's `dhcp.*` events) to `dhcp_leases`. */
export async function upsertLeases(tx: Queryable, rows: BatchRows): Promise<void> {
  const dhcp = rows.events.filter((event) => event.type.startsWith("dhcp.")).map(eventFact);
  if (dhcp.length === 0) return;
  const leases = dhcpLeases({ events: dhcp })
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

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The devices to identify again: by MAC, and every device that has one of the IPs as its own. */
const CHANGED_DEVICES = `
SELECT d.id::float8 AS id, d.mac_address::text AS mac, d.oui_vendor, d.is_gateway,
  array_to_string(d.gateway_reasons, E'\\n') AS reasons
FROM devices d
WHERE d.mac_address = ANY($1::macaddr[])
   OR d.id IN (SELECT device_id FROM device_ips WHERE ip_address = ANY($2::inet[]) AND cardinality(learnt_from) > 0)
ORDER BY 2`;

/** The learnt addresses of these devices, and of every other device that has one of them too. */
const ADDRESSES = `
WITH own AS (
  SELECT device_id, ip_address, learnt_from FROM device_ips
  WHERE device_id = ANY($1::bigint[]) AND cardinality(learnt_from) > 0
)
SELECT device_id::float8 AS device_id, host(ip_address) AS ip, array_to_string(learnt_from, ',') AS learnt
FROM own
UNION ALL
SELECT x.device_id::float8, host(x.ip_address), array_to_string(x.learnt_from, ',')
FROM device_ips x
WHERE x.ip_address IN (SELECT ip_address FROM own) AND cardinality(x.learnt_from) > 0
  AND x.device_id <> ALL($1::bigint[])`;

const OTHER_OWNERS = `
SELECT id::float8 AS id, mac_address::text AS mac, is_gateway FROM devices WHERE id = ANY($1::bigint[])`;

/** In the order first heard, as `analyze` lists them (its tie-breaks and reasons follow that order). */
const IDENTITIES = `
SELECT key, value, confidence, mac_address::text AS mac, host(ip_address) AS ip, vlan_id, source,
  ${ISO("first_seen")} AS first_seen, ${ISO("last_seen")} AS last_seen, count::float8 AS count
FROM identity_attributes
WHERE mac_address = ANY($1::macaddr[]) OR ip_address = ANY($2::inet[])
ORDER BY first_seen, id`;

const ACTIVITY = `
SELECT src_mac::text AS src_mac, host(src_ip) AS src_ip, dst_mac::text AS dst_mac, host(dst_ip) AS dst_ip, source,
  type, op, severity, ${ISO("first_seen")} AS first_seen, ${
  ISO("last_seen")
} AS last_seen, count::float8 AS count
FROM device_activity
WHERE src_mac = ANY($1::macaddr[]) OR dst_mac = ANY($1::macaddr[]) OR src_ip = ANY($2::inet[])
   OR dst_ip = ANY($2::inet[])
ORDER BY id`;

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
  oui_vendor: string | null;
  is_gateway: boolean;
  reasons: string;
}

interface StoredAddress {
  device_id: number;
  ip: string;
  learnt: string;
}

interface StoredActivity {
  src_mac: string | null;
  src_ip: string | null;
  dst_mac: string | null;
  dst_ip: string | null;
  source: string;
  type: string;
  op: string;
  severity: string;
  first_seen: string;
  last_seen: string;
  count: number;
}

/** Devices as identification reads them, with the addresses listed for each. */
function identifiedDevices(
  devices: { id: number; mac: string; oui_vendor: string | null; is_gateway: boolean; reasons: string }[],
  addresses: StoredAddress[],
): IdentifiedDevice[] {
  const byDevice = new Map<number, { ip_address: string; learnt_from: string[] }[]>();
  for (const row of addresses) {
    let list = byDevice.get(row.device_id);
    if (list === undefined) byDevice.set(row.device_id, list = []);
    list.push({
      ip_address: canonicalIp(row.ip) ?? row.ip,
      learnt_from: row.learnt.split(",").filter(Boolean),
    });
  }
  return devices.map((d) => ({
    mac_address: d.mac,
    oui_vendor: d.oui_vendor,
    is_gateway: d.is_gateway,
    gateway_reasons: d.reasons ? d.reasons.split("\n") : [],
    ips: byDevice.get(d.id) ?? [],
  }));
}

function storedIdentity(row: IdentityFact): IdentityFact {
  return { ...row, ip: row.ip === null ? null : canonicalIp(row.ip) ?? row.ip };
}

function storedEvent(row: StoredActivity): EventFact {
  return {
    type: row.type,
    source: row.source,
    mac: null,
    ip: null,
    src_mac: row.src_mac,
    src_ip: row.src_ip === null ? null : canonicalIp(row.src_ip) ?? row.src_ip,
    dst_mac: row.dst_mac,
    dst_ip: row.dst_ip === null ? null : canonicalIp(row.dst_ip) ?? row.dst_ip,
    severity: row.severity,
    kind: "event",
    vlan_id: null,
    fields: { op: row.op },
    first_seen: row.first_seen,
    last_seen: row.last_seen,
    count: row.count,
  };
}

/**
 * What identification reads about `devices`: their addresses, the other devices that have one of
 * those addresses (an address two devices claim is neither's), the identities about their MACs and
 * addresses, and the OT activity they took part in.
 */
async function storedInput(tx: Queryable, devices: StoredDevice[]): Promise<IdentificationInput> {
  const ids = devices.map((d) => d.id);
  const addresses = await tx.query<StoredAddress>(ADDRESSES, [ids]);
  const chosen = new Set(ids);
  const othersIds = [...new Set(addresses.map((a) => a.device_id).filter((id) => !chosen.has(id)))];
  const others = othersIds.length === 0
    ? []
    : (await tx.query<{ id: number; mac: string; is_gateway: boolean }>(OTHER_OWNERS, [othersIds]))
      .map((o) => ({ ...o, oui_vendor: null, reasons: "" }));
  const macs = devices.map((d) => d.mac);
  const ownIps = [...new Set(addresses.filter((a) => chosen.has(a.device_id)).map((a) => a.ip))];
  const identities = await tx.query<IdentityFact>(IDENTITIES, [macs, ownIps]);
  const activity = await tx.query<StoredActivity>(ACTIVITY, [macs, ownIps]);
  return {
    devices: identifiedDevices([...devices, ...others], addresses),
    identities: identities.map(storedIdentity),
    events: activity.map(storedEvent),
  };
}

/**
 * Recomputes type, OS, display name, OT role, Purdue level, OT facts and children of the devices
 * `changed` names (by MAC, or as owners of its IPs), from everything stored about them.
 *
 * @returns the number of devices updated
 */
export async function refreshIdentification(tx: Queryable, changed: Changed): Promise<number> {
  if (changed.empty) return 0;
  const devices = await tx.query<StoredDevice>(CHANGED_DEVICES, [[...changed.macs], [...changed.ips]]);
  if (devices.length === 0) return 0;
  const found = identify(await storedInput(tx, devices));
  const assets = new Map(found.ot_assets.map((asset) => [asset.mac_address, asset]));
  const rows = devices.map((device, index) => {
    const type = found.classification[index];
    const name = found.display_names.get(device.mac);
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
