/**
 * The static assets of the UI, built once per process and kept in memory under content-hashed
 * names: the stylesheet (web/ui/styles.css) and the island bundle, made by one
 * `deno bundle --platform browser --minify` run over web/ui/islands/main.ts (so Preact is in it once),
 * and the topology map's own bundle (web/ui/islands/topology_bundle.tsx: vis-network is too large
 * for every page), loaded by the map page only.
 * Nothing generated is written to the repository.
 *
 * Bundling runs the `deno` executable, which needs `--allow-run`: without it (or when it fails) the
 * reason is logged once and the pages are served without JavaScript, which they work without.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** A built asset. */
export interface Asset {
  /** URL path under /static (`/static/islands-1a2b3c4d.js`). */
  path: string;
  body: Uint8Array;
  type: string;
}

/** The UI's assets. */
export interface BuiltAssets {
  css: Asset;
  js: Asset | null;
  /** The topology map's bundle (null: not built). */
  topology: Asset | null;
  byPath: Map<string, Asset>;
}

const ENTRY = fileURLToPath(new URL("./islands/main.ts", import.meta.url));
const TOPOLOGY_ENTRY = fileURLToPath(new URL("./islands/topology_bundle.tsx", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const STYLES = new URL("./styles.css", import.meta.url);

async function hashOf(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest.slice(0, 6), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Runs `deno bundle` over an entry (the islands' by default) and returns the bundle's bytes. */
export async function bundleIslands(entry: string = ENTRY): Promise<Uint8Array> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--config", CONFIG, "--platform", "browser", "--minify", entry],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  if (!output.success) {
    const reason = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`deno bundle failed: ${reason.slice(0, 500)}`);
  }
  return output.stdout;
}

async function asset(name: string, extension: string, body: Uint8Array, type: string): Promise<Asset> {
  return { path: `/static/${name}-${await hashOf(body)}.${extension}`, body, type };
}

let built: Promise<BuiltAssets> | null = null;

/** The assets, built at the first call (later calls share the result). */
export function uiAssets(log: (line: string) => void): Promise<BuiltAssets> {
  built ??= (async () => {
    const css = await asset("app", "css", await Deno.readFile(STYLES), "text/css; charset=utf-8");
    let js: Asset | null = null;
    let topology: Asset | null = null;
    try {
      js = await asset("islands", "js", await bundleIslands(), "text/javascript; charset=utf-8");
      topology = await asset(
        "topology",
        "js",
        await bundleIslands(TOPOLOGY_ENTRY),
        "text/javascript; charset=utf-8",
      );
    } catch (error) {
      const reason = error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable
        ? "running deno bundle needs --allow-run"
        : (error as Error).message;
      log(`web: pages are served without JavaScript (no charts, no live updates): ${reason}`);
    }
    const byPath = new Map<string, Asset>([[css.path, css]]);
    if (js) byPath.set(js.path, js);
    if (topology) byPath.set(topology.path, topology);
    return { css, js, topology, byPath };
  })();
  return built;
}
