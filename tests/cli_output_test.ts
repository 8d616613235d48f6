/**
 * Where the report goes, when that goes wrong: a pipe whose reader stops early, a full disk (a
 * real tmpfs), an earlier report in the way. Each is one line on stderr (never a stack trace), the
 * right exit status, and nothing half-written left behind or lost.
 *
 * @module
 */

import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { MAIN, runCli } from "./run_cli.ts";
import { TMPFS, Tmpfs } from "./tmpfs.ts";
import { CSV_FILE_NAMES } from "../cli/report_csv.ts";

const DENO = [Deno.execPath(), "run", "-A", "--unstable-worker-options", MAIN];

/** The project's sample plant capture: its JSON report (≈ 240 KB) is larger than a pipe's buffer. */
const PLANT = await Deno.makeTempFile({ suffix: ".pcap" });
const made = await runCli(["sample", "--out", PLANT]);
if (made.code !== 0) throw new Error(`Cannot generate the sample capture: ${made.stderr}`);
globalThis.addEventListener("unload", () => Deno.removeSync(PLANT));

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  strictEqual(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  strictEqual(stderr.includes("    at "), false, "no stack trace");
  return lines[0];
}

/** Runs a shell command line; returns the status of the first command of its pipe, and stderr. */
async function shell(line: string): Promise<{ status: number; stderr: string }> {
  const output = await new Deno.Command("bash", {
    args: ["-c", `${line}; exit "\${PIPESTATUS[0]}"`],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return { status: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

const quoted = (args: string[]) => args.map((arg) => `'${arg}'`).join(" ");

Deno.test("analyze … | head: the report stops quietly with status 141 (like a tool stopped by SIGPIPE)", async () => {
  // The document is larger than the pipe's buffer: the writer is still writing when head exits.
  const run = await shell(`${quoted([...DENO, "analyze", PLANT, "--json"])} | head -c 100`);
  strictEqual(run.stderr, "", "nothing on stderr");
  strictEqual(run.status, 141);
  // A reader that takes everything still gets status 0.
  const whole = await shell(`${quoted([...DENO, "analyze", PLANT, "--json"])} | cat`);
  strictEqual(whole.status, 0, whole.stderr);
});

Deno.test("an earlier report is not replaced without --force; a file or folder in the way is one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "devices.csv"), "an earlier report\n");
    const refused = await runCli(["analyze", PLANT, "--csv", dir]);
    strictEqual(refused.code, 1);
    strictEqual(
      oneLine(refused.stderr),
      `netsentinel: Cannot write the report: ${
        join(dir, "devices.csv")
      } already exists (an earlier report?); add --force to replace, or choose another path`,
    );
    strictEqual(await Deno.readTextFile(join(dir, "devices.csv")), "an earlier report\n", "left as it was");

    const forced = await runCli(["analyze", PLANT, "--csv", dir, "--force"]);
    strictEqual(forced.code, 0, forced.stderr);
    deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [...CSV_FILE_NAMES].sort());
    match(await Deno.readTextFile(join(dir, "devices.csv")), /^mac_address,oui_prefix,/);

    const out = join(dir, "inventory.json");
    await Deno.writeTextFile(out, "{}");
    const json = await runCli(["analyze", PLANT, "--json", "--out", out]);
    strictEqual(json.code, 1);
    match(oneLine(json.stderr), /inventory\.json already exists .*add --force/);
    strictEqual(await Deno.readTextFile(out), "{}");
    strictEqual((await runCli(["analyze", PLANT, "--json", "--out", out, "--force"])).code, 0);
    strictEqual(JSON.parse(await Deno.readTextFile(out)).summary.packets > 0, true);

    const onFile = await runCli(["analyze", PLANT, "--csv", out]);
    strictEqual(onFile.code, 1);
    strictEqual(
      oneLine(onFile.stderr),
      `netsentinel: Cannot write the report into ${out}: it is a file, not a folder`,
    );
    const nested = await Deno.makeTempDir();
    await Deno.mkdir(join(nested, "devices.csv"));
    const folderInTheWay = await runCli(["analyze", PLANT, "--csv", nested, "--force"]);
    strictEqual(folderInTheWay.code, 1);
    strictEqual(
      oneLine(folderInTheWay.stderr),
      `netsentinel: Cannot write ${join(nested, "devices.csv")}: something other than a file has that name`,
    );
    await Deno.remove(nested, { recursive: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: `a full disk is one line naming the file, and no partial report is left${TMPFS.note}`,
  ignore: TMPFS.skip,
  async fn() {
    await using disk = await Tmpfs.mount(64);
    // An earlier report on the disk, then the disk filled to 16 KiB from full: the CSV report
    // (≈ 47 KB) and the JSON document (≈ 240 KB) cannot fit.
    const earlier = join(disk.dir, "earlier");
    strictEqual((await runCli(["analyze", PLANT, "--csv", earlier, "--no-metrics"])).code, 0);
    const before = new Map(CSV_FILE_NAMES.map((name) => [name, Deno.readTextFileSync(join(earlier, name))]));
    await disk.fill(16384);
    const filesBefore = await disk.files();

    const csv = await runCli(["analyze", PLANT, "--csv", join(disk.dir, "new")]);
    strictEqual(csv.code, 1);
    match(
      oneLine(csv.stderr),
      new RegExp(
        `^netsentinel: Cannot write ${disk.dir}/new/\\w+\\.csv: no space left on device; ` +
          "nothing was written \\(no folder was left behind\\)$",
      ),
    );
    deepStrictEqual(await disk.files(), filesBefore, "no partial file, no temporary file, no folder");

    const replace = await runCli(["analyze", PLANT, "--csv", earlier, "--force"]);
    strictEqual(replace.code, 1);
    match(
      oneLine(replace.stderr),
      /no space left on device; nothing was written \(the folder is as it was\)$/,
    );
    deepStrictEqual(await disk.files(), filesBefore);
    for (const [name, text] of before) {
      strictEqual(Deno.readTextFileSync(join(earlier, name)), text, `the earlier ${name} is intact`);
    }

    const out = join(disk.dir, "inventory.json");
    const json = await runCli(["analyze", PLANT, "--json", "--out", out]);
    strictEqual(json.code, 1);
    strictEqual(
      oneLine(json.stderr),
      `netsentinel: Cannot write ${out}: no space left on device; nothing was written (the folder is as it was)`,
    );
    deepStrictEqual(await disk.files(), filesBefore);

    // Redirected by the shell: the file is the shell's, so the line says the output is incomplete.
    const redirected = await shell(`${quoted([...DENO, "analyze", PLANT, "--json"])} > '${out}'`);
    strictEqual(redirected.status, 1);
    match(
      oneLine(redirected.stderr),
      /^netsentinel: Cannot write the JSON inventory to standard output: no space left on device \(\d+ bytes written: the output is incomplete; --out FILE writes all or nothing\)$/,
    );
  },
});
