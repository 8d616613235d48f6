/**
 * Alerts of one batch, raised inside the batch's transaction (after its rows are written): loads
 * the prior state the rules of `aggregator/alerts/` need (address claims, DHCP answers heard,
 * command history between OT pairs), runs them and upserts the `alerts` table by (type, dedup key).
 *
 * Idempotence: the batch is applied once (`ingested_batches`); beyond that, an alert counts a
 * repeat only when its evidence is newer than what is stored (`last_seen`), so importing the same
 * capture again changes no count and raises nothing new — even when the alert was resolved since.
 *
 * @module
 */

import {
  type AddressClaim,
  addressClaimAlerts,
  type CommandPair,
  ipChangedAlerts,
  newDeviceAlerts,
  newMasterAlerts,
  otAlertType,
  otEventAlerts,
  type RaisedAlert,
  rogueDhcpAlerts,
} from "../aggregator/alerts/mod.ts";
import type { EventFact } from "../aggregator/inventory_types.ts";
import type { BatchRows } from "./batch_rows.ts";
import type { Queryable } from "./database.ts";
import type { DeviceIds } from "./upsert_inventory.ts";

/** What the rules need beyond the batch. */
export interface AlertOptions {
  /** `[identify] allowed_dhcp_servers`: any other server is rogue. */
  allowedDhcpServers?: readonly string[];
}

const US = "(extract(epoch FROM $col) * 1000000)::float8";

function micros(column: string): string {
  return US.replace("$col", column);
}

async function addressClaims(tx: Queryable, rows: BatchRows, devices: DeviceIds): Promise<AddressClaim[]> {
  const heard = rows.addresses.filter((row) => row.firstUs !== null);
  if (heard.length === 0) return [];
  const ids = [...new Set(heard.map((row) => devices.byMac.get(row.mac)).filter((id) => id !== undefined))];
  const ips = [...new Set(heard.map((row) => row.ip))];
  return await tx.query<AddressClaim>(
    `SELECT d.mac_address::text AS mac, host(i.ip_address) AS ip, i.vlan_id AS vlan,
            ${micros("i.first_seen")} AS "firstUs", ${micros("i.last_seen")} AS "lastUs",
            d.is_gateway AS gateway, i.learnt_from && ARRAY['arp', 'ndp', 'dhcp']::text[] AS announced
       FROM device_ips i JOIN devices d ON d.id = i.device_id
      WHERE i.first_seen IS NOT NULL
        AND ((i.device_id = ANY($1::bigint[]) AND NOT d.is_gateway) OR i.ip_address = ANY($2::inet[]))
      ORDER BY 1, 2, 3`,
    [ids, ips],
  );
}

const DHCP_ANSWERS = `
SELECT 'dhcp.offer' AS type, 'dhcp' AS source, src_mac::text AS src_mac, host(src_ip) AS src_ip,
       jsonb_strip_nulls(jsonb_build_object('server', fields->>'server', 'relay', fields->>'relay',
         'your_ip', fields->>'your_ip', 'client_ip', fields->>'client_ip', 'subnet_mask', fields->>'subnet_mask'))::text
         AS fields,
       min(time) AS first_seen, max(last_seen) AS last_seen, sum(count)::float8 AS count
  FROM protocol_events
 WHERE type IN ('dhcp.offer', 'dhcp.ack')
 GROUP BY src_mac, src_ip, fields->>'server', fields->>'relay', fields->>'your_ip', fields->>'client_ip',
          fields->>'subnet_mask'`;

async function dhcpAnswers(tx: Queryable, rows: BatchRows): Promise<EventFact[]> {
  if (!rows.events.some((event) => event.type === "dhcp.offer" || event.type === "dhcp.ack")) return [];
  const found = await tx.query<
    { src_mac: string | null; src_ip: string | null; fields: string; first_seen: Date; last_seen: Date } & {
      type: string;
      source: string;
      count: number;
    }
  >(DHCP_ANSWERS);
  return found.map((row) => ({
    type: row.type,
    source: row.source,
    mac: null,
    ip: null,
    src_mac: row.src_mac,
    src_ip: row.src_ip,
    dst_mac: null,
    dst_ip: null,
    severity: "info",
    kind: "event",
    vlan_id: null,
    fields: JSON.parse(row.fields),
    first_seen: new Date(row.first_seen).toISOString(),
    last_seen: new Date(row.last_seen).toISOString(),
    count: row.count,
  }));
}

function pairKey(
  srcMac: string | null,
  srcIp: string | null,
  dstMac: string | null,
  dstIp: string | null,
): string {
  return [srcMac, srcIp, dstMac, dstIp].join("|");
}

async function commandPairs(tx: Queryable, rows: BatchRows): Promise<CommandPair[]> {
  const pairs = new Map<string, CommandPair>();
  for (const event of rows.events) {
    if (otAlertType(event) === undefined) continue;
    const key = pairKey(event.src_mac, event.src_ip, event.dst_mac, event.dst_ip);
    const pair = pairs.get(key);
    if (pair === undefined) {
      pairs.set(key, {
        srcMac: event.src_mac,
        srcIp: event.src_ip,
        dstMac: event.dst_mac,
        dstIp: event.dst_ip,
        firstUs: event.first_seen_us,
        batchFirstUs: event.first_seen_us,
        batchLastUs: event.last_seen_us,
      });
    } else {
      pair.batchFirstUs = Math.min(pair.batchFirstUs, event.first_seen_us);
      pair.batchLastUs = Math.max(pair.batchLastUs, event.last_seen_us);
      pair.firstUs = pair.batchFirstUs;
    }
  }
  if (pairs.size === 0) return [];
  const list = [...pairs.values()];
  const stored = await tx.query<
    { src_mac: string | null; src_ip: string | null; dst_mac: string | null; dst_ip: string | null } & {
      type: string;
      op: string;
      first_us: number;
    }
  >(
    `SELECT src_mac::text AS src_mac, host(src_ip) AS src_ip, dst_mac::text AS dst_mac, host(dst_ip) AS dst_ip,
            type, op, ${micros("first_seen")} AS first_us
       FROM device_activity
      WHERE dst_mac = ANY($1::macaddr[]) OR dst_ip = ANY($2::inet[])`,
    [
      [...new Set(list.map((pair) => pair.dstMac).filter((mac) => mac !== null))],
      [...new Set(list.map((pair) => pair.dstIp).filter((ip) => ip !== null))],
    ],
  );
  for (const row of stored) {
    if (otAlertType({ type: row.type, kind: "event", fields: { op: row.op } }) === undefined) continue;
    const pair = pairs.get(pairKey(row.src_mac, row.src_ip, row.dst_mac, row.dst_ip));
    if (pair !== undefined) pair.firstUs = Math.min(pair.firstUs, row.first_us);
  }
  return list;
}

/** The alerts one batch raises, one per (type, dedup key), repeats merged. */
export async function batchAlerts(
  tx: Queryable,
  rows: BatchRows,
  devices: DeviceIds,
  options: AlertOptions = {},
): Promise<RaisedAlert[]> {
  const inserted = new Set(devices.inserted);
  const claims = await addressClaims(tx, rows, devices);
  const raised = [
    ...newDeviceAlerts(rows.devices.filter((device) => inserted.has(device.mac))),
    ...ipChangedAlerts(claims),
    ...addressClaimAlerts(claims),
    ...rogueDhcpAlerts(await dhcpAnswers(tx, rows), options.allowedDhcpServers ?? []),
    ...otEventAlerts(rows.events),
    ...newMasterAlerts(await commandPairs(tx, rows)),
  ];
  const merged = new Map<string, RaisedAlert>();
  for (const alert of raised) {
    const key = `${alert.type}\u0000${alert.dedupKey}`;
    const known = merged.get(key);
    if (known === undefined) merged.set(key, alert);
    else {
      known.count += alert.count;
      known.evidence.firstUs = Math.min(known.evidence.firstUs, alert.evidence.firstUs);
      known.evidence.lastUs = Math.max(known.evidence.lastUs, alert.evidence.lastUs);
    }
  }
  return [...merged.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0).map(([, alert]) =>
    alert
  );
}

const UPSERT_ALERTS = `
WITH raised AS (
  SELECT r.*, netsentinel_time(r.first_us) AS first_seen, netsentinel_time(r.last_us) AS last_seen
    FROM jsonb_to_recordset($1::text::jsonb) AS r(rule text, severity text, title text, dedup_key text,
         macs text[], details jsonb, first_us float8, last_us float8, count bigint)
)
INSERT INTO alerts AS a (rule, severity, title, dedup_key, device_id, device_ids, details, first_seen, last_seen, count)
SELECT r.rule, r.severity, r.title, r.dedup_key,
       (SELECT d.id FROM devices d WHERE d.mac_address = (r.macs[1])::macaddr),
       ARRAY(SELECT d.id FROM unnest(r.macs) WITH ORDINALITY AS m(mac, n)
               JOIN devices d ON d.mac_address = m.mac::macaddr ORDER BY m.n),
       r.details, r.first_seen, r.last_seen, r.count
  FROM raised r
 WHERE NOT EXISTS (
   SELECT 1 FROM alerts c
    WHERE c.rule = r.rule AND c.dedup_key = r.dedup_key AND c.status = 'closed' AND c.last_seen >= r.last_seen)
ON CONFLICT (rule, dedup_key) WHERE status <> 'closed' DO UPDATE SET
  count = a.count + CASE WHEN EXCLUDED.last_seen > a.last_seen THEN EXCLUDED.count ELSE 0 END,
  first_seen = LEAST(a.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(a.last_seen, EXCLUDED.last_seen),
  details = CASE WHEN EXCLUDED.last_seen > a.last_seen
    THEN a.details || jsonb_build_object('last_frame', EXCLUDED.details->'last_frame') ELSE a.details END
RETURNING a.id::float8 AS id, (a.xmax = 0) AS inserted`;

function details(alert: RaisedAlert): Record<string, unknown> {
  const { evidence } = alert;
  return {
    first_frame: new Date(evidence.firstUs / 1000).toISOString(),
    last_frame: new Date(evidence.lastUs / 1000).toISOString(),
    macs: alert.macs,
    ...(evidence.flow === undefined ? {} : { flow: evidence.flow }),
    ...(evidence.before === undefined ? {} : { before: evidence.before }),
    ...(evidence.after === undefined ? {} : { after: evidence.after }),
    ...(evidence.facts === undefined ? {} : { facts: evidence.facts }),
  };
}

/**
 * Raises the batch's alerts: runs the rules and upserts them. Call inside the batch's transaction,
 * after its rows are written.
 *
 * @returns ids of the alerts this batch opened (not those it counted again)
 */
export async function raiseAlerts(
  tx: Queryable,
  rows: BatchRows,
  devices: DeviceIds,
  options: AlertOptions = {},
): Promise<number[]> {
  const alerts = await batchAlerts(tx, rows, devices, options);
  if (alerts.length === 0) return [];
  const document = alerts.map((alert) => ({
    rule: alert.type,
    severity: alert.severity,
    title: alert.message.slice(0, 1000),
    dedup_key: alert.dedupKey.slice(0, 1000),
    macs: alert.macs,
    details: details(alert),
    first_us: alert.evidence.firstUs,
    last_us: alert.evidence.lastUs,
    count: alert.count,
  }));
  const result = await tx.query<{ id: number; inserted: boolean }>(UPSERT_ALERTS, [JSON.stringify(document)]);
  return result.filter((row) => row.inserted).map((row) => row.id);
}
