import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { loadConfig } from "../config/load.ts";
import { changedKeys, reloadConfiguration } from "./reload.ts";

async function configFile(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".toml" });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("changedKeys() names the keys whose values differ", async () => {
  const before = await loadConfig(undefined, {});
  const after = await loadConfig(undefined, {
    NETSENTINEL_STATUS_INTERVAL_S: "2",
    NETSENTINEL_CAPTURE_FILTER: "tcp",
  });
  deepStrictEqual(changedKeys(before, after).sort(), ["capture.filter", "status.interval_s"]);
  deepStrictEqual(changedKeys(before, before), []);
});

Deno.test("reloadConfiguration() applies the live keys, names the others, keeps a bad file out", async (t) => {
  const path = await configFile('[status]\ninterval_s = 5\n[capture]\nfilter = ""\n');
  const current = await loadConfig(path, {});
  const lines: string[] = [];
  const applied: string[][] = [];
  const options = {
    configPath: path,
    current,
    live: ["status.interval_s"],
    apply: (changed: string[]) => applied.push(changed),
    log: (line: string) => lines.push(line),
  };
  try {
    await t.step("nothing changed", async () => {
      strictEqual(await reloadConfiguration(options), "netsentinel: reloaded the configuration: no change");
    });
    await t.step("a live key and a key that needs a restart", async () => {
      await Deno.writeTextFile(path, '[status]\ninterval_s = 2\n[capture]\nfilter = "tcp"\n');
      strictEqual(
        await reloadConfiguration(options),
        "netsentinel: reloaded the configuration: applied status.interval_s; restart to apply capture.filter",
      );
      strictEqual(current.status.interval_s, 2, "applied in the running configuration");
      strictEqual(current.capture.filter, "", "not applied: needs a restart");
      deepStrictEqual(applied, [["status.interval_s"]]);
    });
    await t.step("a bad file: one line, the running configuration kept", async () => {
      await Deno.writeTextFile(path, "[status]\ninterval_s = -1\n");
      const line = await reloadConfiguration(options);
      match(
        line,
        /^netsentinel: Cannot reload the configuration: Cannot use the configuration from .*status\.interval_s: .*; the running configuration is kept$/,
      );
      strictEqual(current.status.interval_s, 2);
      deepStrictEqual(lines.length, 3);
    });
  } finally {
    await Deno.remove(path);
  }
});
