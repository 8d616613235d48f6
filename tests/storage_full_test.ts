/**
 * `netsentinel start` when its disk fills up, on a real full file system: the embedded PGlite
 * database lives on a 64 MiB tmpfs, the appliance captures live traffic in a network namespace,
 * and the test fills the tmpfs while it runs.
 *
 * - The appliance keeps capturing; the failure is one line with its real cause (no space left on
 *   device, the data folder), said once, not twice, never `[object Object]`; `status` reports it
 *   (status 4) with the batches held in memory. Once space is freed the held batches are
 *   committed, and after SIGTERM the database equals the report: nothing lost, nothing twice.
 * - With `[storage] hold_max_mb = 0` (stop at the first failure) the appliance stops by itself
 *   with one line, prints its report and exits with status 1, saying how many batches were not
 *   stored.
 *
 * @module
 */

import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { MAIN, runCli } from "./run_cli.ts";
import { NETNS, Netns } from "./netns.ts";
import { TMPFS, Tmpfs } from "./tmpfs.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { notes, whySkipped } from "./requirements.ts";
import { PgliteDatabase } from "../storage/pglite.ts";
import { readTotals } from "../storage/totals.ts";
import { comparable } from "../storage/_compare.ts";

const SKIP = whySkipped(TMPFS, NETNS, SHARED_PCAPS);
const NOTE = notes(TMPFS, NETNS, SHARED_PCAPS);
const CAPTURE = "modbus_tcp_test_data_part1.pcap";
/** Starting PGlite on a busy 2-core machine takes up to a minute. */
const START_DEADLINE_MS = 180_000;
const DEADLINE_MS = 60_000;

/** Collects a child's stderr and waits for lines in it. */
class Stderr {
  text = "";
  #changed: () => void = () => {};
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (
        const chunk of stream.pipeThrough(new TextDecoderStream() as TransformStream<Uint8Array, string>)
      ) {
        this.text += chunk;
        this.#changed();
      }
      this.#changed();
    })();
  }

  /** Resolves with the first line matching `pattern`; rejects after `ms`. */
  async line(pattern: RegExp, ms = DEADLINE_MS): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.text.split("\n").find((line) => pattern.test(line));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No line matching ${pattern} on stderr within ${ms} ms:\n${this.text}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#changed = resolve),
        new Promise<void>((resolve) => timer = setTimeout(resolve, left)),
        this.done,
      ]);
      clearTimeout(timer);
    }
  }
}

interface StatusView {
  flows: number;
  mode: string;
  storage?: { state: string; held_batches: number; error: string | null };
}

/** Polls the status file until `ready` accepts it; fails after `ms`. */
async function statusWhen(path: string, ready: (status: StatusView) => boolean, ms = DEADLINE_MS) {
  const deadline = Date.now() + ms;
  let last = "(no status file)";
  while (Date.now() < deadline) {
    try {
      last = await Deno.readTextFile(path);
      const status = JSON.parse(last) as StatusView;
      if (ready(status)) return status;
    } catch {
      // Not written yet (or being replaced): read it again.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The status file never reached the expected state within ${ms} ms; last:\n${last}`);
}

/** `start --iface` in the namespace, with `config`; stderr is watched, stdout collected. */
function startAppliance(ns: Netns, config: string) {
  const child = new Deno.Command("ip", {
    args: [
      ...ns.prefix.slice(1),
      Deno.execPath(),
      "run",
      "-A",
      "--unstable-worker-options",
      MAIN,
      "start",
      "--iface",
      ns.captureIface,
      "--json",
      "--config",
      config,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const stderr = new Stderr(child.stderr);
  return { child, stdout, stderr };
}

function configText(dataDir: string, statusFile: string, extra = ""): string {
  return `[storage]
data_dir = "${dataDir}"
${extra}
[status]
file = "${statusFile}"
interval_s = 0.5
[aggregator]
flush_interval_s = 0.5
[bus]
retry_max_ms = 200
`;
}

async function totalsIn(dataDir: string) {
  const db = await PgliteDatabase.open(dataDir);
  try {
    return comparable(await readTotals(db));
  } finally {
    await db.close();
  }
}

/** The exit status of `child`; kills it and fails when it has not exited within `ms`. */
async function exitWithin(child: Deno.ChildProcess, ms: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), ms));
  const ended = await Promise.race([child.status, late]);
  clearTimeout(timer);
  if (ended === "late") {
    child.kill("SIGKILL");
    throw new Error(`The appliance did not stop by itself within ${ms} ms`);
  }
  return ended.code;
}

function noTrace(stderr: string): void {
  strictEqual(stderr.includes("    at "), false, `no stack trace:\n${stderr}`);
  strictEqual(stderr.includes("[object Object]"), false, `no [object Object]:\n${stderr}`);
}

Deno.test({
  name:
    `start on a full disk: keeps capturing, says so once, stores everything once space is freed; stops past its bound${NOTE}`,
  ignore: SKIP !== undefined,
  sanitizeResources: false,
  async fn(t) {
    await using disk = await Tmpfs.mount(64 * 1024);
    await using ns = await Netns.create();
    const work = await Deno.makeTempDir();
    const dataDir = join(disk.dir, "pglite");
    const statusFile = join(work, "status.json");
    try {
      await t.step("held while the disk is full, committed once space is freed", async () => {
        const config = join(work, "netsentinel.toml");
        await Deno.writeTextFile(config, configText(dataDir, statusFile));
        const app = startAppliance(ns, config);
        try {
          // The status file appears once the database is migrated and the capture runs.
          await statusWhen(statusFile, (status) => status.mode === "live", START_DEADLINE_MS);
          const filler = await disk.fill();
          const replay = await ns.replay([sharedCapture(CAPTURE)], { pps: 2000 });
          const failure = await app.stderr.line(/no space left on device/);
          match(
            failure,
            new RegExp(
              `^netsentinel: Cannot handle observation batch .*: Cannot query the embedded database in ${dataDir}: ` +
                "no space left on device \\(could not extend file .*\\); retrying every 0.2 s at most$",
            ),
          );
          const failing = await statusWhen(
            statusFile,
            (status) => status.storage?.state === "failing" && status.flows > 0,
          );
          strictEqual(failing.storage!.held_batches > 0, true);
          const status = await runCli(["status"], { NETSENTINEL_STATUS_FILE: statusFile });
          strictEqual(status.code, 4, status.stderr);
          match(
            status.stderr,
            /^netsentinel: NOT STORING observations in pglite .*no space left on device.*; \d+ batches/,
          );

          await Deno.remove(filler);
          await app.stderr.line(/observation batches are handled again/);
          await statusWhen(statusFile, (s) => s.storage?.state === "storing" && s.storage.held_batches === 0);
          app.child.kill("SIGTERM");
          const code = await exitWithin(app.child, DEADLINE_MS);
          await app.stderr.done;
          strictEqual(code, 0, app.stderr.text);
          noTrace(app.stderr.text);
          strictEqual(
            app.stderr.text.match(/no space left on device/g)?.length,
            1,
            `the failure is said once:\n${app.stderr.text}`,
          );
          const report = JSON.parse(await app.stdout);
          strictEqual(report.summary.packets, replay.sent, "every frame was captured");
          const stored = await totalsIn(dataDir);
          const expected = comparable(report);
          deepStrictEqual(stored.summary.packets, expected.summary.packets, "packets");
          deepStrictEqual(stored.devices, expected.devices, "devices");
          deepStrictEqual(stored.flows, expected.flows, "flows");
        } finally {
          try {
            app.child.kill("SIGKILL");
          } catch {
            // Already exited.
          }
          await app.child.status;
        }
      });

      await t.step("past [storage] hold_max_mb, the appliance stops with one line and status 1", async () => {
        const config = join(work, "bounded.toml");
        await Deno.writeTextFile(config, configText(dataDir, statusFile, "hold_max_mb = 0"));
        await Deno.remove(statusFile);
        const before = await totalsIn(dataDir);
        const app = startAppliance(ns, config);
        try {
          await statusWhen(statusFile, (status) => status.mode === "live", START_DEADLINE_MS);
          const replay = await ns.replay([sharedCapture(CAPTURE)], { pps: 2000 });
          // Once the traffic's batch is committed (nothing held), the disk fills.
          await statusWhen(statusFile, (s) => s.flows > 0 && s.storage?.held_batches === 0);
          const filler = await disk.fill();
          const code = await exitWithin(app.child, DEADLINE_MS);
          await app.stderr.done;
          strictEqual(code, 1, app.stderr.text);
          noTrace(app.stderr.text);
          match(
            await app.stderr.line(/^netsentinel: Cannot store the observations/),
            /^netsentinel: Cannot store the observations in pglite \(.*\) with \d+ batch(es)? \(.*\) held in memory, more than \[storage\] hold_max_mb = 0: .*no space left on device.*; stopping the capture/,
          );
          match(
            await app.stderr.line(/were not stored/),
            /^netsentinel: \d+ observation batches were not stored: Cannot query the embedded database in .*: no space left on device .*; the inventory printed above has them, the database does not$/,
          );
          const report = JSON.parse(await app.stdout);
          strictEqual(report.summary.packets, replay.sent, "the report still has every frame");
          await Deno.remove(filler);
          const stored = await totalsIn(dataDir);
          strictEqual(
            stored.summary.packets - before.summary.packets,
            replay.sent,
            "the traffic committed before the disk filled is in the database",
          );
          const last = JSON.parse(await Deno.readTextFile(statusFile));
          strictEqual(last.mode, "stopped");
          strictEqual(last.storage.state, "gave-up");
        } finally {
          try {
            app.child.kill("SIGKILL");
          } catch {
            // Already exited.
          }
          await app.child.status;
        }
      });
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
