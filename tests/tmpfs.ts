/**
 * A small tmpfs file system mounted for one test: a real full disk (ENOSPC), not a mock. Needs
 * root (CI runs the tests as root); tests pass `TMPFS.skip` to `ignore`.
 *
 * Always dispose of it: `await using disk = await Tmpfs.mount(64)`.
 *
 * @module
 */

import { Requirement } from "./requirements.ts";

function skipReason(): string | undefined {
  if (Deno.build.os !== "linux") return "skipped: tmpfs needs Linux";
  try {
    if (Deno.uid() !== 0) return "skipped: mounting a tmpfs needs root (CI runs as root)";
  } catch {
    return "skipped: cannot tell whether this is root (needs --allow-sys)";
  }
  return undefined;
}

/** A tmpfs mount (root on Linux): skipped with the reason on a developer's machine, failed under CI. */
export const TMPFS: Requirement = new Requirement("a tmpfs mount", skipReason());

async function run(command: string, args: string[]): Promise<void> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Cannot run ${command} ${args.join(" ")}: exit ${output.code}: ${text}`);
  }
}

/** A mounted tmpfs. */
export class Tmpfs implements AsyncDisposable {
  /** Where it is mounted. */
  readonly dir: string;
  #mounted = true;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of `sizeKiB` KiB on a new temporary folder. */
  static async mount(sizeKiB: number): Promise<Tmpfs> {
    const dir = await Deno.makeTempDir({ prefix: "netsentinel-tmpfs-" });
    try {
      await run("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k`, "tmpfs", dir]);
    } catch (error) {
      await Deno.remove(dir);
      throw error;
    }
    return new Tmpfs(dir);
  }

  /**
   * Fills the file system with `filler` until the next write fails (ENOSPC), leaving about
   * `leaveBytes` free (0: full).
   *
   * @returns the path of the filler file (remove it to free the space)
   */
  async fill(leaveBytes = 0, filler = "filler"): Promise<string> {
    const path = `${this.dir}/${filler}`;
    const file = await Deno.open(path, { create: true, write: true, truncate: true });
    const chunk = new Uint8Array(4096);
    try {
      for (;;) await file.write(chunk);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOSPC") throw error;
    }
    const size = (await file.stat()).size;
    await file.truncate(Math.max(0, size - leaveBytes));
    file.close();
    return path;
  }

  /** Every file below the mount point (relative paths, sorted). */
  async files(under = ""): Promise<string[]> {
    const found: string[] = [];
    for await (const entry of Deno.readDir(`${this.dir}/${under}`)) {
      const relative = under ? `${under}/${entry.name}` : entry.name;
      if (entry.isDirectory) found.push(`${relative}/`, ...await this.files(relative));
      else found.push(relative);
    }
    return found.sort();
  }

  /** Unmounts it and removes the mount point. Safe to call twice. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#mounted) return;
    this.#mounted = false;
    // A failed test may leave a file open on it (a process it killed): detach it lazily then.
    await run("umount", [this.dir]).catch(() => run("umount", ["--lazy", this.dir]));
    await Deno.remove(this.dir);
  }
}
