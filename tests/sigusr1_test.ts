/**
 * SIGUSR1 opens no debugger. Since Deno 2.9.2 a Deno process that receives SIGUSR1 starts the
 * inspector on 127.0.0.1:9229; NetSentinel makes the kernel ignore the signal. This runs the
 * appliance as a user does (`deno task start --iface …`, inside a throw-away network namespace),
 * checks that SIGUSR1 is ignored before sending any, sends it to the task runner (which forwards
 * it) and to the appliance, and checks that no socket starts listening and both keep running.
 *
 * @module
 */

import { deepStrictEqual, doesNotMatch, ok, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { NETNS, Netns } from "./netns.ts";
import { alive, childOf, killTree } from "./_processes.ts";

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
/** Bit of SIGUSR1 (signal 10) in the masks of /proc/PID/status. */
const SIGUSR1_BIT = 1n << 9n;
/** How long the appliance may take to start (the embedded database is created on first use). */
const START_DEADLINE_MS = 240_000;
const DEADLINE_MS = 60_000;

/** A signal mask of /proc/PID/status (`SigIgn`, `SigCgt`). */
function signalMask(pid: number, name: "SigIgn" | "SigCgt"): bigint {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const line = status.split("\n").find((l) => l.startsWith(`${name}:`));
  return BigInt(`0x${line!.split(/\s+/)[1]}`);
}

/** The listening TCP sockets (`address:port` in /proc's hex) seen from the network namespace of `pid`. */
function listeningSockets(pid: number): string[] {
  const sockets: string[] = [];
  for (const table of ["tcp", "tcp6"]) {
    const lines = Deno.readTextFileSync(`/proc/${pid}/net/${table}`).trim().split("\n").slice(1);
    for (const line of lines) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === "0A") sockets.push(`${table} ${local}`);
    }
  }
  return sockets.sort();
}

/** Collects a process's stderr and waits for lines. */
class Lines {
  text = "";
  #waiters: { pattern: RegExp; count: number; resolve: () => void }[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (
        const chunk of stream.pipeThrough(new TextDecoderStream() as TransformStream<Uint8Array, string>)
      ) {
        this.text += chunk;
        this.#waiters = this.#waiters.filter((waiter) => {
          if (this.#count(waiter.pattern) < waiter.count) return true;
          waiter.resolve();
          return false;
        });
      }
    })();
  }

  #count(pattern: RegExp): number {
    return this.text.match(new RegExp(pattern.source, "g"))?.length ?? 0;
  }

  /** Resolves once `pattern` appeared `count` times; rejects after `ms`. */
  waitFor(pattern: RegExp, count: number, ms: number): Promise<void> {
    if (this.#count(pattern) >= count) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout>;
    return Promise.race([
      new Promise<void>((resolve) => this.#waiters.push({ pattern, count, resolve })),
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`No ${pattern} (×${count}) after ${ms} ms; stderr:\n${this.text}`)),
          ms,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }
}

Deno.test({
  name: `SIGUSR1 to a running deno task start opens no debugger and stops nothing${NETNS.note}`,
  ignore: NETNS.skip,
  async fn() {
    await using ns = await Netns.create();
    const dataDir = `data/.test-sigusr1-${Deno.pid}`;
    const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" };
    for (const name of ["HOME", "DENO_DIR"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    const task = new Deno.Command("ip", {
      args: [
        ...["netns", "exec", ns.name, Deno.execPath(), "task", "-q", "start"],
        ...["--iface", ns.captureIface, "--data-dir", dataDir],
      ],
      cwd: REPOSITORY,
      clearEnv: true,
      env,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Lines(task.stderr);
    let appliance: number | undefined;
    try {
      await stderr.waitFor(/capturing on veth-cap/, 1, START_DEADLINE_MS);
      appliance = await childOf(task.pid, DEADLINE_MS);
      // Never send SIGUSR1 to a process that would act on it.
      strictEqual(
        signalMask(appliance, "SigIgn") & SIGUSR1_BIT,
        SIGUSR1_BIT,
        "the appliance ignores SIGUSR1",
      );
      strictEqual(
        signalMask(task.pid, "SigCgt") & SIGUSR1_BIT,
        SIGUSR1_BIT,
        "deno task catches and forwards it",
      );
      const before = listeningSockets(appliance);
      ok(!before.some((socket) => socket.includes(":23F5")), "nothing on port 9229 to begin with");

      Deno.kill(appliance, "SIGUSR1");
      Deno.kill(task.pid, "SIGUSR1");
      // Signals handled after the SIGUSR1s: a reload, sent directly, then through deno task.
      Deno.kill(appliance, "SIGHUP");
      await stderr.waitFor(/reloaded the configuration/, 1, DEADLINE_MS);
      deepStrictEqual(listeningSockets(appliance), before, "no new listening socket");
      Deno.kill(task.pid, "SIGHUP");
      await stderr.waitFor(/reloaded the configuration/, 2, DEADLINE_MS);
      deepStrictEqual(listeningSockets(appliance), before, "no new listening socket");
      ok(alive(appliance) && alive(task.pid), "the appliance and deno task keep running");
      doesNotMatch(stderr.text, /Debugger listening|inspector/i);

      Deno.kill(task.pid, "SIGTERM");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const status = await Promise.race([
        task.status,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`No exit after SIGTERM:\n${stderr.text}`)), DEADLINE_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      await stderr.done;
      strictEqual(status.code, 0, stderr.text);
    } finally {
      killTree(task.pid);
      if (appliance !== undefined) killTree(appliance);
      await task.status;
      await Deno.remove(`${REPOSITORY}/${dataDir}`, { recursive: true }).catch(() => {});
    }
  },
});
