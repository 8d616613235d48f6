/**
 * The Deno permissions of each command: one table for the `deno task` lines of deno.json, the
 * systemd units and the installed `netsentinel` command, so that they cannot drift apart
 * (a test compares deno.json with it).
 *
 * Every command gets only what its role needs (ARCHITECTURE.md, "Processes and permissions"):
 * capture roles load libpcap (`--allow-ffi`), roles that keep state write only their data
 * folder, only roles that reach a database or Redis get `--allow-net`. Roles that have no other
 * use for FFI may load the C library alone, for {@linkcode ignoreInspectorSignal}'s one call.
 *
 * @module
 */

/** Where the C library is on glibc systems (Debian/Ubuntu amd64 and arm64, Fedora/RHEL). */
export const LIBC_PATHS: readonly string[] = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
  "/lib64/libc.so.6",
];

/** The folders a command's permissions name. */
export interface PermissionPaths {
  /** The data folder (state: embedded database, status file, sample). */
  dataDir: string;
  /** The C library files FFI may load when a role needs nothing else from FFI. */
  libc: readonly string[];
}

/** The paths of a development checkout: `data/` and the usual C library locations. */
export const REPOSITORY_PATHS: PermissionPaths = { dataDir: "data", libc: LIBC_PATHS };

/** What a command does with Deno, for its permissions. */
interface Role {
  /** Starts sandboxed dissector workers (`Worker` with `deno.permissions`). */
  workers?: boolean;
  read?: "all";
  write?: "all" | "data";
  env?: boolean;
  /** `all`: libpcap; `libc`: the C library only. */
  ffi?: "all" | "libc";
  /** The system information read: the host name (sensor id, consumer name), the user id. */
  sys?: "hostname" | "uid";
  net?: boolean;
  run?: boolean;
}

/**
 * The role of each command. `read` is not narrowed: configuration, plugins and capture files
 * are wherever the user keeps them.
 */
// `run` for start and web: the UI's island script is built by running `deno bundle` when the server
// first answers (web/ui/bundle.ts); without it the pages are served without JavaScript. The
// all-in-one `start` holds unrestricted FFI already, which grants as much.
const ROLES: Record<string, Role> = {
  start: {
    workers: true,
    read: "all",
    write: "data",
    env: true,
    ffi: "all",
    sys: "hostname",
    net: true,
    run: true,
  },
  web: { read: "all", write: "data", env: true, ffi: "libc", net: true, run: true },
  analyze: { workers: true, read: "all", write: "all", env: true, ffi: "all" },
  sensor: { workers: true, read: "all", env: true, ffi: "all", sys: "hostname", net: true },
  aggregator: { read: "all", write: "data", env: true, ffi: "libc", sys: "hostname", net: true },
  migrate: { read: "all", write: "data", env: true, ffi: "libc", net: true },
  status: { read: "all", env: true, ffi: "libc" },
  // The uploader it starts gets only --allow-net=<endpoint host:port> (export/uploader_process.ts).
  export: { read: "all", write: "data", env: true, ffi: "libc", net: true, run: true },
  interfaces: { ffi: "all", sys: "uid" },
  sample: { read: "all", write: "all", ffi: "libc" },
  version: {},
  install: { read: "all", write: "all", env: true, ffi: "libc", sys: "uid", run: true },
};

/** The commands that have a permission set (and a `deno task`). */
export const PERMISSION_COMMANDS: readonly string[] = Object.keys(ROLES);

/**
 * The `deno run` flags of `command`.
 *
 * @param command a command of {@linkcode PERMISSION_COMMANDS}
 * @param paths the data folder and C library locations to name
 * @returns the flags, e.g. `["--allow-read", "--allow-write=data", …]`
 * @throws {RangeError} for a command without a role
 *
 * @example Usage
 * ```ts
 * import { permissionFlags, REPOSITORY_PATHS } from "./permissions.ts";
 * import { assertEquals } from "node:assert/strict";
 *
 * assertEquals(permissionFlags("version", REPOSITORY_PATHS), []);
 * ```
 */
export function permissionFlags(command: string, paths: PermissionPaths): string[] {
  const role = ROLES[command];
  if (role === undefined) throw new RangeError(`Cannot give permissions to "${command}": unknown command`);
  const flags: string[] = [];
  if (role.workers) flags.push("--unstable-worker-options");
  if (role.read) flags.push("--allow-read");
  if (role.write === "all") flags.push("--allow-write");
  if (role.write === "data") flags.push(`--allow-write=${paths.dataDir}`);
  if (role.env) flags.push("--allow-env");
  if (role.ffi === "all") flags.push("--allow-ffi");
  if (role.ffi === "libc") flags.push(`--allow-ffi=${paths.libc.join(",")}`);
  if (role.sys) flags.push(`--allow-sys=${role.sys}`);
  if (role.net) flags.push("--allow-net");
  if (role.run) flags.push("--allow-run");
  return flags;
}

/**
 * The flags of a `netsentinel` command that runs every subcommand (`deno install -g`): the union
 * of the roles, data folder anywhere.
 */
export function unionPermissionFlags(): string[] {
  return [
    "--unstable-worker-options",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-ffi",
    "--allow-sys=hostname,uid",
    "--allow-net",
  ];
}
