/**
 * Seeded mutation fuzz of the real captures through the whole `analyze` command: time stamps,
 * lengths, interface ids, byte orders, `if_tsresol`/`if_tsoffset`, snapshot lengths, flipped bytes
 * and cut files (`_capture_mutations.ts`). Every run must either analyse the file or refuse it with
 * a message: never an exception out of the command, never a stack trace, never a hang. The seed is
 * fixed so a failure reproduces; NETSENTINEL_FUZZ_SEED and NETSENTINEL_FUZZ_FILES explore further.
 *
 * The runs happen in one child process (`_fuzz_analyze_driver.ts`, the same `main()` as the command
 * line): starting a process per file would cost the suite minutes.
 *
 * @module
 */

import { deepStrictEqual, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { SHARED_PCAPS } from "./shared_pcaps.ts";

const DRIVER = fileURLToPath(new URL("./_fuzz_analyze_driver.ts", import.meta.url));

/** A hang is a failure: the whole run gets this long (about 20× what it needs). */
const DEADLINE_MS = 10 * 60 * 1000;

Deno.test({
  name: `analyze never crashes, prints a stack trace or hangs on mutated real captures${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    SHARED_PCAPS.check();
    const seed = Deno.env.get("NETSENTINEL_FUZZ_SEED") ?? "2026";
    const files = Deno.env.get("NETSENTINEL_FUZZ_FILES") ?? "150";
    const dir = await Deno.makeTempDir({ prefix: "netsentinel-fuzz-" });
    const log = join(dir, "cases.log");
    const result = join(dir, "result.json");
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--unstable-worker-options", DRIVER, seed, files, dir, log, result],
        stdout: "null",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
      const output = await child.output();
      clearTimeout(timer);
      const stderr = new TextDecoder().decode(output.stderr);
      const last = async () => (await Deno.readTextFile(log).catch(() => "")).trim().split("\n").pop();
      ok(
        output.code === 0,
        `the fuzz process ended with ${output.signal ?? output.code} during ${await last()}:\n${stderr}`,
      );
      const outcome = JSON.parse(await Deno.readTextFile(result));
      deepStrictEqual(outcome.crashed, [], `seed ${seed}`);
      ok(outcome.analysed > 0 && outcome.refused > 0, `both outcomes expected: ${JSON.stringify(outcome)}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
