/**
 * Where `netsentinel install` puts things, and the command lines the units and the installed
 * `netsentinel` command run. With `--root DIR` every path is under DIR, and the files written
 * name those paths, so that an installation under DIR runs as it is (the tests do that).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { LIBC_PATHS, permissionFlags } from "./permissions.ts";
import { UsageError } from "./usage_error.ts";

/** The paths of one installation. */
export interface InstallLayout {
  /** `/` or the `--root` folder. */
  root: string;
  /** The application's code (a copy of the repository). */
  appDir: string;
  /** The Deno binary the units run (a copy of the one that ran the install). */
  deno: string;
  /** The Deno cache (`DENO_DIR`): the npm packages, fetched at install time. */
  denoDir: string;
  /** The configuration file. */
  configFile: string;
  /** The data folder (state): owned by the service user. */
  dataDir: string;
  /** Where the systemd units go. */
  unitDir: string;
  /** The sysusers.d file that declares the service user. */
  sysusersFile: string;
  /** The `netsentinel` command. */
  command: string;
  /** The C library the roles without libpcap may load (see `cli/inspector_signal.ts`). */
  libc: string[];
}

/** The service user and group. */
export const SERVICE_USER = "netsentinel";

/** Commands whose state lives in the data folder (they get `--data-dir`). */
const STATEFUL = new Set(["start", "aggregator", "migrate", "status"]);

/** Paths may hold only these characters: they go unquoted into units and a shell script. */
const SAFE_PATH = /^\/[A-Za-z0-9._/+-]*$/;

/** The C library of this machine, else every usual place. */
function libcPaths(): string[] {
  for (const path of LIBC_PATHS) {
    try {
      if (Deno.statSync(path).isFile) return [path];
    } catch {
      // Not this one.
    }
  }
  return [...LIBC_PATHS];
}

/**
 * The layout of an installation under `root` (`/` for the system itself).
 *
 * @param libc the C library the units name (default: this machine's)
 * @throws {UsageError} when `root` has characters a unit file or shell script would misread
 */
export function installLayout(root: string, libc: string[] = libcPaths()): InstallLayout {
  const base = resolve(root);
  if (!SAFE_PATH.test(base)) {
    throw new UsageError(
      `Cannot install under "${root}": use a folder whose path has only letters, digits and . _ / + -`,
    );
  }
  const at = (path: string) => base === "/" ? path : join(base, path);
  return {
    root: base,
    appDir: at("/opt/netsentinel/app"),
    deno: at("/opt/netsentinel/bin/deno"),
    denoDir: at("/opt/netsentinel/deno-dir"),
    configFile: at("/etc/netsentinel/netsentinel.toml"),
    dataDir: at("/var/lib/netsentinel"),
    unitDir: at("/etc/systemd/system"),
    sysusersFile: at("/etc/sysusers.d/netsentinel.conf"),
    command: at("/usr/local/bin/netsentinel"),
    libc,
  };
}

/**
 * The command line that runs `command` in the installation: the installed Deno, the cached
 * packages only, the role's permissions with the installed data folder.
 *
 * @param extra arguments after the command (the units add `--data-dir`)
 */
export function installedCommandLine(layout: InstallLayout, command: string, extra: string[] = []): string[] {
  return [
    layout.deno,
    "run",
    "--cached-only",
    "--frozen",
    "--config",
    join(layout.appDir, "deno.json"),
    ...permissionFlags(command, { dataDir: layout.dataDir, libc: layout.libc }),
    join(layout.appDir, "main.ts"),
    command,
    ...extra,
  ];
}

/** The `ExecStart=` of the unit that runs `command`. */
export function unitCommandLine(layout: InstallLayout, command: string): string[] {
  return installedCommandLine(layout, command, STATEFUL.has(command) ? ["--data-dir", layout.dataDir] : []);
}
