import { ok, strictEqual } from "node:assert/strict";
import { waitFor } from "./wait.ts";
import postgres from "postgres";
import { DRIVERS, TEST_DATABASE_URL } from "../storage/_testing.ts";
import { signIn } from "./_appliance.ts";

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
  name:
    `netsentinel web: serves the API over DATABASE_URL until SIGTERM, no capture beside it, the live feed from the database [postgres]${
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
    const dataDir = await Deno.makeTempDir({ prefix: "netsentinel-web-" });
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../main.ts", import.meta.url).pathname,
          "web",
          "--listen",
          "127.0.0.1:0",
          "--data-dir",
          dataDir,
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
        const password = /one-time password (\S{20}) /.exec(await lineMatching(reader, /first start/, seen))
          ?.[1];
        ok(password);
        const listening = await lineMatching(reader, /web UI at /, seen);
        const origin = /web UI at (\S+)/.exec(listening)![1];
        const base = `${origin}/api/v1`;
        const health = await (await fetch(`${base}/health`)).json();
        strictEqual(health.status, "ok");
        strictEqual(health.capture.status, "absent", "no appliance runs beside it");
        strictEqual((await fetch(`${base}/devices`)).status, 401);
        const user = await signIn(origin, "admin", password, "web-password-123");
        const status = await (await user.api("GET", "/capture/status")).json();
        strictEqual(status.mode, "absent");
        ok(status.detail.includes("status.json"), status.detail);
        const upload = await user.api(
          "POST",
          "/captures?name=x.pcap",
          new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]),
          {
            "content-type": "application/octet-stream",
          },
        );
        strictEqual(upload.status, 503);
        strictEqual((await upload.json()).error.code, "unavailable");

        // The live feed polls the database: a device another process stores is announced.
        const messages: { type: string; device?: { mac_address: string } }[] = [];
        const socket = new WebSocket(`${origin.replace("http", "ws")}/api/v1/ws/live`, {
          headers: { cookie: user.cookie, origin },
        } as unknown as string[]);
        socket.onmessage = (event) => messages.push(JSON.parse(event.data));
        try {
          await waitFor(() => messages.some((m) => m.type === "rates"), 30_000, "a rates message", 50);
          const writer = postgres(url.toString(), { max: 1, onnotice: () => {} });
          await writer.unsafe(
            "INSERT INTO devices (mac_address, oui_prefix) VALUES ('02:00:00:00:00:42', '02:00:00')",
          );
          await writer.end({ timeout: 5 });
          await waitFor(
            () => messages.some((m) => m.type === "device" && m.device?.mac_address === "02:00:00:00:00:42"),
            30_000,
            "the device message",
            50,
          );
        } finally {
          socket.close();
        }
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
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    }
  },
});
