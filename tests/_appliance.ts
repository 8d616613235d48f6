/**
 * Test helpers for `deno task start` as a user runs it: a process on a free port with a data
 * folder of its own, its stderr watched line by line, the first admin signed in with the one-time
 * password it printed (and that password changed, as the first sign-in requires).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { killTree } from "./_processes.ts";

/** The repository (where `deno task` runs). */
export const REPOSITORY: string = fileURLToPath(new URL("..", import.meta.url));

/** The environment of a user with no configuration, database or Redis of their own. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" };
  for (const name of ["HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** A running `deno task start`. */
export interface RunningAppliance {
  child: Deno.ChildProcess;
  /** `http://127.0.0.1:PORT`. */
  base: string;
  /** The first admin's one-time password ("" when the database had users already). */
  password: string;
  /** Every stderr line so far. */
  lines: string[];
  /** Resolves with the first stderr line matching `pattern` (from the start), or fails after `ms`. */
  waitForLine(pattern: RegExp, ms?: number): Promise<string>;
  /** SIGTERM, then the exit code (the process tree is killed if it does not end in `ms`). */
  stop(ms?: number): Promise<number>;
}

/** Starts `deno task start ...args` (with `--listen 127.0.0.1:0`) and waits for its URL. */
export async function startAppliance(
  args: string[],
  env: Record<string, string> = {},
): Promise<RunningAppliance> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", "--listen", "127.0.0.1:0", ...args],
    cwd: REPOSITORY,
    clearEnv: true,
    env: cleanEnv(env),
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let ended = false;
  const reading = (async () => {
    let buffer = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const complete = buffer.split("\n");
      buffer = complete.pop()!;
      for (const line of complete) {
        lines.push(line);
        for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
    ended = true;
  })();
  function waitForLine(pattern: RegExp, ms = 120_000): Promise<string> {
    const seen = lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `No stderr line matching ${pattern} after ${ms} ms${ended ? " (ended)" : ""}:\n${
              lines.join("\n")
            }`,
          ),
        );
      }, ms);
      waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  }
  async function stop(ms = 60_000): Promise<number> {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already ended.
    }
    const timer = setTimeout(() => killTree(child.pid), ms);
    const { code } = await child.status;
    clearTimeout(timer);
    await reading;
    return code;
  }
  try {
    const url = await waitForLine(/web UI at /);
    const base = /web UI at (\S+)/.exec(url)![1];
    // Printed before the URL, on a database without users only.
    const password = /one-time password (\S+)/.exec(
      lines.find((line) => /one-time password/.test(line)) ?? "",
    )?.[1] ?? "";
    return { child, base, password, lines, waitForLine, stop };
  } catch (error) {
    await stop(5000);
    throw error;
  }
}

/** A signed-in user of a running appliance. */
export interface Client {
  cookie: string;
  /** Calls `/api/v1${path}` with the session and the appliance's Origin. */
  api(
    method: string,
    path: string,
    body?: BodyInit | Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

/** Signs in; when the password must change, changes it to `next`. */
export async function signIn(
  base: string,
  username: string,
  password: string,
  next?: string,
): Promise<Client> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) {
    throw new Error(`Cannot sign in as ${username}: ${login.status} ${await login.text()}`);
  }
  const me = await login.json();
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const client: Client = {
    cookie,
    api(method, path, body, headers = {}) {
      const json = body !== undefined && !(body instanceof Uint8Array) && !(body instanceof ReadableStream) &&
        typeof body === "object";
      return fetch(`${base}/api/v1${path}`, {
        method,
        headers: {
          cookie,
          origin: base,
          ...(json ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        body: json ? JSON.stringify(body) : body as BodyInit | undefined,
      });
    },
  };
  if (next !== undefined && (me.user?.must_change_password ?? me.must_change_password)) {
    const changed = await client.api("POST", "/auth/password", {
      current_password: password,
      new_password: next,
    });
    if (changed.status !== 204) {
      throw new Error(`Cannot change the password: ${changed.status} ${await changed.text()}`);
    }
  }
  return client;
}
