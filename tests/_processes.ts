/**
 * Test helpers for the processes a `deno task` starts: find the command it runs, tell whether a
 * process lives, and end a task with its command.
 *
 * @module
 */

/** True while `pid` runs (a zombie does not count). */
export function alive(pid: number): boolean {
  try {
    return !Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
  } catch {
    return false;
  }
}

/** The children of `parent`, from /proc. */
export function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) {
        children.push(Number(entry.name));
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return children;
}

/** The first child of `parent` (the `deno run` a `deno task` started); fails after `ms`. */
export async function childOf(parent: number, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const [child] = childrenOf(parent);
    if (child !== undefined) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No child process of ${parent} after ${ms} ms`);
}

/** Sends SIGKILL to `pid` and its children (after a failed test: nothing is left running). */
export function killTree(pid: number): void {
  for (const target of [...childrenOf(pid), pid]) {
    try {
      if (alive(target)) Deno.kill(target, "SIGKILL");
    } catch {
      // Already ended.
    }
  }
}
