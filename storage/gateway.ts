/**
 * The gateway flag, recomputed from the database: it is not additive (a MAC becomes a gateway when
 * it has sent from enough foreign addresses, possibly across many flushes), so after each flush the
 * devices whose addresses the batch touched are judged again on everything stored about them, by
 * the aggregator's own rule (`gatewayReasons`, aggregator/gateway_rule.ts) over their stored
 * addresses.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import { GATEWAY_MIN_FOREIGN_IPS, type GatewayAddress, gatewayReasons } from "../aggregator/gateway_rule.ts";
import { canonicalIp } from "./addresses.ts";
import type { Subject } from "./insert_observations.ts";

/**
 * The addresses of the devices among `$1` that can be gateways (enough addresses they sent from,
 * in one IP version) or are flagged.
 */
const CANDIDATE_ADDRESSES = `
WITH touched AS (
  SELECT id, is_gateway FROM devices WHERE id = ANY($1::bigint[])
), candidates AS (
  SELECT id FROM touched WHERE is_gateway
  UNION
  SELECT x.device_id FROM device_ips x JOIN touched t ON t.id = x.device_id
  WHERE 'traffic' = ANY (x.learnt_from)
  GROUP BY x.device_id, family(x.ip_address) HAVING count(*) >= $2
)
SELECT d.id::float8 AS id, d.mac_address::text AS mac, d.is_gateway,
  array_to_string(d.gateway_reasons, E'\\n') AS reasons, host(x.ip_address) AS ip,
  x.packets_sent::float8 AS packets_sent, array_to_string(x.learnt_from, ',') AS learnt
FROM candidates c JOIN devices d ON d.id = c.id JOIN device_ips x ON x.device_id = d.id
WHERE cardinality(x.learnt_from) > 0`;

const UPDATE_GATEWAYS = `
UPDATE devices d SET is_gateway = u.is_gateway,
  gateway_reasons = COALESCE(string_to_array(NULLIF(u.reasons, ''), E'\\n'), '{}'), updated_at = now()
FROM unnest($1::bigint[], $2::boolean[], $3::text[]) AS u(id, is_gateway, reasons)
WHERE d.id = u.id`;

interface StoredAddress {
  id: number;
  mac: string;
  is_gateway: boolean;
  reasons: string;
  ip: string;
  packets_sent: number;
  learnt: string;
}

function gatewayAddress(row: StoredAddress): GatewayAddress | null {
  const ip = canonicalIp(row.ip);
  if (ip === null) return null;
  return {
    ip,
    version: ip.includes(":") ? 6 : 4,
    packetsSent: row.packets_sent,
    learnt: row.learnt.split(","),
  };
}

/**
 * Judges again the gateway flag of the devices `deviceIds` (those whose addresses the batch
 * touched) and updates the ones whose flag or reasons changed.
 *
 * @returns the devices updated and their addresses: what identification must look at again
 */
export async function refreshGateways(tx: Queryable, deviceIds: number[]): Promise<Subject[]> {
  if (deviceIds.length === 0) return [];
  const rows = await tx.query<StoredAddress>(CANDIDATE_ADDRESSES, [deviceIds, GATEWAY_MIN_FOREIGN_IPS]);
  const byDevice = new Map<number, StoredAddress[]>();
  for (const row of rows) {
    const list = byDevice.get(row.id);
    if (list) list.push(row);
    else byDevice.set(row.id, [row]);
  }
  const ids: number[] = [], flags: boolean[] = [], reasons: string[] = [];
  const changed: Subject[] = [];
  for (const [id, list] of byDevice) {
    const addresses = list.map(gatewayAddress).filter((a): a is GatewayAddress => a !== null);
    const verdict = gatewayReasons(addresses);
    const text = verdict.join("\n");
    const flagged = verdict.length > 0;
    if (flagged === list[0].is_gateway && text === (list[0].reasons ?? "")) continue;
    ids.push(id);
    flags.push(flagged);
    reasons.push(text);
    changed.push({ mac: list[0].mac, ip: null }, ...addresses.map((a) => ({ mac: null, ip: a.ip })));
  }
  if (ids.length > 0) await tx.query(UPDATE_GATEWAYS, [ids, flags, reasons]);
  return changed;
}
