/**
 * `netsentinel start` as a newcomer meets it: one line when there is nothing to capture, when the
 * sample file is missing or the interface does not exist (and no "capturing on" before it); and,
 * during a live capture, `status` counts the flows heard before the first flush.
 *
 * @module
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { NETNS, Netns } from "./netns.ts";
import { killTree } from "./_processes.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { notes, whySkipped } from "./requirements.ts";
import { signIn, startAppliance } from "./_appliance.ts";
import { waitFor } from "./wait.ts";

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const decoder = new TextDecoder();

/** The environment of a user with no configuration, database or Redis of their own. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1" };
  for (const name of ["HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

async function task(
  args: string[],
  env = cleanEnv(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: REPOSITORY,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

Deno.test("start with no interface and no configuration file serves the demo, moving, until SIGTERM", async (t) => {
  const dataDir = `data/.test-demo-${Deno.pid}`;
  // Flushes every second: the test sees the data move within seconds (the demo flushes every 5 s at most).
  const app = await startAppliance(["--data-dir", dataDir], { NETSENTINEL_AGGREGATOR_FLUSH_INTERVAL_S: "1" });
  let stopped = false;
  let closed: Promise<number> = Promise.resolve(0);
  try {
    match(
      app.lines[0],
      /^netsentinel: DEMO: no interface given and no configuration file: running the demo$/,
    );
    const admin = await signIn(app.base, "admin", app.password, "demo-password-123");

    await t.step("health and the capture status say it is the demo", async () => {
      const health = await (await fetch(`${app.base}/api/v1/health`)).json();
      strictEqual(health.status, "ok");
      deepStrictEqual([health.capture.mode, health.capture.demo], ["demo", true]);
      const status = await (await admin.api("GET", "/capture/status")).json();
      deepStrictEqual([status.mode, status.demo], ["demo", true]);
    });

    await t.step("the demo's data moves, with timestamps near now", async () => {
      const newest = async () => {
        const page = await (await admin.api("GET", "/devices?sort=-last_seen&page_size=1")).json();
        return page.items[0] as { last_seen: string } | undefined;
      };
      const flowTotal = async () =>
        (await (await admin.api("GET", "/flows?page_size=1")).json()).total as number;
      let first: { last_seen: string } | undefined;
      await waitFor(async () => (first = await newest()) !== undefined, 60_000, "a first device");
      const firstFlows = await flowTotal();
      const before = Date.parse(first!.last_seen);
      ok(Math.abs(Date.now() - before) < 120_000, `last seen ${first!.last_seen} is near now`);
      await waitFor(
        async () => Date.parse((await newest())!.last_seen) > before,
        60_000,
        "a later last_seen",
        200,
      );
      const later = Date.parse((await newest())!.last_seen);
      ok(later <= Date.now() + 5_000, "not in the future");
      ok((await flowTotal()) >= firstFlows, "flows only grow");
      const status = await (await admin.api("GET", "/capture/status")).json();
      ok(status.totals.packets > 0, JSON.stringify(status.totals));
      ok(status.plugins.length > 0, "the dissectors' health is listed once they flushed");
    });

    await t.step("the live feed sends the demo's rates, and stays open until the stop", async () => {
      const socket = new WebSocket(`${app.base.replace("http", "ws")}/api/v1/ws/live`, {
        headers: { cookie: admin.cookie, origin: app.base },
      } as unknown as string[]);
      const rates: { packets_per_s: number }[] = [];
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type === "rates") rates.push(message);
      };
      closed = new Promise((resolve) => {
        socket.addEventListener("close", (event) => resolve((event as CloseEvent).code), { once: true });
      });
      await waitFor(() => rates.some((r) => r.packets_per_s > 0), 60_000, "a rate above zero", 50);
    });

    await t.step("SIGTERM stops it cleanly: exit 0, what was heard committed, the feed closed", async () => {
      stopped = true;
      strictEqual(await app.stop(), 0, app.lines.join("\n"));
      const committed = app.lines.find((line) => /DEMO: \d+ batches committed to pglite/.test(line));
      ok(committed?.includes(`${dataDir}/demo/pglite`), app.lines.join("\n"));
      const status = JSON.parse(await Deno.readTextFile(`${REPOSITORY}/${dataDir}/status.json`));
      strictEqual(status.mode, "stopped");
      strictEqual(status.appliance.mode, "demo");
      strictEqual(await closed, 1001, "the server closed the feed (going away)");
    });
  } finally {
    if (!stopped) await app.stop();
    await Deno.remove(`${REPOSITORY}/${dataDir}`, { recursive: true }).catch(() => {});
  }
});

Deno.test("start with a configuration file that names no interface refuses in one line", async () => {
  const config = await Deno.makeTempFile({ suffix: ".toml" });
  try {
    const result = await task(["start", "--config", config]);
    strictEqual(result.code, 2);
    strictEqual(
      result.stderr,
      `netsentinel: Cannot start: no interface to capture in ${config}; add [[capture.interfaces]] name = "eth1" ` +
        "there (or give --iface IF), or try the bundled sample with: netsentinel start --demo\n",
    );
  } finally {
    await Deno.remove(config);
  }
});

Deno.test("start --pcap with a missing file: one line, exit 1, nothing opened", async () => {
  const result = await task(["start", "--pcap", "nope.pcap", "--data-dir", `data/.test-nope-${Deno.pid}`]);
  strictEqual(result.code, 1);
  strictEqual(result.stderr, 'netsentinel: Cannot open capture file "nope.pcap": no such file\n');
  strictEqual(result.stdout, "");
  const alias = await task(["start", "--sample", "nope.pcap", "--data-dir", `data/.test-nope-${Deno.pid}`]);
  strictEqual(alias.stderr, result.stderr, "--sample is --pcap");
  let created = true;
  await Deno.stat(`${REPOSITORY}/data/.test-nope-${Deno.pid}`).catch(() => created = false);
  strictEqual(created, false, "no database was created for it");
});

Deno.test("start --listen on the network without TLS refuses in one line before anything is opened", async () => {
  const dataDir = `data/.test-listen-${Deno.pid}`;
  const result = await task(["start", "--demo", "--listen", "0.0.0.0:8080", "--data-dir", dataDir]);
  strictEqual(result.code, 2);
  strictEqual(
    result.stderr,
    "netsentinel: Cannot listen on 0.0.0.0:8080 without TLS: set [web] tls_cert and tls_key, or pass " +
      "--insecure-http (passwords and session cookies would cross the network in clear)\n",
  );
  let created = true;
  await Deno.stat(`${REPOSITORY}/${dataDir}`).catch(() => created = false);
  strictEqual(created, false, "nothing was written");
});

Deno.test("start --iface with an unknown interface says so first, and nothing else", async () => {
  const result = await task(["start", "--iface", "eth9"]);
  strictEqual(result.code, 1);
  match(
    result.stderr,
    /^netsentinel: Cannot capture on "eth9": no such interface \(available: [^)]*\bany\)\n$/,
  );
  strictEqual(result.stdout, "");
});

Deno.test("start --data-dir outside what deno task may write: one line before anything is opened", async () => {
  const result = await task(["start", "--demo", "--data-dir", "/var/tmp/netsentinel-elsewhere"]);
  strictEqual(result.code, 2);
  strictEqual(
    result.stderr,
    "netsentinel: Cannot use the data folder /var/tmp/netsentinel-elsewhere: this process may not write " +
      "there (Deno permission --allow-write); with deno task, choose a folder under data/ (e.g. --data-dir " +
      "data/site-a)\n",
  );
});

const LIVE_SKIP = whySkipped(NETNS, SHARED_PCAPS);
const LIVE_NOTE = notes(NETNS, SHARED_PCAPS);

/** Polls `check` until it returns a value, or fails after `ms`. */
async function until<T>(what: () => string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what()}: not after ${ms} ms`);
}

Deno.test({
  name: `status counts a live capture's flows before the first flush${LIVE_NOTE}`,
  ignore: LIVE_SKIP !== undefined,
  async fn() {
    const capture = sharedCapture("modbus_tcp_test_data_part1.pcap");
    const offline = await task(["analyze", capture, "--json", "--no-metrics"]);
    strictEqual(offline.code, 0, offline.stderr);
    const flows = JSON.parse(offline.stdout).summary.flows as number;
    ok(flows > 0);

    // The embedded database, in a data folder of the test's own (PostgreSQL on 127.0.0.1 cannot be
    // reached from inside the network namespace).
    const dataDir = `data/.test-status-${Deno.pid}`;
    await using ns = await Netns.create();
    const env = cleanEnv({ NETSENTINEL_STATUS_INTERVAL_S: "0.5" });
    const start = new Deno.Command("ip", {
      args: ["netns", "exec", ns.name, Deno.execPath(), "task", "-q", "start", "--iface", ns.captureIface],
      cwd: REPOSITORY,
      clearEnv: true,
      env: { ...env, NETSENTINEL_DATA_DIR: dataDir },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const reading = (async () => {
      for await (const chunk of start.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
    })();
    try {
      await until(
        () => `capturing: ${stderr}`,
        240_000,
        () => Promise.resolve(stderr.includes("capturing on") || undefined),
      );
      const replay = await ns.replay([capture], { pps: 5000 });
      strictEqual(replay.sent, 118);
      // The default flush interval is a minute: these flows are all in the sensor still.
      const status = await until(() => `${flows} flows in the status: ${stderr}`, 60_000, async () => {
        const result = await task(["status", "--data-dir", dataDir, "--json"]);
        if (result.code !== 0) return undefined;
        const document = JSON.parse(result.stdout);
        const received = document.capture[0]?.received;
        return document.flows_since_flush === flows && received === 118 ? document : undefined;
      });
      strictEqual(status.mode, "live");
      const text = await task(["status", "--data-dir", dataDir]);
      match(
        text.stdout,
        new RegExp(`^flows: ${flows} in the current flush interval, 0 flushed since the start$`, "m"),
      );

      Deno.kill(start.pid, "SIGTERM");
      strictEqual((await start.status).code, 0, stderr);
      await reading;
      const stopped = JSON.parse(await Deno.readTextFile(`${REPOSITORY}/${dataDir}/status.json`));
      strictEqual(stopped.mode, "stopped");
      strictEqual(stopped.flows, flows, "every flow flushed at the stop");
    } finally {
      killTree(start.pid);
      await start.status;
      await Deno.remove(`${REPOSITORY}/${dataDir}`, { recursive: true }).catch(() => {});
    }
  },
});
