/**
 * Driver of the whole-command fuzz (`fuzz_files_test.ts`), run in a process of its own: writes
 * seeded mutations of the shared captures and runs `netsentinel analyze` on each in process (the
 * same `main()` as the command line, dissectors in their sandboxed workers), with the console
 * captured. Writes to RESULT one JSON document: how many were analysed, refused with a message, and every run
 * that threw out of `main()` or printed a stack trace. Before each run it writes the mutation's
 * description to `LOG`, so a run that kills the process is named too.
 *
 * Usage: deno run -A --unstable-worker-options tests/_fuzz_analyze_driver.ts SEED COUNT DIR LOG RESULT
 *
 * @module
 */

import { join } from "node:path";
import { main } from "../main.ts";
import { Rng } from "../samples/rng.ts";
import { sharedCapture, sharedCaptureFiles } from "./shared_pcaps.ts";
import { mutateCapture } from "./_capture_mutations.ts";

const [seedArg, countArg, dir, log, result] = Deno.args;
const rng = new Rng(Number(seedArg));
const count = Number(countArg);
const originals = sharedCaptureFiles().map((name) => ({
  name,
  bytes: Deno.readFileSync(sharedCapture(name)),
}));

/** A stack frame line as V8 prints it. */
const STACK_LINE = /^\s+at .*(:\d+:\d+\)?|<anonymous>)$/m;

let analysed = 0;
let refused = 0;
const crashed: { case: string; error: string }[] = [];
const captured: string[] = [];
const original = { log: console.log, error: console.error, warn: console.warn };
const keep = (...parts: unknown[]) => void captured.push(parts.map(String).join(" "));

for (let i = 0; i < count; i++) {
  const source = originals[rng.int(0, originals.length - 1)];
  const mutation = mutateCapture(rng, source.bytes);
  const suffix = source.name.endsWith(".pcapng") ? ".pcapng" : ".pcap";
  const path = join(dir, `case-${i}${suffix}`);
  Deno.writeFileSync(path, mutation.bytes);
  const label = `#${i} ${source.name} ${mutation.damage.join(" ")}`;
  Deno.writeTextFileSync(log, `${label}\n`, { append: true });
  const args = ["analyze", path, "--no-progress", ...(i % 3 === 0 ? [] : ["--json"])];
  captured.length = 0;
  console.log = console.error = console.warn = keep;
  let status: number | undefined;
  try {
    status = await main(args);
  } catch (error) {
    crashed.push({ case: label, error: (error as Error)?.stack ?? String(error) });
  } finally {
    Object.assign(console, original);
  }
  const printed = captured.join("\n");
  if (status !== undefined && STACK_LINE.test(printed)) {
    crashed.push({ case: label, error: printed.slice(0, 2000) });
  } else if (status === 0) analysed++;
  else if (status !== undefined) refused++;
  Deno.removeSync(path);
}
Deno.writeTextFileSync(result, JSON.stringify({ analysed, refused, crashed }));
Deno.exit(0); // as main.ts does: a run may leave timers of its own behind
