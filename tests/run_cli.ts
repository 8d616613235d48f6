/**
 * Test helper: runs `main.ts` in a fresh Deno process as a user does (`deno run -A
 * --unstable-worker-options main.ts …`: dissectors in their sandboxed workers), and returns its exit
 * code and output.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Absolute path of `main.ts`. */
export const MAIN: string = fileURLToPath(new URL("../main.ts", import.meta.url));

/** What a `netsentinel` run printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `netsentinel ...args` with `env` added to the environment (and `NO_COLOR=1`). */
export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}
