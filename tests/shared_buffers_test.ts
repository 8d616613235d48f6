/**
 * The file path through the sandboxed workers reads frames in place from shared buffers that the
 * reader recycles: on a capture several times larger than those buffers, its inventory must equal
 * the one of the in-process engine reading private buffers (a recycled buffer overwritten too early
 * would change it).
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import { writeBenchCapture } from "../samples/bench_capture.ts";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { openCaptureFile } from "../capture/file_source.ts";
import { PacketBatch } from "../capture/batch.ts";
import { testEngine } from "../dissectors/_testing.ts";
import { Inventory } from "../aggregator/inventory.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";

function comparable(inventory: Inventory) {
  const doc = buildInventoryDocument(inventory);
  return { devices: doc.devices, flows: doc.flows, vlans: doc.vlans, metrics: doc.metrics };
}

Deno.test("analyze through workers equals the in-process engine on a capture 3× the shared buffers", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  await writeBenchCapture(path, { frames: 160_000, seed: 11 }); // ≈ 100 MB, the pool holds 8 × 4 MiB
  const viaWorkers = await analyzeCaptureFile(path);

  const engine = testEngine();
  const source = await openCaptureFile(path);
  const batch = new PacketBatch(4096);
  while (await source.next(batch)) engine.process(batch);
  source.close();
  const inProcess = new Inventory();
  inProcess.merge(engine.flush());

  // Compare piece by piece: a failing deepStrictEqual over 300 000 rows would take minutes to print.
  const [a, b] = [comparable(viaWorkers.inventory), comparable(inProcess)];
  for (const table of ["devices", "flows", "vlans", "metrics"] as const) {
    deepStrictEqual(a[table].length, b[table].length, `${table}: row count`);
    const first = a[table].findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(b[table][i]));
    if (first >= 0) {
      deepStrictEqual(a[table][first], b[table][first], `${table}: first different row (${first})`);
    }
  }
  await Deno.remove(path);
});
