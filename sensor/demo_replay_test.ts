import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { replayDemo } from "./demo_replay.ts";
import { PLANT_GROUND_TRUTH, writePlantSample } from "../samples/plant.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { waitFor } from "../tests/wait.ts";

Deno.test("replayDemo() replays the sample at the clock's time, looping, shifted by its duration", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-demo-" });
  try {
    const path = join(dir, "plant.pcap");
    await writePlantSample(path);
    const total = PLANT_GROUND_TRUTH.frames.total;
    const start = Date.parse("2030-01-01T00:00:00Z");
    let clock = start;
    const records: FlushRecord[] = [];
    let frames = 0;
    let running: [number, number] | undefined;
    const stop = new AbortController();
    const replay = replayDemo({
      path,
      signal: stop.signal,
      flushIntervalMs: 3_600_000,
      now: () => clock,
      onFlush: (record) => records.push(record),
      onBatch: (packets) => frames += packets,
      onRunning: (count, seconds) => running = [count, seconds],
    });
    await waitFor(() => running !== undefined, 30_000, "the replay to run");
    strictEqual(running![0], total);
    const period = running![1] * 1000;
    ok(period >= 599_000 && period <= 600_000, `the sample lasts ten minutes (${period} ms)`);
    // Nothing is due before its time.
    await new Promise((resolve) => setTimeout(resolve, 300));
    ok(frames < total / 10, `only the first frames are due at the start (${frames})`);
    // The first loop, then 1.5 s of the second, fall due.
    clock = start + period + 1_500;
    await waitFor(() => frames > total, 30_000, "the second loop to begin", 20);
    stop.abort();
    const result = await replay;
    strictEqual(result.loops, 1);
    strictEqual(result.frames, frames);
    const firstUs = Math.min(...records.map((r) => r.stats.firstUs));
    const lastUs = Math.max(...records.map((r) => r.stats.lastUs));
    ok(firstUs >= start * 1000 && firstUs < (start + 1000) * 1000, "timestamps start at the clock's time");
    ok(lastUs > (start + period) * 1000, "the second loop is shifted by the capture's duration");
    ok(lastUs <= (start + period + 1_500) * 1000, "nothing is replayed before its time");
    strictEqual(records.reduce((sum, r) => sum + r.stats.packets, 0), frames, "every frame dissected");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
