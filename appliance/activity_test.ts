import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { ApplianceActivity } from "./activity.ts";
import { testEngine } from "../dissectors/_testing.ts";
import { takeFlush } from "../dissectors/flush.ts";
import type { CaptureRecord } from "../model/capture_status.ts";
import type { CaptureStats } from "../capture/live/protocol.ts";

Deno.test("ApplianceActivity: rates between two samples, drops by kind, dissector health, imports under way", () => {
  const live: CaptureStats[] = [];
  const uploads = [{ status: "importing" }, { status: "done" }] as CaptureRecord[];
  let clock = 0;
  const activity = new ApplianceActivity({
    mode: "live",
    interfaces: () => live,
    uploads: () => uploads,
    now: () => clock,
  });
  activity.counted(100, 64_000);
  clock = 2000;
  activity.sample();
  const first = activity.status();
  deepStrictEqual(first.totals, { packets: 100, bytes: 64_000 });
  deepStrictEqual(first.rates, { packets_per_s: 50, bytes_per_s: 32_000 }, "over the 2 s between samples");
  deepStrictEqual([first.mode, first.demo], ["live", false]);
  deepStrictEqual(first.uploads, [uploads[0]], "only the imports under way");

  live.push({
    iface: "eth1",
    received: 50,
    kernelDropped: 3,
    interfaceDropped: 1,
    ringDropped: 2,
    batches: 4,
  });
  const record = takeFlush(testEngine());
  record.stats.observationsDropped = 5;
  record.stats.disabledDissectors = [{ name: record.dissectorNames[0], reason: "too many errors" }];
  record.stats.dissectorErrors[0] = 101;
  activity.flushed("live", 0, record);
  const second = activity.status();
  deepStrictEqual(second.drops, { kernel: 3, interface: 1, ring: 2, observations: 5, total: 11 });
  deepStrictEqual(second.interfaces, [
    { name: "eth1", received: 50, kernel_dropped: 3, interface_dropped: 1, ring_dropped: 2 },
  ]);
  strictEqual(second.totals.packets, 150, "what sources counted plus what the interfaces received");
  const disabled = second.plugins.find((plugin) => plugin.name === record.dissectorNames[0])!;
  deepStrictEqual(disabled, {
    name: record.dissectorNames[0],
    status: "disabled",
    errors: 101,
    malformed: 0,
    reason: "too many errors",
  });
  strictEqual(
    second.plugins.filter((plugin) => plugin.status === "ok").length,
    record.dissectorNames.length - 1,
  );
});
