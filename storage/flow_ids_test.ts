import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { writeBenchCapture } from "../samples/bench_capture.ts";
import { flushRecordsOf, testOnDrivers } from "./_testing.ts";
import type { Database } from "./database.ts";
import { Persistence } from "./persistence.ts";
import { FlowIdCache, flowKeyText } from "./flow_ids.ts";
import type { FlushRecord } from "../model/flush_record.ts";

Deno.test("FlowIdCache forgets the least recently committed flows beyond its limit", () => {
  const cache = new FlowIdCache(2);
  cache.remember(["a", "b"], [1, 2]);
  cache.remember(["a", "c"], [1, 3]);
  deepStrictEqual([cache.get("a"), cache.get("b"), cache.get("c"), cache.size], [1, undefined, 3, 2]);
  cache.forget("a");
  strictEqual(cache.get("a"), undefined);
});

Deno.test("flowKeyText() tells every word of a packed key apart", () => {
  const keys = new Uint32Array(28);
  keys[27] = 0x10000;
  strictEqual(flowKeyText(keys, 0) === flowKeyText(keys, 1), false);
  strictEqual(flowKeyText(keys, 0).length, 28);
});

/** Every flow and per-minute row, by flow key (ids differ from one run to the next). */
async function contents(db: Database): Promise<unknown[]> {
  const key = `concat_ws('|', f.src_mac, f.src_ip, f.src_port, f.dst_mac, f.dst_ip, f.dst_port, f.vlan_id,
    f.outer_vlan_id, f.ethertype, f.ip_protocol)`;
  const flows = await db.query(
    `SELECT ${key} AS key, f.first_seen::text, f.last_seen::text, f.packet_count::float8, f.byte_count::float8,
       f.tcp_flags_seen, f.tcp_syn_count::float8, f.tcp_rst_count::float8, f.tcp_fin_count::float8, f.application,
       f.application_source
     FROM traffic_flows f ORDER BY 1`,
  );
  const metrics = await db.query(
    `SELECT m.time::text, m.metric_type, CASE WHEN m.flow_id IS NULL THEN d.mac_address::text ELSE ${key} END AS key, m.packet_count::float8,
       m.byte_count::float8, m.avg_packet_size, m.min_packet_size, m.max_packet_size, m.tcp_syn_count
     FROM traffic_metrics m LEFT JOIN traffic_flows f ON f.id = m.flow_id LEFT JOIN devices d ON d.id = m.device_id
     ORDER BY 1, 2, 3`,
  );
  return [flows, metrics];
}

/** Applies the records, deleting some flows (as retention does) after the `deleteAfter`-th. */
async function store(
  db: Database,
  records: FlushRecord[],
  persistence: () => Persistence,
  deleteAfter: number,
): Promise<number> {
  let byId = 0;
  for (const [seq, record] of records.entries()) {
    const sink = persistence();
    strictEqual(await sink.apply({ sensor: "ids", boot: "b", seq, record }), "applied");
    byId += sink.lastApply!.flowsById;
    if (seq === deleteAfter) {
      await db.query(
        `WITH gone AS (DELETE FROM traffic_flows WHERE src_port % 3 = 0 RETURNING id)
         DELETE FROM traffic_metrics WHERE flow_id IN (SELECT id FROM gone)`,
      );
    }
  }
  return byId;
}

testOnDrivers("flows updated through known ids equal flows upserted by key", async (t, scratch) => {
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-flow-ids-" });
  try {
    const path = `${dir}/mix.pcap`;
    await writeBenchCapture(path, { frames: 6_000 });
    const records = await flushRecordsOf(path, 1_000);
    await t.step("by key only (a new process for every batch)", async () => {
      strictEqual(await store(scratch.db, records, () => new Persistence(scratch.db), 2), 0);
    });
    const expected = await contents(scratch.db);
    await scratch.reset();
    await t.step("by known id, some of them deleted meanwhile", async () => {
      const one = new Persistence(scratch.db);
      const byId = await store(scratch.db, records, () => one, 2);
      strictEqual(byId > 0, true, "some flows were updated by id");
      deepStrictEqual(await contents(scratch.db), expected);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
