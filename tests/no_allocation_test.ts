/**
 * The hot path does not allocate per packet (ARCHITECTURE.md): two million frames of every L2–L4
 * kind are dissected and accounted in a steady state (all flows known) without a single garbage
 * collection, which V8 would need after a few megabytes of per-packet garbage.
 *
 * @module
 */

import { strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";

Deno.test("dissection and flow accounting of 2 M frames trigger no garbage collection", async () => {
  const probe = fileURLToPath(new URL("./_allocation_probe.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--v8-flags=--trace-gc", probe],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  strictEqual(output.success, true, new TextDecoder().decode(output.stderr));
  const steady = text.split("STEADY-STATE-BEGIN")[1].split("STEADY-STATE-END")[0];
  const collections = steady.split("\n").filter((line) => /Scavenge|Mark-Compact|Mark-sweep/i.test(line));
  strictEqual(text.includes(`packets ${2200 * 1024}`), true, text.slice(-200));
  strictEqual(collections.length, 0, `collections during the steady state:\n${collections.join("\n")}`);
});
