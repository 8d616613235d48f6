/**
 * Drop-in dissector plugins: every `.ts` file of a folder that exports `dissector` (one
 * {@linkcode Dissector}) or `dissectors` (an array of them).
 *
 * Each export is checked before it reaches the registry, so a broken plugin fails at start with
 * the file and the reason, never in the middle of a capture.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Dissector } from "./api.ts";

/** A plugin file that cannot be used. */
export class PluginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PluginError";
  }
}

function check(file: string, candidate: unknown, where: string): Dissector {
  const problem = (reason: string) =>
    new PluginError(`Cannot load dissector plugin ${file}: ${where} ${reason}`);
  if (typeof candidate !== "object" || candidate === null) throw problem("is not an object");
  const d = candidate as Record<string, unknown>;
  if (typeof d.name !== "string" || !/^[a-z][a-z0-9_.-]*$/.test(d.name)) {
    throw problem(
      `has no valid name (lowercase letters, digits, "_", "-", "."; got ${JSON.stringify(d.name)})`,
    );
  }
  if (typeof d.title !== "string") throw problem(`"${d.name}" has no title`);
  if (typeof d.decode !== "function") throw problem(`"${d.name}" has no decode() function`);
  if (d.probe !== undefined && typeof d.probe !== "function") {
    throw problem(`"${d.name}" has a probe that is not a function`);
  }
  if (typeof d.registration !== "object" || d.registration === null) {
    throw problem(`"${d.name}" has no registration`);
  }
  return candidate as Dissector;
}

/**
 * Imports the plugins of `folder`, in file name order.
 *
 * @throws {PluginError} when a file does not export valid dissectors or fails to import
 */
export async function loadPlugins(folder: string): Promise<Dissector[]> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(folder)];
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such folder" : (error as Error).message;
    throw new PluginError(`Cannot load dissector plugins from ${folder}: ${reason}`);
  }
  const files = entries
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts"))
    .map((entry) => entry.name)
    .sort();
  const plugins: Dissector[] = [];
  for (const name of files) {
    const file = join(folder, name);
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(resolve(file)).href);
    } catch (error) {
      throw new PluginError(
        `Cannot load dissector plugin ${file}: ${(error as Error).message.split("\n")[0]}`,
      );
    }
    if (module.dissector !== undefined) plugins.push(check(file, module.dissector, "export `dissector`"));
    if (Array.isArray(module.dissectors)) {
      module.dissectors.forEach((d, i) => plugins.push(check(file, d, `export \`dissectors[${i}]\``)));
    }
    if (module.dissector === undefined && !Array.isArray(module.dissectors)) {
      throw new PluginError(
        `Cannot load dissector plugin ${file}: it exports neither \`dissector\` nor \`dissectors\``,
      );
    }
  }
  return plugins;
}
