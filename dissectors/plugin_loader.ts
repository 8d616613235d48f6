/**
 * Drop-in dissector plugins: the `.ts` files of a folder. This side only finds the files; they
 * are imported, checked (`plugin_check.ts`) and run inside the sandboxed dissector workers.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { PluginError } from "./plugin_check.ts";

export { PluginError } from "./plugin_check.ts";

/**
 * Absolute paths of the plugin files of `folder` (`*.ts`, tests excluded), in name order.
 *
 * @throws {PluginError} when the folder cannot be read
 */
export function pluginFiles(folder: string): string[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(folder)];
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such folder" : (error as Error).message;
    throw new PluginError(`Cannot load dissector plugins from ${folder}: ${reason}`);
  }
  return entries
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts"))
    .map((entry) => resolve(join(folder, entry.name)))
    .sort();
}
