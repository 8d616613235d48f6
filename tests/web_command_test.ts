import { ok, strictEqual } from "node:assert/strict";
import postgres from "postgres";
import { DRIVERS, TEST_DATABASE_URL } from "../storage/_testing.ts";

const server = DRIVERS.find((driver) => driver.name === "postgres")!;

/** Reads stderr lines until one matches, with a deadline. */
async function lineMatching(reader: ReadableStreamDefaultReader<string>, pattern: RegExp, seen: string[]) {
  const deadline = Date.now() + 30_000;
  let buffer = "";
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    seen.push(...lines);
    const hit = lines.find((line) => pattern.test(line));
    if (hit) return hit;
  }
  throw new Error(`No line matching ${pattern} in:\n${seen.join("\n")}`);
}

Deno.test({
  name: `netsentinel web: serves the API over DATABASE_URL until SIGTERM [postgres]${
    server.skip ? ` (${server.skip})` : ""
  }`,
  ignore: server.skip !== null,
  async fn() {
    const name = `ns_test_${Math.floor(Date.now() / 1000)}_${
      crypto.randomUUID().replaceAll("-", "").slice(0, 12)
    }`;
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../main.ts", import.meta.url).pathname,
          "web",
          "--listen",
          "127.0.0.1:0",
        ],
        env: { DATABASE_URL: url.toString(), NETSENTINEL_CONFIG: "" },
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
      const seen: string[] = [];
      // A child that hangs silently would block a read forever: the deadline kills it (the read then ends).
      const deadline = setTimeout(() => child.kill("SIGKILL"), 60_000);
      try {
        ok(/one-time password \S{20} /.test(await lineMatching(reader, /first start/, seen)));
        const listening = await lineMatching(reader, /web UI at /, seen);
        const base = /web UI at (\S+)/.exec(listening)![1] + "/api/v1";
        const health = await (await fetch(`${base}/health`)).json();
        strictEqual(health.status, "ok");
        strictEqual((await fetch(`${base}/devices`)).status, 401);
      } finally {
        clearTimeout(deadline);
        try {
          child.kill("SIGTERM");
        } catch {
          // Already gone (killed at the deadline): the status below says so.
        }
        strictEqual((await child.status).code, 0, seen.join("\n"));
        await reader.cancel();
      }
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    }
  },
});
