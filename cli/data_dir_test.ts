import { strictEqual } from "node:assert/strict";
import { loadConfig } from "../config/load.ts";
import { placeState, resolveDataDir } from "./data_dir.ts";

Deno.test("placeState() moves the default state into the data folder, keeps chosen places", async () => {
  const defaults = placeState(await loadConfig(undefined, {}), "/srv/ns");
  strictEqual(defaults.storage.data_dir, "/srv/ns/pglite");
  strictEqual(defaults.status.file, "/srv/ns/status.json");
  const chosen = placeState(
    await loadConfig(undefined, {
      NETSENTINEL_STATUS_FILE: "/run/ns/status.json",
      NETSENTINEL_STORAGE_DATA_DIR: "db",
    }),
    "/srv/ns",
  );
  strictEqual(chosen.storage.data_dir, "db");
  strictEqual(chosen.status.file, "/run/ns/status.json");
  const disabled = placeState(await loadConfig(undefined, { NETSENTINEL_STATUS_FILE: "" }), "/srv/ns");
  strictEqual(disabled.status.file, "", "a disabled status file stays disabled");
});

Deno.test("resolveDataDir(): the flag, else NETSENTINEL_DATA_DIR, else data", () => {
  const previous = Deno.env.get("NETSENTINEL_DATA_DIR");
  try {
    Deno.env.delete("NETSENTINEL_DATA_DIR");
    strictEqual(resolveDataDir(undefined), "data");
    Deno.env.set("NETSENTINEL_DATA_DIR", "/var/lib/netsentinel");
    strictEqual(resolveDataDir(undefined), "/var/lib/netsentinel");
    strictEqual(resolveDataDir("elsewhere"), "elsewhere");
  } finally {
    if (previous === undefined) Deno.env.delete("NETSENTINEL_DATA_DIR");
    else Deno.env.set("NETSENTINEL_DATA_DIR", previous);
  }
});
