/**
 * Checks what a plugin module exports before any of it reaches the registry, so a broken plugin
 * fails at start with its file and the reason, never in the middle of a capture. Runs inside the
 * sandboxed workers (no imports that need permissions).
 *
 * @module
 */

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
 * The dissectors a plugin module exports (`dissector`, or `dissectors` as an array).
 *
 * @throws {PluginError} naming `file` when the exports are missing or malformed
 */
export function pluginDissectors(file: string, module: Record<string, unknown>): Dissector[] {
  const found: Dissector[] = [];
  if (module.dissector !== undefined) found.push(check(file, module.dissector, "export `dissector`"));
  if (Array.isArray(module.dissectors)) {
    module.dissectors.forEach((d, i) => found.push(check(file, d, `export \`dissectors[${i}]\``)));
  }
  if (module.dissector === undefined && !Array.isArray(module.dissectors)) {
    throw new PluginError(
      `Cannot load dissector plugin ${file}: it exports neither \`dissector\` nor \`dissectors\``,
    );
  }
  return found;
}
