/**
 * Seeded mutation fuzzing of the built-in dissectors: frames of every shared capture, damaged
 * (bytes flipped, lengths forced to extremes, frames cut), must never make a built-in dissector
 * throw or the engine loop forever. The seed is fixed so a failure reproduces; set
 * NETSENTINEL_FUZZ_SEED and NETSENTINEL_FUZZ_ROUNDS to explore further.
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "./shared_pcaps.ts";
import { openCaptureFile } from "../capture/file_source.ts";
import { PacketBatch } from "../capture/batch.ts";
import { FUZZ_ENGINE, testEngine } from "../dissectors/_testing.ts";
import { Rng } from "../samples/rng.ts";

async function allFrames(): Promise<{ frame: Uint8Array; linkType: number }[]> {
  const frames: { frame: Uint8Array; linkType: number }[] = [];
  const batch = new PacketBatch(1024);
  for (const name of sharedCaptureFiles()) {
    const source = await openCaptureFile(sharedCapture(name));
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        const start = batch.offset[i];
        frames.push({
          frame: batch.bytes.slice(start, start + batch.caplen[i]),
          linkType: batch.linkType[i],
        });
      }
    }
    source.close();
  }
  return frames;
}

/** One random damage: flip bytes, force a byte to 0x00/0xff, or cut the frame. */
function mutate(rng: Rng, frame: Uint8Array): Uint8Array {
  const copy = frame.slice();
  const damages = rng.int(1, 4);
  for (let d = 0; d < damages && copy.length > 0; d++) {
    const at = rng.int(0, copy.length - 1);
    switch (rng.int(0, 3)) {
      case 0:
        copy[at] ^= 1 << rng.int(0, 7);
        break;
      case 1:
        copy[at] = 0xff;
        break;
      case 2:
        copy[at] = 0x00;
        break;
      default:
        return copy.subarray(0, at);
    }
  }
  return copy;
}

Deno.test({
  name: `built-in dissectors never throw on damaged real frames${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const frames = await allFrames();
    const rng = new Rng(Number(Deno.env.get("NETSENTINEL_FUZZ_SEED") ?? 2026));
    const rounds = Number(Deno.env.get("NETSENTINEL_FUZZ_ROUNDS") ?? 1_000_000);
    const engine = testEngine([], FUZZ_ENGINE);
    for (let round = 0; round < rounds; round++) {
      const { frame, linkType } = frames[rng.int(0, frames.length - 1)];
      engine.dissectFrame(mutate(rng, frame), { linkType });
    }
    strictEqual(engine.stats.packets, rounds);
    deepStrictEqual(engine.stats.disabledDissectors, []);
    deepStrictEqual(
      engine.stats.dissectorErrors.filter((count) => count > 0),
      [],
      engine.stats.problems.join("\n"),
    );
    strictEqual(engine.stats.malformed > 0, true, "the mutations should produce malformed frames");
  },
});
