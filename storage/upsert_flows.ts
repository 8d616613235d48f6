/**
 * Batched writes of a flush's flows, from the batch inventory's arrays (times in µs, converted by
 * `netsentinel_time`): an update by primary key for the flows whose id is known, an upsert by key
 * for the others. Each flow's database id comes back, which the per-minute buckets need
 * (`upsert_metrics.ts`).
 *
 * @module
 */

import type { Queryable } from "./database.ts";
import type { BatchRows } from "./batch_rows.ts";
import type { FlowKeyFields } from "../model/flow_key.ts";
import { FLOW_KEY_WORDS } from "../model/flow_key.ts";
import { isUnicastMacText } from "../model/address.ts";
import type { DeviceIds } from "./upsert_inventory.ts";
import { type FlowIdCache, flowKeyText } from "./flow_ids.ts";
import { withIndexJoins } from "./index_joins.ts";

/** The batch's columns a stored flow is merged with, as SQL expressions. */
interface BatchCounters {
  firstSeen: string;
  lastSeen: string;
  packets: string;
  bytes: string;
  flags: string;
  syn: string;
  rst: string;
  fin: string;
  application: string;
  source: string;
}

/**
 * The SET clause merging a batch's counters into the stored flow `f`, one rule for the upsert by key
 * and the update by id: times widened, counters summed, flags or-ed, and the application a dissector
 * named kept over one a port guessed.
 */
function mergedCounters(b: BatchCounters): string {
  return `  first_seen = LEAST(f.first_seen, ${b.firstSeen}),
  last_seen = GREATEST(f.last_seen, ${b.lastSeen}),
  packet_count = f.packet_count + ${b.packets},
  byte_count = f.byte_count + ${b.bytes},
  tcp_flags_seen = CASE WHEN f.tcp_flags_seen IS NULL AND ${b.flags} IS NULL THEN NULL
    ELSE COALESCE(f.tcp_flags_seen, 0) | COALESCE(${b.flags}, 0) END,
  tcp_syn_count = f.tcp_syn_count + ${b.syn},
  tcp_rst_count = f.tcp_rst_count + ${b.rst},
  tcp_fin_count = f.tcp_fin_count + ${b.fin},
  application = CASE WHEN ${b.source} = 'dissector' OR f.application_source IS DISTINCT FROM
    'dissector' THEN ${b.application} ELSE f.application END,
  application_source = CASE WHEN ${b.source} = 'dissector' OR f.application_source IS DISTINCT
    FROM 'dissector' THEN ${b.source} ELSE f.application_source END`;
}

/**
 * One row per flow of the batch (keys are distinct: the batch's inventory merged them). Rows come
 * back in the order of the arrays (the executor returns each row as it inserts or updates it; a
 * plain scan of `unnest` feeds it in order), which `upsertFlows` checks.
 */
const UPSERT_FLOWS = `
INSERT INTO traffic_flows AS f (src_device_id, src_mac, src_ip, src_port, dst_device_id, dst_mac, dst_ip,
  dst_port, vlan_id, outer_vlan_id, ethertype, ip_protocol, application, application_source, first_seen,
  last_seen, packet_count, byte_count, tcp_flags_seen, tcp_syn_count, tcp_rst_count, tcp_fin_count)
SELECT src_device, src_mac, src_ip, src_port, dst_device, dst_mac, dst_ip, dst_port, vlan_id, outer_vlan_id,
  ethertype, ip_protocol, application, application_source, netsentinel_time(first_us), netsentinel_time(last_us),
  packets, bytes, flags, syn, rst, fin
FROM unnest($1::bigint[], $2::macaddr[], $3::inet[], $4::integer[], $5::bigint[], $6::macaddr[], $7::inet[],
  $8::integer[], $9::smallint[], $10::smallint[], $11::integer[], $12::smallint[], $13::text[], $14::text[],
  $15::float8[], $16::float8[], $17::bigint[], $18::bigint[], $19::smallint[], $20::bigint[], $21::bigint[],
  $22::bigint[])
  AS i(src_device, src_mac, src_ip, src_port, dst_device, dst_mac, dst_ip, dst_port, vlan_id, outer_vlan_id,
    ethertype, ip_protocol, application, application_source, first_us, last_us, packets, bytes, flags, syn, rst,
    fin)
ON CONFLICT (
  (COALESCE(src_mac, '00:00:00:00:00:00'::macaddr)), (COALESCE(src_ip, '0.0.0.0/0'::inet)),
  (COALESCE(src_port, -1)), (COALESCE(dst_mac, '00:00:00:00:00:00'::macaddr)),
  (COALESCE(dst_ip, '0.0.0.0/0'::inet)), (COALESCE(dst_port, -1)), (COALESCE(vlan_id, -1)),
  (COALESCE(outer_vlan_id, -1)), (COALESCE(ethertype, -1)), (COALESCE(ip_protocol, -1))
) DO UPDATE SET
${
  mergedCounters({
    firstSeen: "EXCLUDED.first_seen",
    lastSeen: "EXCLUDED.last_seen",
    packets: "EXCLUDED.packet_count",
    bytes: "EXCLUDED.byte_count",
    flags: "EXCLUDED.tcp_flags_seen",
    syn: "EXCLUDED.tcp_syn_count",
    rst: "EXCLUDED.tcp_rst_count",
    fin: "EXCLUDED.tcp_fin_count",
    application: "EXCLUDED.application",
    source: "EXCLUDED.application_source",
  })
}
RETURNING f.id::float8 AS id, f.src_port, f.dst_port, f.ethertype, f.ip_protocol`;

function sameKey(row: FlowIdRow, key: FlowKeyFields): boolean {
  return row.src_port === key.src_port && row.dst_port === key.dst_port && row.ethertype === key.ethertype &&
    row.ip_protocol === key.ip_protocol;
}

interface FlowIdRow {
  id: number;
  src_port: number | null;
  dst_port: number | null;
  ethertype: number | null;
  ip_protocol: number | null;
}

/**
 * The flow entries in the order of their packed keys: two aggregators that update the same flows
 * lock their rows in the same order (no deadlock).
 */
function keyOrder(packed: Uint32Array, count: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, entry) => entry);
  return order.sort((a, b) => {
    for (let word = 0; word < FLOW_KEY_WORDS; word++) {
      const difference = packed[a * FLOW_KEY_WORDS + word] - packed[b * FLOW_KEY_WORDS + word];
      if (difference !== 0) return difference;
    }
    return 0;
  });
}

/** Adds a batch's counters to flows whose id is known (`FlowIdCache`), by primary key. */
const UPDATE_FLOWS_BY_ID = `
UPDATE traffic_flows AS f SET
${
  mergedCounters({
    firstSeen: "netsentinel_time(u.first_us)",
    lastSeen: "netsentinel_time(u.last_us)",
    packets: "u.packets",
    bytes: "u.bytes",
    flags: "u.flags",
    syn: "u.syn",
    rst: "u.rst",
    fin: "u.fin",
    application: "u.application",
    source: "u.application_source",
  })
}
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::bigint[], $7::bigint[],
  $8::smallint[], $9::bigint[], $10::bigint[], $11::bigint[])
  AS u(id, application, application_source, first_us, last_us, packets, bytes, flags, syn, rst, fin)
WHERE f.id = u.id
RETURNING f.id`;

/** Which of the ids `$1` have no row (deleted since they were learnt). */
const MISSING_FLOWS = `
SELECT id::float8 AS id FROM unnest($1::bigint[]) AS u(id)
WHERE NOT EXISTS (SELECT 1 FROM traffic_flows f WHERE f.id = u.id)`;

/** What {@linkcode upsertFlows} wrote. */
export interface FlowWrite {
  /** The database id of each flow entry of the batch. */
  ids: Float64Array;
  /** The packed key of each flow entry (`flowKeyText`), to remember the ids once committed. */
  keys: string[];
  /** Entries updated through a known id, and entries upserted by key. */
  byId: number;
  byKey: number;
}

/**
 * Adds the flush's flow counters: flows whose id this process knows are updated by primary key;
 * the others (new flows, flows not seen since this process started, ids gone stale) are upserted
 * by their key, which returns their ids. Both statements take their rows in key order.
 *
 * @returns the database id of each flow entry of the batch
 */
export async function upsertFlows(
  tx: Queryable,
  rows: BatchRows,
  devices: DeviceIds,
  known: FlowIdCache,
): Promise<FlowWrite> {
  const { inventory, keys, applications } = rows;
  const count = keys.length;
  const write: FlowWrite = { ids: new Float64Array(count), keys: new Array(count), byId: 0, byKey: 0 };
  if (count === 0) return write;
  const order = keyOrder(inventory.flows.keys, count);
  const cached: number[] = [], others: number[] = [];
  for (let row = 0; row < count; row++) {
    const entry = order[row];
    const key = flowKeyText(inventory.flows.keys, entry);
    write.keys[entry] = key;
    const id = known.get(key);
    if (id === undefined) others.push(entry);
    else {
      write.ids[entry] = id;
      cached.push(entry);
    }
  }
  if (cached.length > 0) {
    const column = <T>(read: (entry: number) => T): T[] => cached.map(read);
    const params = [
      column((e) => write.ids[e]),
      column((e) => applications[e].application),
      column((e) => applications[e].application_source),
      column((e) => inventory.flowFirstUs[e]),
      column((e) => inventory.flowLastUs[e]),
      column((e) => inventory.flowPackets[e]),
      column((e) => inventory.flowBytes[e]),
      column((e) => (keys[e].ip_protocol === 6 ? inventory.flowTcpFlags[e] : null)),
      column((e) => inventory.flowSyn[e]),
      column((e) => inventory.flowRst[e]),
      column((e) => inventory.flowFin[e]),
    ];
    const [updated] = await withIndexJoins(
      tx,
      () =>
        tx.query<{ n: number }>(`WITH u AS (${UPDATE_FLOWS_BY_ID}) SELECT count(*)::int AS n FROM u`, params),
    );
    write.byId = updated.n;
    if (updated.n < cached.length) {
      // Rows deleted since their id was learnt: written again by key (in key order with the others).
      const missing = new Set(
        (await tx.query<{ id: number }>(MISSING_FLOWS, [cached.map((e) => write.ids[e])])).map((row) =>
          row.id
        ),
      );
      for (const entry of cached) {
        if (!missing.has(write.ids[entry])) continue;
        known.forget(write.keys[entry]);
        others.push(entry);
      }
      const rank = new Int32Array(count);
      order.forEach((entry, row) => rank[entry] = row);
      others.sort((a, b) => rank[a] - rank[b]);
    }
  }
  write.byKey = others.length;
  if (others.length > 0) {
    const ids = await upsertByKey(tx, rows, devices, others);
    others.forEach((entry, row) => write.ids[entry] = ids[row]);
  }
  return write;
}

/** Upserts the flow entries `entries` (in key order) by key; returns their ids in the same order. */
async function upsertByKey(
  tx: Queryable,
  rows: BatchRows,
  devices: DeviceIds,
  entries: number[],
): Promise<number[]> {
  const { inventory, keys, applications } = rows;
  const column = <T>(read: (entry: number) => T): T[] => entries.map(read);
  const deviceOf = (mac: string | null) => (isUnicastMacText(mac) ? devices.byMac.get(mac) ?? null : null);
  const result = await tx.query<FlowIdRow>(UPSERT_FLOWS, [
    column((e) => deviceOf(keys[e].src_mac)),
    column((e) => keys[e].src_mac),
    column((e) => keys[e].src_ip),
    column((e) => keys[e].src_port),
    column((e) => deviceOf(keys[e].dst_mac)),
    column((e) => keys[e].dst_mac),
    column((e) => keys[e].dst_ip),
    column((e) => keys[e].dst_port),
    column((e) => keys[e].vlan_id),
    column((e) => keys[e].outer_vlan_id),
    column((e) => keys[e].ethertype),
    column((e) => keys[e].ip_protocol),
    column((e) => applications[e].application),
    column((e) => applications[e].application_source),
    column((e) => inventory.flowFirstUs[e]),
    column((e) => inventory.flowLastUs[e]),
    column((e) => inventory.flowPackets[e]),
    column((e) => inventory.flowBytes[e]),
    column((e) => (keys[e].ip_protocol === 6 ? inventory.flowTcpFlags[e] : null)),
    column((e) => inventory.flowSyn[e]),
    column((e) => inventory.flowRst[e]),
    column((e) => inventory.flowFin[e]),
  ]);
  if (result.length !== entries.length || result.some((row, at) => !sameKey(row, keys[entries[at]]))) {
    throw new Error(
      `Cannot match flow ids: ${entries.length} flows upserted, ${result.length} rows came back out of order`,
    );
  }
  return result.map((row) => row.id);
}
