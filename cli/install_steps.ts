/**
 * The steps of `netsentinel install` that touch the system: copying the code and the Deno
 * binary, filling the Deno cache, creating the service user, owning the data folder.
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import type { InstallLayout } from "./install_layout.ts";
import { SERVICE_USER } from "./install_layout.ts";

/** A step that failed; the message is one line that names what and why. */
export class InstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InstallError";
  }
}

/** Top-level entries of the repository that an installation does not need. */
const NOT_INSTALLED = new Set([".git", ".ci", "data", "bench", "tests", "node_modules"]);

/**
 * Copies the repository at `source` to `target` (replacing what was there), without its data,
 * tests and benchmarks. Files are world-readable, owned by whoever installs (root).
 */
export async function copyCode(source: string, target: string): Promise<number> {
  await Deno.remove(target, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  let files = 0;
  const copy = async (from: string, to: string, top: boolean) => {
    await Deno.mkdir(to, { recursive: true, mode: 0o755 });
    for await (const entry of Deno.readDir(from)) {
      if (top && NOT_INSTALLED.has(entry.name)) continue;
      if (entry.name.endsWith(".cpuprofile")) continue;
      const path = join(from, entry.name);
      if (entry.isDirectory) await copy(path, join(to, entry.name), false);
      else if (entry.isFile) {
        await Deno.copyFile(path, join(to, entry.name));
        await Deno.chmod(join(to, entry.name), 0o644);
        files++;
      }
    }
  };
  await copy(source, target, true);
  return files;
}

/** Copies the running Deno binary to `target` (a stable path that no package manager moves). */
export async function copyDeno(target: string): Promise<string> {
  const source = await Deno.realPath(Deno.execPath());
  await Deno.mkdir(dirname(target), { recursive: true, mode: 0o755 });
  const temporary = `${target}.new`;
  await Deno.copyFile(source, temporary);
  await Deno.chmod(temporary, 0o755);
  await Deno.rename(temporary, target);
  return source;
}

/**
 * The npm packages of a deno.lock file. Its keys are `name@version`, with a `_peer@version`
 * suffix when peers were resolved (`@redis/bloom@1.2.0_@redis+client@1.6.1`).
 */
export function lockedPackages(lock: { npm?: Record<string, unknown> }): { name: string; version: string }[] {
  return Object.keys(lock.npm ?? {}).flatMap((key) => {
    const match = /^(@?[^@]+)@([^_]+)/.exec(key);
    return match ? [{ name: match[1], version: match[2] }] : [];
  });
}

/**
 * Copies the locked npm packages that the installing user's Deno cache already holds into the
 * new cache, so that an installation needs the network only for what is missing.
 *
 * @returns how many packages were copied
 */
export async function seedNpmCache(
  fromNpmCache: string,
  toDenoDir: string,
  lockFile: string,
): Promise<number> {
  const lock = JSON.parse(await Deno.readTextFile(lockFile));
  const registry = "registry.npmjs.org";
  let copied = 0;
  for (const { name, version } of lockedPackages(lock)) {
    const from = join(fromNpmCache, registry, name);
    const to = join(toDenoDir, "npm", registry, name);
    try {
      await Deno.stat(join(from, version));
    } catch {
      continue;
    }
    await copyTree(join(from, version), join(to, version));
    await Deno.copyFile(join(from, "registry.json"), join(to, "registry.json")).catch(() => {});
    copied++;
  }
  return copied;
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) await copyTree(source, target);
    else if (entry.isFile) await Deno.copyFile(source, target);
    else if (entry.isSymlink) await Deno.symlink(await Deno.readLink(source), target).catch(() => {});
  }
}

/** Runs a program; its output goes to ours. Throws an {@linkcode InstallError} when it fails. */
export async function run(program: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  let status: Deno.CommandStatus;
  try {
    status = await new Deno.Command(program, { args, env, stdout: "inherit", stderr: "inherit" }).spawn()
      .status;
  } catch (error) {
    throw new InstallError(`Cannot run ${program}: ${(error as Error).message}`);
  }
  if (!status.success) {
    throw new InstallError(`Cannot install: ${program} ${args.join(" ")} failed (exit ${status.code})`);
  }
}

/** Where the installing Deno keeps npm packages (`deno info --json`), or undefined. */
export async function currentNpmCache(deno: string): Promise<string | undefined> {
  try {
    const output = await new Deno.Command(deno, { args: ["info", "--json"], stdout: "piped", stderr: "null" })
      .output();
    return output.success ? JSON.parse(new TextDecoder().decode(output.stdout)).npmCache : undefined;
  } catch {
    return undefined;
  }
}

/** True when `program` is an executable file on the PATH. */
export function onPath(program: string): boolean {
  const folders = (Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":");
  return folders.some((folder) => {
    try {
      return (Deno.statSync(join(folder, program)).mode ?? 0) & 0o111 ? true : false;
    } catch {
      return false;
    }
  });
}

/**
 * Creates the service user (systemd-sysusers from the installed sysusers.d file, else
 * useradd), in the installation's root.
 */
export async function createServiceUser(layout: InstallLayout): Promise<void> {
  if (onPath("systemd-sysusers")) {
    const rootArgs = layout.root === "/" ? [] : [`--root=${layout.root}`];
    await run("systemd-sysusers", [...rootArgs, layout.sysusersFile]);
    return;
  }
  const rootArgs = layout.root === "/" ? [] : ["--root", layout.root];
  if ((await lookUpId(layout, "passwd")) !== undefined) return;
  await run("useradd", [
    ...rootArgs,
    "--system",
    "--user-group",
    "--home-dir",
    layout.dataDir,
    "--shell",
    "/usr/sbin/nologin",
    SERVICE_USER,
  ]);
}

/** The uid (passwd) or gid (group) of the service user in the installation's root. */
export async function lookUpId(
  layout: InstallLayout,
  database: "passwd" | "group",
): Promise<number | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(layout.root, "etc", database));
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields[0] === SERVICE_USER) return Number(fields[2]);
  }
  return undefined;
}

/** Creates the data folder, owned by the service user, closed to others. */
export async function prepareDataDir(layout: InstallLayout): Promise<void> {
  await Deno.mkdir(dirname(layout.dataDir), { recursive: true, mode: 0o755 });
  await Deno.mkdir(layout.dataDir, { recursive: true, mode: 0o750 });
  const uid = await lookUpId(layout, "passwd");
  const gid = await lookUpId(layout, "group");
  if (uid === undefined || gid === undefined) {
    throw new InstallError(
      `Cannot own ${layout.dataDir}: no user ${SERVICE_USER} in ${layout.root}/etc/passwd`,
    );
  }
  await Deno.chown(layout.dataDir, uid, gid);
  await Deno.chmod(layout.dataDir, 0o750);
}

/** Where `path` is relative to `folder`, or undefined when it is outside. */
export function inside(folder: string, path: string): string | undefined {
  const rest = relative(folder, path);
  return rest === "" || (!rest.startsWith("..") && !rest.startsWith("/")) ? rest : undefined;
}
