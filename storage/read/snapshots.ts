/**
 * Snapshots of the inventory and its communication paths, and the difference between two: devices
 * added, removed and changed (addresses, name, type, firmware, VLANs) and paths added and removed,
 * each path with its evidence (protocols, packets, first and last seen). The migration question
 * "what talked to this server last month that no longer does?" is the paths removed.
 *
 * A snapshot is taken on demand (`POST /snapshots`) or by {@linkcode takeDailySnapshotIfDue}.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { iso, num } from "./sql.ts";
import { getTopology } from "./topology.ts";

/** A device as a snapshot keeps it (keyed by MAC address). */
export interface SnapshotDevice {
  mac_address: string;
  name: string | null;
  type: string;
  firmware: string | null;
  ip_addresses: string[];
  vlans: number[];
}

/** A communication path between two endpoints (MAC address of a device, or `ip:<address>`). */
export interface SnapshotPath {
  a: string;
  b: string;
  protocols: string[];
  packets: number;
  bytes: number;
  first_seen: string;
  last_seen: string;
}

/** A snapshot in the list. */
export interface SnapshotSummary {
  id: number;
  taken_at: string;
  reason: "manual" | "daily";
  taken_by: string | null;
  devices: number;
  paths: number;
}

/** One attribute that changed. */
export interface AttributeChange {
  field: "ip_addresses" | "name" | "type" | "firmware" | "vlans";
  before: unknown;
  after: unknown;
}

/** The difference from snapshot `from` to snapshot `to`. */
export interface SnapshotDiff {
  from: SnapshotSummary;
  to: SnapshotSummary;
  devices: {
    added: SnapshotDevice[];
    removed: SnapshotDevice[];
    changed: { mac_address: string; name: string | null; changes: AttributeChange[] }[];
  };
  paths: { added: SnapshotPath[]; removed: SnapshotPath[] };
}

const SUMMARY = `${num("id", "id")}, ${iso("taken_at", "taken_at")}, reason, taken_by,
  jsonb_array_length(devices) AS devices, jsonb_array_length(paths) AS paths`;

async function currentDevices(db: Queryable): Promise<SnapshotDevice[]> {
  return await db.query<SnapshotDevice>(
    `SELECT d.mac_address::text AS mac_address, COALESCE(d.device_name, d.display_name) AS name,
       COALESCE(d.device_type_override, d.device_type) AS type,
       (SELECT a.value FROM identity_attributes a WHERE a.device_id = d.id AND a.key = 'ot.firmware'
        ORDER BY a.confidence DESC, a.last_seen DESC LIMIT 1) AS firmware,
       ARRAY(SELECT DISTINCT host(i.ip_address) FROM device_ips i
             WHERE i.device_id = d.id AND cardinality(i.learnt_from) > 0 ORDER BY 1) AS ip_addresses,
       ARRAY(SELECT DISTINCT v.vlan_id::int FROM device_vlans v WHERE v.device_id = d.id ORDER BY 1) AS vlans
     FROM devices d ORDER BY d.mac_address`,
  );
}

async function currentPaths(db: Queryable): Promise<SnapshotPath[]> {
  const topology = await getTopology(db, { level: "device", limit: 2_000_000_000 });
  const endpoint = new Map(topology.nodes.map((node) => [node.id, node.mac_address ?? node.id]));
  return topology.edges.map((edge) => {
    const [a, b] = [endpoint.get(edge.source)!, endpoint.get(edge.target)!].sort();
    return {
      a,
      b,
      protocols: edge.protocols,
      packets: edge.packets,
      bytes: edge.bytes,
      first_seen: edge.first_seen,
      last_seen: edge.last_seen,
    };
  }).sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
}

/** Takes a snapshot of the inventory and its paths now. */
export async function takeSnapshot(
  db: Queryable,
  reason: "manual" | "daily",
  takenBy: string | null,
): Promise<SnapshotSummary> {
  const [devices, paths] = await Promise.all([currentDevices(db), currentPaths(db)]);
  const [row] = await db.query<SnapshotSummary>(
    `INSERT INTO inventory_snapshots (reason, taken_by, devices, paths)
     VALUES ($1, $2, $3::text::jsonb, $4::text::jsonb) RETURNING ${SUMMARY}`,
    [reason, takenBy, JSON.stringify(devices), JSON.stringify(paths)],
  );
  return row;
}

/** Takes the daily snapshot when the last one is older than `intervalHours` (default 24); null when not due. */
export async function takeDailySnapshotIfDue(
  db: Queryable,
  intervalHours = 24,
): Promise<SnapshotSummary | null> {
  const [due] = await db.query<{ due: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM inventory_snapshots WHERE reason = 'daily'
       AND taken_at > now() - $1 * interval '1 hour') AS due`,
    [intervalHours],
  );
  return due.due ? await takeSnapshot(db, "daily", null) : null;
}

/** Snapshots, newest first. */
export async function listSnapshots(db: Queryable): Promise<SnapshotSummary[]> {
  return await db.query<SnapshotSummary>(
    `SELECT ${SUMMARY} FROM inventory_snapshots ORDER BY taken_at DESC, id DESC`,
  );
}

interface StoredSnapshot {
  summary: SnapshotSummary;
  devices: SnapshotDevice[];
  paths: SnapshotPath[];
}

async function loadSnapshot(db: Queryable, id: number): Promise<StoredSnapshot | null> {
  const [row] = await db.query<SnapshotSummary & { device_list: string; path_list: string }>(
    `SELECT ${SUMMARY}, devices::text AS device_list, paths::text AS path_list FROM inventory_snapshots
     WHERE id = $1`,
    [id],
  );
  if (!row) return null;
  const { device_list, path_list, ...summary } = row;
  return { summary, devices: JSON.parse(device_list), paths: JSON.parse(path_list) };
}

const COMPARED = ["ip_addresses", "name", "type", "firmware", "vlans"] as const;

/** The difference between two snapshots; null when either does not exist (`missing` says which). */
export async function diffSnapshots(
  db: Queryable,
  fromId: number,
  toId: number,
): Promise<SnapshotDiff | { missing: number }> {
  const from = await loadSnapshot(db, fromId);
  if (!from) return { missing: fromId };
  const to = await loadSnapshot(db, toId);
  if (!to) return { missing: toId };
  const before = new Map(from.devices.map((device) => [device.mac_address, device]));
  const after = new Map(to.devices.map((device) => [device.mac_address, device]));
  const changed: SnapshotDiff["devices"]["changed"] = [];
  for (const [mac, device] of after) {
    const old = before.get(mac);
    if (!old) continue;
    const changes = COMPARED.filter((field) => JSON.stringify(old[field]) !== JSON.stringify(device[field]))
      .map((field) => ({ field, before: old[field], after: device[field] }));
    if (changes.length > 0) changed.push({ mac_address: mac, name: device.name, changes });
  }
  const key = (path: SnapshotPath) => `${path.a} ${path.b}`;
  const oldPaths = new Set(from.paths.map(key));
  const newPaths = new Set(to.paths.map(key));
  return {
    from: from.summary,
    to: to.summary,
    devices: {
      added: to.devices.filter((device) => !before.has(device.mac_address)),
      removed: from.devices.filter((device) => !after.has(device.mac_address)),
      changed,
    },
    paths: {
      added: to.paths.filter((path) => !oldPaths.has(key(path))),
      removed: from.paths.filter((path) => !newPaths.has(key(path))),
    },
  };
}

function plain(value: unknown): string {
  return Array.isArray(value) ? value.join(" ") : value === null || value === undefined ? "" : String(value);
}

function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The difference as CSV: one line per device added, removed or changed attribute, and per path. */
export function snapshotDiffCsv(diff: SnapshotDiff): string {
  const lines = [[
    "change",
    "kind",
    "subject",
    "field",
    "before",
    "after",
    "protocols",
    "packets",
    "last_seen",
  ]];
  for (const device of diff.devices.added) {
    lines.push(["added", "device", device.mac_address, "", "", device.name ?? "", "", "", ""]);
  }
  for (const device of diff.devices.removed) {
    lines.push(["removed", "device", device.mac_address, "", device.name ?? "", "", "", "", ""]);
  }
  for (const device of diff.devices.changed) {
    for (const change of device.changes) {
      lines.push([
        "changed",
        "device",
        device.mac_address,
        change.field,
        plain(change.before),
        plain(change.after),
        "",
        "",
        "",
      ]);
    }
  }
  for (const [change, paths] of [["added", diff.paths.added], ["removed", diff.paths.removed]] as const) {
    for (const path of paths) {
      lines.push([
        change,
        "path",
        `${path.a} ${path.b}`,
        "",
        "",
        "",
        path.protocols.join(" "),
        String(path.packets),
        path.last_seen,
      ]);
    }
  }
  return lines.map((line) => line.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
