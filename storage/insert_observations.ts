/**
 * Identity attributes, protocol events and sensor counters of one flush. These strings come from
 * dissectors and plugins, so they are checked before they reach typed columns: an address that does
 * not parse becomes NULL, text loses NUL characters and is cut to its column's size — one odd value
 * must never make a batch fail forever (it would be redelivered again and again).
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { SensorBatch } from "../model/sensor_batch.ts";
import type { BatchRows } from "./batch_rows.ts";
import { NAME_KEYS } from "../aggregator/identify/mod.ts";
import { cleanText, normalizeMac, parseIp } from "./addresses.ts";

/** An IP column value: the text as heard when it parses, else null. */
export function ipOrNull(value: unknown): string | null {
  return parseIp(typeof value === "string" ? value : null) ? (value as string).trim() : null;
}

function vlanOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 4095 ? value : null;
}

/** A MAC column value: normalised when it parses, else null. */
export function macOrNull(value: unknown): string | null {
  return normalizeMac(typeof value === "string" ? value : null);
}

/** What a fact is about: a device MAC and/or an IP (for identification). */
export interface Subject {
  mac: string | null;
  ip: string | null;
}

/** JSON text without NUL characters (jsonb refuses \u0000). */
function cleanJson(value: unknown): string {
  return JSON.stringify(
    value ?? {},
    (_key, item) => typeof item === "string" ? cleanText(item, 10_000) : item,
  );
}

/**
 * Adds identities and returns the confidence each one had before (`old` reads the table as it
 * was before this statement, through the unique index).
 */
const UPSERT_IDENTITIES = `
WITH i AS (
  SELECT * FROM unnest($1::macaddr[], $2::inet[], $3::smallint[], $4::text[], $5::text[], $6::text[],
    $7::smallint[], $8::float8[], $9::float8[], $10::bigint[])
    WITH ORDINALITY AS i(mac, ip, vlan, source, key, value, confidence, first_us, last_us, count, ord)
), old AS (
  SELECT i.ord, a.confidence FROM i JOIN identity_attributes a
    ON COALESCE(a.mac_address, '00:00:00:00:00:00'::macaddr) = COALESCE(i.mac, '00:00:00:00:00:00'::macaddr)
    AND COALESCE(a.ip_address, '0.0.0.0/0'::inet) = COALESCE(i.ip, '0.0.0.0/0'::inet)
    AND COALESCE(a.vlan_id, -1) = COALESCE(i.vlan, -1) AND a.source = i.source AND a.key = i.key
    AND md5(a.value) = md5(i.value)
), up AS (
  INSERT INTO identity_attributes AS a (device_id, mac_address, ip_address, vlan_id, source, key, value,
    confidence, first_seen, last_seen, count)
  SELECT d.id, i.mac, i.ip, i.vlan, i.source, i.key, i.value, i.confidence, netsentinel_time(i.first_us),
    netsentinel_time(i.last_us), i.count
  FROM i LEFT JOIN devices d ON d.mac_address = i.mac
  ORDER BY i.ord
  ON CONFLICT ((COALESCE(mac_address, '00:00:00:00:00:00'::macaddr)), (COALESCE(ip_address, '0.0.0.0/0'::inet)),
    (COALESCE(vlan_id, -1)), source, key, (md5(value))) DO UPDATE SET
    device_id = COALESCE(a.device_id, EXCLUDED.device_id),
    confidence = GREATEST(a.confidence, EXCLUDED.confidence),
    first_seen = LEAST(a.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(a.last_seen, EXCLUDED.last_seen),
    count = a.count + EXCLUDED.count
)
SELECT ord::int AS ord, confidence FROM old`;

interface IdentityRow extends Subject {
  vlan: number | null;
  source: string;
  key: string;
  value: string;
  confidence: number;
  firstUs: number;
  lastUs: number;
  count: number;
}

/**
 * Adds the flush's identity attributes (merged with earlier ones: same subject, source, key and value).
 *
 * @returns the subjects of the identities that can change a conclusion about them: new ones, a
 * higher confidence, and any repeat of a name (display names prefer the most recently heard among
 * equals)
 */
export async function upsertIdentities(tx: Queryable, rows: BatchRows): Promise<Subject[]> {
  const merged = new Map<string, IdentityRow>();
  for (const identity of rows.identities) {
    const row: IdentityRow = {
      mac: macOrNull(identity.mac),
      ip: ipOrNull(identity.ip),
      vlan: vlanOrNull(identity.vlan_id),
      source: cleanText(identity.source, 64),
      key: cleanText(identity.key, 128),
      value: cleanText(identity.value, 10_000),
      confidence: Math.max(0, Math.min(100, Math.round(Number(identity.confidence) || 0))),
      firstUs: identity.first_seen_us,
      lastUs: identity.last_seen_us,
      count: Number(identity.count) || 1,
    };
    // Cleaning may make two identities equal: merge them (one row per conflict key per statement).
    const id = `${row.mac}|${row.ip}|${row.vlan}|${row.source}|${row.key}|${row.value}`;
    const known = merged.get(id);
    if (!known) merged.set(id, row);
    else {
      known.confidence = Math.max(known.confidence, row.confidence);
      known.firstUs = Math.min(known.firstUs, row.firstUs);
      known.lastUs = Math.max(known.lastUs, row.lastUs);
      known.count += row.count;
    }
  }
  // Sorted so that two aggregators lock the same rows in the same order.
  const list = [...merged.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0).map(([, row]) =>
    row
  );
  if (list.length === 0) return [];
  const column = <K extends keyof IdentityRow>(name: K) => list.map((row) => row[name]);
  const before = await tx.query<{ ord: number; confidence: number }>(UPSERT_IDENTITIES, [
    column("mac"),
    column("ip"),
    column("vlan"),
    column("source"),
    column("key"),
    column("value"),
    column("confidence"),
    column("firstUs"),
    column("lastUs"),
    column("count"),
  ]);
  const confidence = new Map(before.map((row) => [row.ord - 1, row.confidence]));
  return list.filter((row, index) => {
    const known = confidence.get(index);
    return known === undefined || known < row.confidence || NAME_KEYS.has(row.key);
  }).map((row) => ({ mac: row.mac, ip: row.ip }));
}

const INSERT_EVENTS = `
INSERT INTO protocol_events (time, last_seen, type, kind, severity, source, sensor_id, device_id, mac_address,
  ip_address, src_mac, dst_mac, src_ip, dst_ip, vlan_id, fields, count)
SELECT netsentinel_time(i.first_us), netsentinel_time(i.last_us), i.type, i.kind, i.severity, i.source, $17,
  d.id, i.mac, i.ip, i.src_mac, i.dst_mac, i.src_ip, i.dst_ip, i.vlan, i.fields::jsonb, i.count
FROM unnest($1::float8[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::macaddr[],
  $8::inet[], $9::macaddr[], $10::macaddr[], $11::inet[], $12::inet[], $13::smallint[], $14::text[],
  $15::bigint[], $16::integer[])
  AS i(first_us, last_us, type, kind, severity, source, mac, ip, src_mac, dst_mac, src_ip, dst_ip, vlan, fields,
    count, ord)
LEFT JOIN devices d ON d.mac_address = i.mac
ORDER BY i.ord`;

/** Inserts the flush's protocol events (one row per distinct event of the flush, with its count). */
export async function insertEvents(tx: Queryable, rows: BatchRows, sensor: string): Promise<void> {
  const events = rows.events;
  if (events.length === 0) return;
  const column = <T>(read: (event: (typeof events)[number]) => T) => events.map(read);
  await tx.query(INSERT_EVENTS, [
    column((e) => e.first_seen_us),
    column((e) => e.last_seen_us),
    column((e) => cleanText(e.type, 128)),
    column((e) => cleanText(e.kind, 16)),
    column((e) => cleanText(e.severity, 16)),
    column((e) => cleanText(e.source, 64)),
    column((e) => macOrNull(e.mac)),
    column((e) => ipOrNull(e.ip)),
    column((e) => macOrNull(e.src_mac)),
    column((e) => macOrNull(e.dst_mac)),
    column((e) => ipOrNull(e.src_ip)),
    column((e) => ipOrNull(e.dst_ip)),
    column((e) => vlanOrNull(e.vlan_id)),
    column((e) => cleanJson(e.fields)),
    column((e) => Number(e.count) || 1),
    events.map((_, index) => index),
    sensor,
  ]);
}

const UPSERT_SENSOR = `
INSERT INTO sensors AS s (sensor_id, last_boot) VALUES ($1, $2)
ON CONFLICT (sensor_id) DO UPDATE SET last_seen = now(), last_boot = EXCLUDED.last_boot`;

const UPSERT_BOOT = `
INSERT INTO sensor_boots AS b (sensor_id, boot, last_seq, stats) VALUES ($1, $2, $3, $4::text::jsonb)
ON CONFLICT (sensor_id, boot) DO UPDATE SET
  last_seen = now(),
  stats = CASE WHEN EXCLUDED.last_seq > b.last_seq THEN EXCLUDED.stats ELSE b.stats END,
  last_seq = GREATEST(b.last_seq, EXCLUDED.last_seq)`;

/** Records the sensor, and its engine counters when this batch is its latest. */
export async function upsertSensor(tx: Queryable, batch: SensorBatch): Promise<void> {
  await tx.query(UPSERT_SENSOR, [batch.sensor, batch.boot]);
  const stats = { ...batch.record.stats, dissectorNames: batch.record.dissectorNames };
  await tx.query(UPSERT_BOOT, [batch.sensor, batch.boot, batch.seq, cleanJson(stats)]);
}
