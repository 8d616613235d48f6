import { strictEqual } from "node:assert/strict";
import { LIBC_PATHS } from "./permissions.ts";

const MODULE = new URL("./inspector_signal.ts", import.meta.url).href;
/** Bit of SIGUSR1 (signal 10) in the masks of /proc/PID/status. */
const SIGUSR1_BIT = 1n << 9n;

/**
 * Runs ignoreInspectorSignal() in a fresh Deno with `permissions`, then reports what it returned
 * and the SIGUSR1 bit of the process's SigIgn mask, read by this test from /proc while the child
 * waits. (That the disposition outlasts Deno's own SIGUSR1 set-up, half a second after start, is
 * shown by tests/sigusr1_test.ts on a running appliance.)
 */
async function guardIn(permissions: string[]): Promise<{ result: string; ignored: boolean }> {
  const code = `import { ignoreInspectorSignal } from ${JSON.stringify(MODULE)};\n` +
    "console.log(ignoreInspectorSignal());\n" +
    // Wait for a line on stdin: the test reads /proc meanwhile.
    "for await (const _ of Deno.stdin.readable) break;\n";
  // `deno eval` would grant every permission: run a file.
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(script, code);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, script],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const result = (await reader.read()).value!.trim();
  const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
  const mask = BigInt(`0x${/^SigIgn:\s*([0-9a-f]+)/m.exec(status)![1]}`);
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("\n"));
  await writer.close();
  await reader.cancel();
  await child.status;
  await Deno.remove(script);
  return { result, ignored: (mask & SIGUSR1_BIT) !== 0n };
}

Deno.test({
  name: "ignoreInspectorSignal() makes the kernel ignore SIGUSR1, with FFI for the C library only",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const scoped = await guardIn([`--allow-ffi=${LIBC_PATHS.join(",")}`]);
    strictEqual(scoped.result, "ignored");
    strictEqual(scoped.ignored, true, "SIGUSR1 is in SigIgn");
    const none = await guardIn([]);
    strictEqual(none.result, "listener-only");
    strictEqual(none.ignored, false);
  },
});
