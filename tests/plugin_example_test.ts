/**
 * The README's "Writing a dissector" example is the file plugins/example/wake_on_lan.ts, and it
 * works as a drop-in plugin through `analyze --plugins`: by EtherType, by port, and by heuristic
 * on an odd port.
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { PcapWriter } from "../samples/pcap_writer.ts";
import { hex } from "../dissectors/_testing.ts";
import { runCli } from "./run_cli.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAGIC = "ffffffffffff" + "020000000042".repeat(16);

function udpFrame(port: number): Uint8Array {
  const payload = MAGIC.length / 2;
  const udpLength = (8 + payload).toString(16).padStart(4, "0");
  const ipLength = (28 + payload).toString(16).padStart(4, "0");
  return hex(
    `ffffffffffff 020000000001 0800 4500 ${ipLength} 0001 0000 4011 0000 0a000001 0affffff ` +
      `c350 ${port.toString(16).padStart(4, "0")} ${udpLength} 0000 ${MAGIC}`,
  );
}

Deno.test("the README dissector example is the shipped example plugin", async () => {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const plugin = await Deno.readTextFile(`${ROOT}/plugins/example/wake_on_lan.ts`);
  const block = readme.split("```ts\n// plugins/example/wake_on_lan.ts\n")[1]?.split("```")[0];
  strictEqual(block, plugin, "README block and plugins/example/wake_on_lan.ts differ");
});

Deno.test("analyze --plugins loads the example plugin and reports its events", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  const writer = await PcapWriter.create(path);
  writer.write(1_700_000_000, 0, hex(`ffffffffffff 020000000001 0842 ${MAGIC}`));
  writer.write(1_700_000_001, 0, udpFrame(9));
  writer.write(1_700_000_002, 0, udpFrame(40000));
  writer.close();
  const run = await runCli(["analyze", path, "--json", "--plugins", `${ROOT}/plugins/example`]);
  strictEqual(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  deepStrictEqual(
    doc.events.map((e: { type: string; fields: { target: string }; count: number }) => [
      e.type,
      e.fields.target,
      e.count,
    ]),
    // Identical events of one flush are counted, not repeated: the two UDP frames differ only by port.
    [["wol.wake", "02:00:00:00:00:42", 1], ["wol.wake", "02:00:00:00:00:42", 2]],
  );
  const applications = doc.flows.map((f: { application: string | null }) => f.application);
  deepStrictEqual(applications, [null, "wol", "wol"]);
  await Deno.remove(path);
});

Deno.test("analyze --plugins names the file and the reason when a plugin is broken", async () => {
  const folder = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${folder}/broken.ts`,
    `export const dissector = { name: "Bad Name", title: "x" };\n`,
  );
  const run = await runCli(["analyze", "/dev/null", "--plugins", folder]);
  strictEqual(run.code, 2);
  strictEqual(
    run.stderr.trim(),
    `netsentinel: Cannot load dissector plugin ${folder}/broken.ts: export \`dissector\` has no valid name (lowercase letters, digits, "_", "-", "."; got "Bad Name")`,
  );
  await Deno.remove(folder, { recursive: true });
});
