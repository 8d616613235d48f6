import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { CommitWatch, type CommitWatchOptions, flushRecordBytes } from "./commit_watch.ts";
import { testEngine } from "../dissectors/_testing.ts";
import { takeFlush } from "../dissectors/flush.ts";

/** A watch on a clock the test moves, recording what it says. */
function watch(options: Partial<CommitWatchOptions> = {}) {
  const clock = { now: 1_000_000 };
  const lines: string[] = [];
  const gaveUp: string[] = [];
  const w = new CommitWatch({
    location: "pglite (data/pglite)",
    holdMaxMs: 600_000,
    holdMaxBytes: 256 * 1048576,
    log: (line) => lines.push(line),
    onGiveUp: (message) => gaveUp.push(message),
    now: () => clock.now,
    ...options,
  });
  return { w, clock, lines, gaveUp };
}

const DISK_FULL = new Error("Cannot query the embedded database in data/pglite: no space left on device");
const RECORD = takeFlush(testEngine());

Deno.test("CommitWatch holds batches while commits fail, reminds every minute, and gives up after hold_max_s", () => {
  const { w, clock, lines, gaveUp } = watch();
  w.handedOver(RECORD);
  w.handedOver(RECORD);
  w.failed(DISK_FULL);
  strictEqual(w.status().state, "failing");
  strictEqual(w.status().held_batches, 2);
  deepStrictEqual(lines, [], "the bus reports the failure itself; no second line");

  clock.now += 60_000;
  w.check();
  strictEqual(lines.length, 1);
  match(lines[0], /^NOT STORING for 60 s: .*no space left on device; capturing on with 2 batches/);
  w.check();
  strictEqual(lines.length, 1, "at most one reminder a minute");

  clock.now += 539_999;
  w.check();
  deepStrictEqual(gaveUp, []);
  clock.now += 1;
  w.check();
  strictEqual(gaveUp.length, 1);
  match(
    gaveUp[0],
    /^Cannot store the observations in pglite \(data\/pglite\) for 10 min \(\[storage\] hold_max_s = 600\): .*no space left on device; stopping the capture/,
  );
  strictEqual(lines.at(-1), gaveUp[0], "and says it");
  strictEqual(w.status().state, "gave-up");
  w.check();
  strictEqual(gaveUp.length, 1, "once");
});

Deno.test("CommitWatch forgets a failure once a commit works again", () => {
  const { w, clock, gaveUp } = watch();
  w.handedOver(RECORD);
  w.failed(DISK_FULL);
  clock.now += 599_000;
  w.committed();
  deepStrictEqual(w.status(), {
    location: "pglite (data/pglite)",
    state: "storing",
    failing_since: null,
    error: null,
    held_batches: 0,
    held_mb: 0,
    hold_max_s: 600,
    hold_max_mb: 256,
  });
  w.handedOver(RECORD);
  w.failed(DISK_FULL);
  clock.now += 599_000;
  w.check();
  deepStrictEqual(gaveUp, [], "the time bound counts from the new failure");
});

Deno.test("CommitWatch gives up when the held batches pass hold_max_mb, only while failing", () => {
  const bytes = flushRecordBytes(RECORD);
  const { w, gaveUp } = watch({ holdMaxBytes: 2 * bytes });
  for (let i = 0; i < 5; i++) w.handedOver(RECORD);
  deepStrictEqual(gaveUp, [], "slow commits that work are not a failure");
  w.failed(DISK_FULL);
  strictEqual(gaveUp.length, 1);
  match(gaveUp[0], /with 5 batches \(0\.0 MiB\) held in memory, more than \[storage\] hold_max_mb = /);
});
