/**
 * The gateway flag, recomputed from the database: it is not additive (a MAC becomes a gateway when
 * it has sent from enough foreign addresses, possibly across many flushes), so after each flush the
 * devices whose addresses changed are re-judged on everything the database knows about them.
 *
 * The rule is the aggregator's (`aggregator/derive_devices.ts`), not a copy: the device's stored
 * addresses are replayed as a minimal inventory (one flow per address it sent from, with the packets
 * it sent; one sighting per address it announced) and `deriveDevices` judges it.
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import { Inventory } from "../aggregator/inventory.ts";
import { deriveDevices, GATEWAY_MIN_FOREIGN_IPS } from "../aggregator/derive_devices.ts";
import type { Flow } from "../aggregator/inventory_types.ts";
import { SightingSource } from "../dissectors/api.ts";
import { canonicalIp, parseIp } from "./addresses.ts";

const SOURCES: Record<string, number> = {
  arp: SightingSource.ARP,
  ndp: SightingSource.NDP,
  dhcp: SightingSource.DHCP,
};

/** Devices among `macs` that can be gateways (enough addresses they sent from), or are flagged. */
const CANDIDATE_ADDRESSES = `
WITH touched AS (
  SELECT id, is_gateway FROM devices WHERE mac_address = ANY($1::macaddr[])
), candidates AS (
  SELECT id FROM touched WHERE is_gateway
  UNION
  SELECT x.device_id FROM device_ips x JOIN touched t ON t.id = x.device_id
  WHERE 'traffic' = ANY (x.learnt_from)
  GROUP BY x.device_id, family(x.ip_address) HAVING count(*) >= $2
)
SELECT d.id::float8 AS id, d.mac_address::text AS mac, d.is_gateway,
  array_to_string(d.gateway_reasons, E'\\n') AS reasons, host(x.ip_address) AS ip, x.vlan_id, x.outer_vlan_id,
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
  vlan_id: number | null;
  outer_vlan_id: number | null;
  packets_sent: number;
  learnt: string;
}

function macWords(mac: string): [number, number] {
  const hex = mac.replaceAll(":", "");
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8), 16)];
}

/** Replays one device's stored addresses as a minimal inventory and judges it. */
function judge(mac: string, rows: StoredAddress[]): { isGateway: boolean; reasons: string[] } {
  const inventory = new Inventory();
  const flows: Flow[] = [];
  const [high, low] = macWords(mac);
  for (const row of rows) {
    const ip = canonicalIp(row.ip);
    const parsed = parseIp(ip);
    if (!ip || !parsed) continue;
    for (const label of row.learnt.split(",")) {
      if (label === "traffic") {
        flows.push({
          id: 1,
          src_mac: mac,
          dst_mac: null,
          src_ip: ip,
          dst_ip: null,
          src_port: null,
          dst_port: null,
          vlan_id: row.vlan_id,
          outer_vlan_id: row.outer_vlan_id,
          ethertype: parsed.version === 4 ? 0x0800 : 0x86dd,
          ip_protocol: null,
          application: null,
          application_source: null,
          first_seen: "",
          last_seen: "",
          packet_count: row.packets_sent,
          byte_count: 0,
          tcp_flags_seen: null,
          tcp_syn_count: 0,
          tcp_rst_count: 0,
          tcp_fin_count: 0,
        });
        continue;
      }
      const source = SOURCES[label] ?? Number(/^source-(\d+)$/.exec(label)?.[1] ?? NaN);
      if (!Number.isInteger(source)) continue;
      const key = inventory.sightings.key;
      key[0] = high;
      key[1] = ((low << 16) | (source << 8) | parsed.version) >>> 0;
      key.set(parsed.words, 2);
      // (outer + 1) << 16 | (inner + 1), as dissectors/observations.ts packs it; 0 = untagged.
      key[6] = row.vlan_id === null ? 0 : ((((row.outer_vlan_id ?? -1) + 1) << 16) | (row.vlan_id + 1)) >>> 0;
      inventory.sightings.findOrInsert();
    }
  }
  const device = deriveDevices(inventory, flows).find((candidate) => candidate.mac_address === mac);
  return { isGateway: device?.is_gateway ?? false, reasons: device?.gateway_reasons ?? [] };
}

/**
 * Re-judges the gateway flag of the devices among `macs` (those whose addresses changed) and
 * updates the ones whose flag or reasons changed.
 *
 * @returns the number of devices updated
 */
export async function refreshGateways(tx: Queryable, macs: string[]): Promise<number> {
  if (macs.length === 0) return 0;
  const rows = await tx.query<StoredAddress>(CANDIDATE_ADDRESSES, [
    macs,
    GATEWAY_MIN_FOREIGN_IPS,
  ]);
  const byDevice = new Map<number, StoredAddress[]>();
  for (const row of rows) {
    const list = byDevice.get(row.id);
    if (list) list.push(row);
    else byDevice.set(row.id, [row]);
  }
  const ids: number[] = [], flags: boolean[] = [], reasons: string[] = [];
  for (const [id, list] of byDevice) {
    const verdict = judge(list[0].mac, list);
    const text = verdict.reasons.join("\n");
    if (verdict.isGateway === list[0].is_gateway && text === (list[0].reasons ?? "")) continue;
    ids.push(id);
    flags.push(verdict.isGateway);
    reasons.push(text);
  }
  if (ids.length > 0) await tx.query(UPDATE_GATEWAYS, [ids, flags, reasons]);
  return ids.length;
}
