/**
 * The bus codec on real flush records: every shared capture is dissected into several flush
 * records, each is encoded and decoded as it would cross Redis, and the inventory merged from the
 * decoded records equals the one `analyzeCaptureFile` builds from the same file.
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { openCaptureFile } from "../capture/file_source.ts";
import { PacketBatch } from "../capture/batch.ts";
import { DissectionEngine } from "../dissectors/engine.ts";
import { DissectorRegistry } from "../dissectors/registry.ts";
import { BUILTIN_DISSECTORS } from "../dissectors/builtin.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { Inventory } from "../aggregator/inventory.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import { decodeBatch, encodeBatch } from "../bus/codec.ts";
import { BatchNumberer } from "../model/sensor_batch.ts";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "./shared_pcaps.ts";

/** The sensor name analyzeCaptureFile gives its single worker. */
const SENSOR = "worker-0";

/** Dissects a file in-process, flushing every `batchesPerFlush` batches of 64 packets. */
async function flushRecords(path: string, batchesPerFlush: number): Promise<FlushRecord[]> {
  const engine = new DissectionEngine(new DissectorRegistry([...BUILTIN_DISSECTORS]));
  const source = await openCaptureFile(path);
  const batch = new PacketBatch(64);
  const records: FlushRecord[] = [];
  try {
    for (let n = 1;; n++) {
      let more: boolean;
      try {
        more = await source.next(batch);
      } catch {
        break; // damaged file: what came before is analysed, as analyzeCaptureFile does
      }
      if (!more) break;
      engine.process(batch);
      if (n % batchesPerFlush === 0) records.push(engine.flush());
    }
  } finally {
    source.close();
  }
  records.push(engine.flush());
  return records;
}

/**
 * The document without its generation time, and with its lists in a canonical order: splitting
 * a capture into several flush records changes the order in which flows enter the inventory (so
 * the order of metric rows), not their content.
 */
function comparable(doc: ReturnType<typeof buildInventoryDocument>): unknown {
  const sorted = Object.entries(doc).map(([key, value]) => [
    key,
    Array.isArray(value) ? value.map((row) => JSON.stringify(row)).sort() : value,
  ]);
  return { ...Object.fromEntries(sorted), netsentinel: { ...doc.netsentinel, generated_at: "" } };
}

Deno.test({
  name: `decoded flush records of every shared capture merge into the same inventory${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn(t) {
    for (const name of sharedCaptureFiles()) {
      await t.step(name, async () => {
        const path = sharedCapture(name);
        const expected = buildInventoryDocument((await analyzeCaptureFile(path)).inventory);
        const numberer = new BatchNumberer(SENSOR);
        const inventory = new Inventory();
        let bytes = 0;
        const records = await flushRecords(path, 2);
        for (const [i, record] of records.entries()) {
          const encoded = encodeBatch(numberer.next(record), { compress: i % 2 === 1 });
          bytes += encoded.length;
          const decoded = decodeBatch(encoded);
          deepStrictEqual(decoded.record, record);
          inventory.merge(decoded.record, decoded.sensor);
        }
        deepStrictEqual(comparable(buildInventoryDocument(inventory)), comparable(expected));
        strictEqual(records.length > 1 || bytes > 0, true);
      });
    }
  },
});
