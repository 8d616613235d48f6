/**
 * `[dissectors] max_flows`: a worker whose flow table is full flushes early, so a flood or a scan
 * keeps the sensor's memory flat, and no flow is lost. With a limit far below the number of flows,
 * the inventory equals the one built without a limit (flows, devices, per-minute metrics, events,
 * identities) and tshark's count of frames and of packets and bytes per transport flow.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { writeFloodCapture } from "./_flood_capture.ts";
import { actualFrom, expectedFrom } from "./tshark_oracle.ts";
import { TSHARK } from "./tshark_fields.ts";
import { writeBenchCapture } from "../samples/bench_capture.ts";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";

async function documentOf(path: string, maxFlows?: number): Promise<InventoryDocument> {
  const analysis = await analyzeCaptureFile(path, { maxFlows });
  if (analysis.error) throw analysis.error;
  return buildInventoryDocument(analysis.inventory);
}

/** The parts of a document that must not depend on when flushes happen (flow ids do). */
function comparable(doc: InventoryDocument) {
  const flowKey = (f: InventoryDocument["flows"][number]) =>
    [
      f.src_mac,
      f.src_ip,
      f.src_port,
      f.dst_mac,
      f.dst_ip,
      f.dst_port,
      f.vlan_id,
      f.outer_vlan_id,
      f.ip_protocol,
    ]
      .join(" ");
  const flowOf = new Map(doc.flows.map((flow) => [flow.id, flowKey(flow)]));
  return {
    summary: doc.summary,
    flows: doc.flows.map((flow) => ({ ...flow, id: 0, key: flowKey(flow) })).sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0
    ),
    devices: doc.devices,
    metrics: doc.metrics.map((m) => ({ ...m, flow_id: m.flow_id === null ? null : flowOf.get(m.flow_id) }))
      .map((m) => JSON.stringify(m)).sort(),
    events: doc.events,
    identities: doc.identities,
    protocols: doc.protocols,
  };
}

function flushesOf(doc: InventoryDocument): number {
  return Object.values(doc.stats).reduce((sum, counters) => sum + counters.flow_table_flushes, 0);
}

Deno.test({
  name: `a full flow table flushes early and loses nothing, against tshark${TSHARK.note}`,
  ignore: TSHARK.skip,
  async fn(t) {
    TSHARK.check();
    const dir = await Deno.makeTempDir({ prefix: "netsentinel-max-flows-" });
    try {
      await t.step("flood: 60 000 frames of 6 000 flows, at most 1 000 held", async () => {
        const path = join(dir, "flood.pcap");
        await writeFloodCapture(path, { frames: 60_000, flows: 6_000, ports: 1_000 });
        const limited = await documentOf(path, 1_000);
        ok(flushesOf(limited) >= 6, `${flushesOf(limited)} early flushes`);
        strictEqual(flushesOf(await documentOf(path)), 0);
        const expected = await expectedFrom(path);
        const actual = actualFrom(limited);
        strictEqual(actual.frames, expected.frames);
        strictEqual(actual.flows.size, 6_000);
        deepStrictEqual(actual.flows, expected.flows);
      });
      await t.step("the benchmark mix: 200 000 frames, the same inventory as without a limit", async () => {
        const path = join(dir, "mix.pcap");
        await writeBenchCapture(path, { frames: 200_000 });
        const limited = await documentOf(path, 2_000);
        const unlimited = await documentOf(path);
        ok(unlimited.flows.length > 5 * 2_000, `${unlimited.flows.length} flows`);
        ok(flushesOf(limited) > 0);
        deepStrictEqual(comparable(limited), comparable(unlimited));
        const expected = await expectedFrom(path);
        deepStrictEqual(actualFrom(limited).flows, expected.flows);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
