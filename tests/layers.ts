/**
 * The layer order of the code base and the checker that enforces it (tests/layers_test.ts).
 *
 * Each folder may import only folders on a lower row of {@linkcode LAYERS} (and itself). Folders on
 * one row are siblings: they do not import each other. `tests/` and `bench/` stand outside the order
 * and may import anything; test files anywhere (`*_test.ts`, `_testing*.ts`, `_test_*.ts`,
 * `_harness.ts`) may also import the helpers in `tests/` and the example plugins. A drop-in plugin
 * imports nothing of the project but the plugin API. Only code is checked: a test may read
 * `deno.json`, storage reads `migrations/*.sql`.
 *
 * @module
 */

/** Rows of the order, top to bottom. A name is a top-level folder, or a root module. */
export const LAYERS: readonly (readonly string[])[] = [
  ["main.ts"],
  ["cli"],
  ["web", "export"],
  ["appliance"],
  ["sensor", "storage"],
  ["aggregator"],
  ["bus"],
  ["dissectors"],
  ["capture"],
  ["config"],
  ["model", "samples"],
];

/** Folders outside the order: they may import any layer. */
export const OUTSIDE: readonly string[] = ["tests", "bench"];

/** The one module a drop-in plugin may import. */
export const PLUGIN_API = "dissectors/api.ts";

const CODE = /\.(ts|tsx|js|mjs)$/;

/** One import found in a source file. */
export interface ImportSite {
  /** Path of the importing file, relative to the repository root, with `/`. */
  file: string;
  /** 1-based line of the import. */
  line: number;
  /** The specifier as written. */
  specifier: string;
  /** Resolved path relative to the repository root. */
  target: string;
}

/** An import against the order. */
export interface LayerViolation extends ImportSite {
  /** Why it is refused, one line. */
  reason: string;
}

// Static imports and re-exports, dynamic `import("…")`, side-effect imports and worker URLs
// (`new URL("./runtime.ts", import.meta.url)`): every way a module pulls in another.
const IMPORT_PATTERN = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bnew URL\(\s*)(["'])(\.{1,2}\/[^"']*)\1/g;

/** Every relative import of `source` (the text of `file`), resolved against the file's folder. */
export function findImports(file: string, source: string): ImportSite[] {
  const sites: ImportSite[] = [];
  const folder = file.split("/").slice(0, -1);
  for (const match of source.matchAll(IMPORT_PATTERN)) {
    const specifier = match[2];
    const line = source.slice(0, match.index).split("\n").length;
    sites.push({ file, line, specifier, target: resolve(folder, specifier) });
  }
  return sites;
}

function resolve(folder: string[], specifier: string): string {
  const parts = [...folder];
  for (const part of specifier.split("/")) {
    if (part === "." || part === "") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

/** The unit a path belongs to: its top-level folder, or the file itself at the root. */
export function unitOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

function rowOf(unit: string): number {
  return LAYERS.findIndex((row) => row.includes(unit));
}

function isTestFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name.endsWith("_test.ts") || name.startsWith("_testing") || name.startsWith("_test_") ||
    name === "_harness.ts";
}

/** Why `site` breaks the order, or null when it is allowed. */
export function checkImport(site: ImportSite): string | null {
  const from = unitOf(site.file);
  const to = unitOf(site.target);
  if (OUTSIDE.includes(from)) return null;
  if (from === "plugins") {
    return to === "plugins" || site.target === PLUGIN_API ? null : `a plugin imports only ${PLUGIN_API}`;
  }
  if (from === to || !CODE.test(site.target)) return null;
  if ((to === "tests" || to === "plugins") && isTestFile(site.file)) return null;
  const fromRow = rowOf(from);
  const toRow = rowOf(to);
  if (fromRow < 0) return `${from}/ is not in the layer order (tests/layers.ts)`;
  if (toRow < 0) return `${to} is not a layer ${from}/ may import`;
  if (toRow === fromRow) return `${from}/ and ${to}/ are siblings: neither imports the other`;
  if (toRow < fromRow) return `${to}/ is above ${from}/ in the layer order`;
  return null;
}

/** Every import of `files` (path → text) that breaks the order. */
export function layerViolations(files: ReadonlyMap<string, string>): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const [file, source] of files) {
    for (const site of findImports(file, source)) {
      const reason = checkImport(site);
      if (reason !== null) violations.push({ ...site, reason });
    }
  }
  return violations;
}
