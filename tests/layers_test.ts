import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join, relative, sep } from "node:path";
import { LAYERS, layerViolations, OUTSIDE } from "./layers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SKIPPED_FOLDERS = new Set([".git", "data", "node_modules", "out"]);

async function sourceFiles(folder: string, into: Map<string, string>): Promise<void> {
  for await (const entry of Deno.readDir(folder)) {
    const path = join(folder, entry.name);
    if (entry.isDirectory) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith(".")) await sourceFiles(path, into);
    } else if (/\.tsx?$/.test(entry.name)) {
      into.set(relative(ROOT, path).split(sep).join("/"), await Deno.readTextFile(path));
    }
  }
}

Deno.test("every import follows the layer order (README, Layout)", async () => {
  const files = new Map<string, string>();
  await sourceFiles(ROOT, files);
  const lines = layerViolations(files).map((v) => `${v.file}:${v.line} imports ${v.specifier}: ${v.reason}`);
  deepStrictEqual(lines, [], `imports against the layer order:\n${lines.join("\n")}`);
});

Deno.test("every top-level folder with code is placed in the order", async () => {
  const placed = new Set([...LAYERS.flat(), ...OUTSIDE, "plugins"]);
  const unplaced: string[] = [];
  for await (const entry of Deno.readDir(ROOT)) {
    if (!entry.isDirectory || entry.name.startsWith(".") || SKIPPED_FOLDERS.has(entry.name)) continue;
    const files = new Map<string, string>();
    await sourceFiles(join(ROOT, entry.name), files);
    if (files.size > 0 && !placed.has(entry.name)) unplaced.push(entry.name);
  }
  deepStrictEqual(unplaced, []);
});

Deno.test("the checker refuses an upward import, a sibling import and a plugin's reach, naming file and line", () => {
  const files = new Map([
    ["capture/reader.ts", 'import type { Record } from "../model/flush_record.ts";\n'],
    ["dissectors/engine.ts", '// engine\nimport { Inventory } from "../aggregator/inventory.ts";\n'],
    ["storage/rows.ts", 'const sensor = await import("../sensor/offline_analysis.ts");\n'],
    [
      "plugins/x/x.ts",
      'import { Decoded } from "../../dissectors/api.ts";\nimport "../../capture/ring.ts";\n',
    ],
    ["dissectors/worker/pool.ts", 'const url = new URL("../../cli/start.ts", import.meta.url);\n'],
    ["bus/redis_test.ts", 'import { pcaps } from "../tests/shared_pcaps.ts";\n'],
    ["bus/redis.ts", 'import { pcaps } from "../tests/shared_pcaps.ts";\n'],
  ]);
  const found = layerViolations(files).map((v) => `${v.file}:${v.line} ${v.target}`);
  deepStrictEqual(found, [
    "dissectors/engine.ts:2 aggregator/inventory.ts",
    "storage/rows.ts:1 sensor/offline_analysis.ts",
    "plugins/x/x.ts:2 capture/ring.ts",
    "dissectors/worker/pool.ts:1 cli/start.ts",
    "bus/redis.ts:1 tests/shared_pcaps.ts",
  ]);
  strictEqual(
    layerViolations(new Map([["dissectors/a.ts", 'export * from "../bus/bus.ts";']]))[0].reason,
    "bus/ is above dissectors/ in the layer order",
  );
});
