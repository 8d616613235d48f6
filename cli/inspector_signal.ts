/**
 * Keeps SIGUSR1 from opening Deno's debugger.
 *
 * Since Deno 2.9.2 a process that receives SIGUSR1 starts the V8 inspector server on
 * 127.0.0.1:9229, like Node.js: whoever can connect to it runs code inside the appliance. Deno
 * 2.9 has no flag or environment variable to turn this off (its CLI installs the listener half a
 * second after start, unconditionally; `--inspect` would open the server at once). What works is
 * to make the kernel discard the signal:
 *
 * 1. add a JavaScript SIGUSR1 listener, so Deno's signal handler for SIGUSR1 is installed now
 *    (and a SIGUSR1 in the first half second no longer kills the process);
 * 2. set the signal's disposition to "ignore" with `signal(2)` from the C library. A
 *    disposition is process-wide; Deno's later listener finds SIGUSR1 already registered and
 *    does not install a handler again, so the signal stays ignored for the life of the process.
 *
 * Step 2 needs FFI permission for the C library (see `cli/permissions.ts`). Without it the
 * guard can only do step 1, and says so for the commands that keep running.
 *
 * @module
 */

import { LIBC_PATHS } from "./permissions.ts";

const SIGUSR1 = 10;
/** `SIG_IGN` is the handler value 1. */
const SIG_IGN = 1n;
/** `SIG_ERR`, the handler value -1, is what `signal(2)` returns when it fails. */
const SIG_ERR = 2n ** 64n - 1n;

/** What {@linkcode ignoreInspectorSignal} achieved. */
export type InspectorSignalGuard =
  /** The kernel discards SIGUSR1 for this process. */
  | "ignored"
  /** Only a JavaScript listener: a SIGUSR1 would still start the inspector after 0.5 s. */
  | "listener-only";

function ffiAllowed(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "ffi", path }).state === "granted";
  } catch {
    return false;
  }
}

/** The C library at `path`, or undefined when there is none there (no read permission needed). */
function openLibc(path: string) {
  try {
    return Deno.dlopen(path, { signal: { parameters: ["i32", "usize"], result: "usize" } });
  } catch {
    return undefined;
  }
}

/**
 * Makes this process ignore SIGUSR1 (Linux, glibc). Call it once, first thing.
 *
 * @param libcPaths where to look for the C library
 * @returns whether the signal is now ignored by the kernel
 *
 * @example Usage
 * ```ts ignore
 * import { ignoreInspectorSignal } from "./inspector_signal.ts";
 *
 * if (ignoreInspectorSignal() !== "ignored") console.error("SIGUSR1 would open the debugger");
 * ```
 */
export function ignoreInspectorSignal(libcPaths: readonly string[] = LIBC_PATHS): InspectorSignalGuard {
  if (Deno.build.os === "windows") return "ignored";
  // Step 1: own SIGUSR1 before Deno's inspector listener does. The listener does not keep the
  // event loop alive.
  Deno.addSignalListener("SIGUSR1", ignore);
  if (Deno.build.os !== "linux") return "listener-only";
  for (const path of libcPaths) {
    const libc = ffiAllowed(path) ? openLibc(path) : undefined;
    if (libc === undefined) continue;
    // Step 2: the disposition becomes SIG_IGN, process-wide. The library stays open on purpose.
    const previous = libc.symbols.signal(SIGUSR1, SIG_IGN);
    return previous === SIG_ERR ? "listener-only" : "ignored";
  }
  return "listener-only";
}

function ignore(): void {
  // SIGUSR1 means nothing to NetSentinel: counters come from `netsentinel status`.
}

/** The warning printed by long-running commands when the signal could not be ignored. */
export const INSPECTOR_SIGNAL_WARNING =
  "warning: SIGUSR1 is not ignored (no FFI permission for the C library): a SIGUSR1 would open " +
  "Deno's debugger on 127.0.0.1:9229; run through deno task or the installed netsentinel command";
