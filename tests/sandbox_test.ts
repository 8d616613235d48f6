/**
 * The dissector sandbox: plugins run in workers with no permissions. A hostile plugin is denied
 * every file, network, FFI, process and environment access while the capture goes on; a plugin
 * that throws on every packet is disabled and reported; a plugin that misbehaves at load is
 * refused with its file name.
 *
 * @module
 */

import { deepStrictEqual, match, rejects, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { PcapWriter } from "../samples/pcap_writer.ts";
import { hex } from "../dissectors/_testing.ts";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import { pluginFiles } from "../dissectors/plugin_loader.ts";
import { PluginError } from "../dissectors/plugin_check.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

function udpFrame(port: number, id: number): Uint8Array {
  const idHex = id.toString(16).padStart(4, "0");
  return hex(
    `ffffffffffff 020000000001 0800 4500 0020 ${idHex} 0000 4011 0000 0a000001 0a0000ff ` +
      `c350 ${port.toString(16).padStart(4, "0")} 000c 0000 01020304`,
  );
}

async function captureOf(frames: Uint8Array[]): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  const writer = await PcapWriter.create(path);
  frames.forEach((frame, i) => writer.write(1_700_000_000 + i, 0, frame));
  writer.close();
  return path;
}

Deno.test("a hostile plugin is denied every access, and the capture goes on", async () => {
  const path = await captureOf([udpFrame(9, 1), udpFrame(53, 2), udpFrame(9, 3)]);
  const analysis = await analyzeCaptureFile(path, { pluginFiles: pluginFiles(`${FIXTURES}hostile`) });
  const doc = buildInventoryDocument(analysis.inventory);
  const attempts = doc.events.filter((event) => event.type === "hostile.attempts");
  strictEqual(attempts.length > 0, true);
  for (const event of attempts) {
    deepStrictEqual(event.fields, {
      read: "denied: NotCapable",
      write: "denied: NotCapable",
      listen: "denied: NotCapable",
      ffi: "denied: NotCapable",
      run: "denied: NotCapable",
      env: "denied: NotCapable",
    });
  }
  strictEqual(doc.summary.packets, 3, "every frame was analysed");
  strictEqual(doc.flows.length, 2);
  await Deno.remove(path);
});

Deno.test("a plugin that throws on every packet is disabled and reported; other traffic is still analysed", async () => {
  const frames = Array.from({ length: 150 }, (_, i) => udpFrame(i % 2 === 0 ? 7 : 53, i));
  const path = await captureOf(frames);
  const analysis = await analyzeCaptureFile(path, { pluginFiles: pluginFiles(`${FIXTURES}thrower`) });
  const doc = buildInventoryDocument(analysis.inventory);
  const counters = Object.values(doc.stats)[0];
  deepStrictEqual(counters.dissector_errors, { thrower: 75 });
  deepStrictEqual(counters.disabled_dissectors, []);
  strictEqual(doc.summary.packets, 150);

  const more = await captureOf(Array.from({ length: 250 }, (_, i) => udpFrame(7, i)));
  const second = buildInventoryDocument(
    (await analyzeCaptureFile(more, {
      pluginFiles: pluginFiles(`${FIXTURES}thrower`),
    })).inventory,
  );
  const stats = Object.values(second.stats)[0];
  strictEqual(stats.dissector_errors.thrower, 100);
  deepStrictEqual(stats.disabled_dissectors, [{
    name: "thrower",
    reason: "threw 100 times; last error: deliberate failure",
  }]);
  match(stats.problems[0], /Dissector "thrower" threw on frame 1: deliberate failure/);
  strictEqual(second.summary.packets, 250);
  await Deno.remove(path);
  await Deno.remove(more);
});

Deno.test("a plugin that reads a file when loaded is refused with its name", async () => {
  const path = await captureOf([udpFrame(9, 1)]);
  const files = pluginFiles(`${FIXTURES}hostile_at_load`);
  await rejects(
    () => analyzeCaptureFile(path, { pluginFiles: files }),
    (error: Error) => {
      strictEqual(error instanceof PluginError, true);
      match(
        error.message,
        new RegExp(`^Cannot load dissector plugin ${files[0]}: .*(NotCapable|read access)`),
      );
      return true;
    },
  );
  await Deno.remove(path);
});
