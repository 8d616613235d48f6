/**
 * `netsentinel status` on status files that are not what they should be: not JSON, `{}`, `null`,
 * stale, from a stopped appliance, from one that cannot store its observations. One line on
 * stderr each, and an exit status a script can test (0 running, 1 unreadable, 3 not running,
 * 4 not storing).
 *
 * @module
 */

import { match, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./run_cli.ts";

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  strictEqual(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  strictEqual(stderr.includes("    at "), false, "no stack trace");
  return lines[0];
}

/** A status document as the appliance writes it, with `changes` applied. */
function status(changes: Record<string, unknown>): string {
  return JSON.stringify({
    pid: 4242,
    started_at: "2024-01-01T00:00:00.000Z",
    updated_at: new Date().toISOString(),
    mode: "live",
    // Rewritten every hour: "now" stays fresh however slow the machine is.
    interval_s: 3600,
    capture: [{
      iface: "eth1",
      received: 10,
      kernelDropped: 0,
      interfaceDropped: 0,
      ringDropped: 0,
      batches: 1,
    }],
    flows: 3,
    engine: {
      "worker-0": { packets: 10, malformed: 0, truncated: 0, dissector_errors: {}, disabled_dissectors: [] },
    },
    ...changes,
  });
}

async function statusOf(text: string, ...args: string[]) {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "status.json");
  await Deno.writeTextFile(path, text);
  const run = await runCli(["status", ...args], { NETSENTINEL_STATUS_FILE: path });
  await Deno.remove(dir, { recursive: true });
  return { ...run, path };
}

Deno.test("status: a file that is not a NetSentinel status file is one line and status 1", async (t) => {
  const cases: [string, string][] = [
    ["{}", "pid: Required"],
    ["null", "Expected object, received null"],
    ["[]", "Expected object, received array"],
    ["not json", "not valid JSON"],
    [status({ updated_at: "yesterday" }), "updated_at: must be an ISO 8601 time"],
  ];
  for (const [text, reason] of cases) {
    await t.step(text.slice(0, 20), async () => {
      const run = await statusOf(text);
      strictEqual(run.code, 1);
      strictEqual(run.stdout, "");
      strictEqual(
        oneLine(run.stderr),
        `netsentinel: Cannot read the status file ${run.path}: it is not a NetSentinel status file (${reason})`,
      );
    });
  }
});

Deno.test("status: a fresh status prints the counters with status 0", async () => {
  const run = await statusOf(status({}));
  strictEqual(run.code, 0, run.stderr);
  strictEqual(run.stderr, "");
  match(run.stdout, /^NetSentinel \(pid 4242, live\) since 2024-01-01T00:00:00.000Z; updated \d+ s ago\n/);
  match(run.stdout, /eth1 +10 +0 +0 +0 +1/);
});

Deno.test("status: a stale or stopped appliance says how old and that it is not running, status 3", async () => {
  const stale = await statusOf(status({ updated_at: "2024-01-01T00:10:00.000Z", interval_s: 5 }));
  strictEqual(stale.code, 3);
  match(
    oneLine(stale.stderr),
    /^netsentinel: the status in .* was last rewritten [\d.]+ days ago \(2024-01-01T00:10:00.000Z\), expected every 5 s: the appliance \(pid 4242\) is not running, or is stuck$/,
  );
  match(stale.stdout, /updated [\d.]+ days ago/, "the last counters are still shown");

  const old = await statusOf(status({ updated_at: "2024-01-01T00:10:00.000Z", interval_s: undefined }));
  strictEqual(old.code, 3, "without interval_s, the configured [status] interval_s");
  match(oneLine(old.stderr), /expected every 5 s/);

  const stopped = await statusOf(status({ mode: "stopped" }), "--json");
  strictEqual(stopped.code, 3);
  match(
    oneLine(stopped.stderr),
    /^netsentinel: the appliance \(pid 4242\) stopped at .* ago\): it is not running$/,
  );
  strictEqual(JSON.parse(stopped.stdout).mode, "stopped", "--json prints the document");
});

Deno.test("status: an appliance that cannot store its observations says so, status 4", async () => {
  const run = await statusOf(status({
    storage: {
      location: "pglite (/var/lib/netsentinel/pglite)",
      state: "failing",
      failing_since: new Date().toISOString(),
      error: "Cannot query the embedded database in /var/lib/netsentinel/pglite: no space left on device",
      held_batches: 3,
      held_mb: 1.5,
      hold_max_s: 3600,
      hold_max_mb: 256,
    },
  }));
  strictEqual(run.code, 4);
  match(
    oneLine(run.stderr),
    /^netsentinel: NOT STORING observations in pglite \(\/var\/lib\/netsentinel\/pglite\) for \d+ s: .*no space left on device; 3 batches \(1\.5 MiB\) held in memory; the capture stops after 60 min or 256 MiB$/,
  );
  match(run.stdout, /storage: pglite \(\/var\/lib\/netsentinel\/pglite\): failing, 3 batches held in memory/);
});
