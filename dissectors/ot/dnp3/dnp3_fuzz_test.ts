import { ok, strictEqual } from "node:assert/strict";
import { captureFrames, fuzzDissectors, otEngine } from "../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { whySkipped } from "../../../tests/requirements.ts";
import { Rng } from "../../../samples/rng.ts";
import { DNP3_DISSECTORS, dnpCrc } from "./mod.ts";
import { BUILT_FRAMES } from "./_test_frames.ts";

const CAPTURE = "dnp3_tcp_test_data_part1.pcap";

/** Why the real frames are left out (no captures or no tshark, not under CI), or undefined. */
const REAL_SKIPPED = whySkipped(SHARED_PCAPS, TSHARK);

/** The DNP3 frames of the shared capture (numbers from tshark), or none without it. */
async function realFrames(): Promise<Uint8Array[]> {
  if (REAL_SKIPPED !== undefined) return [];
  const numbers = (await tsharkFields(sharedCapture(CAPTURE), ["frame.number"], "dnp3")).map((r) =>
    Number(r[0][0])
  );
  return await captureFrames(CAPTURE, numbers);
}

const NOTE = REAL_SKIPPED ? ` (real frames skipped: ${REAL_SKIPPED}; built frames only)` : "";

Deno.test(`dnp3 survives truncation and 100 000 seeded mutations${NOTE}`, async () => {
  const real = await realFrames();
  if (REAL_SKIPPED === undefined) strictEqual(real.length, 93);
  const report = fuzzDissectors({
    dissectors: DNP3_DISSECTORS,
    bases: [...real, ...BUILT_FRAMES],
    rounds: 100_000,
    seed: 20000,
  });
  ok(report.malformedBy.dnp3 > 0, `dnp3 refused no mutation: ${JSON.stringify(report)}`);
  ok(report.truncated > 0, JSON.stringify(report));
  console.log(JSON.stringify(report));
});

/** Recomputes the header and block CRCs of the link frame at `at` in place (as far as the bytes go). */
function repairCrcs(bytes: Uint8Array, at: number): void {
  if (bytes.length - at < 10) return;
  const header = dnpCrc(bytes, at, 8);
  bytes[at + 8] = header & 0xff;
  bytes[at + 9] = header >> 8;
  const user = bytes[at + 2] - 5;
  for (let from = at + 10, left = user; left > 0; from += 18, left -= 16) {
    const n = Math.min(16, left);
    if (from + n + 2 > bytes.length) return;
    const crc = dnpCrc(bytes, from, n);
    bytes[from + n] = crc & 0xff;
    bytes[from + n + 1] = crc >> 8;
  }
}

Deno.test(`dnp3 survives 30 000 mutations of the user data with the CRCs repaired${NOTE}`, async () => {
  // The plain fuzzer mostly hits CRC checks; repairing them reaches the transport and application layers.
  const bases = [...await realFrames(), ...BUILT_FRAMES];
  const engine = otEngine(DNP3_DISSECTORS);
  const payloadAt = bases.map((base) => engine.dissectFrame(base).payloadOffset);
  const rng = new Rng(1815);
  let events = 0;
  for (let round = 0; round < 30_000; round++) {
    const b = rng.int(0, bases.length - 1);
    const mutated = bases[b].slice();
    const at = payloadAt[b];
    const edits = rng.int(1, 4);
    for (let e = 0; e < edits; e++) {
      // Link control and addresses, transport and application headers, first object header, anywhere.
      const index = rng.chance(0.8)
        ? rng.pick([3, 4, 6, 10, 11, 12, 13, 14, 15, 16, 17])
        : rng.int(3, mutated.length - at - 1);
      if (at + index < mutated.length) {
        mutated[at + index] = rng.chance(0.3) ? rng.pick([0, 0x40, 0x80, 0xc0, 0xff]) : rng.int(0, 255);
      }
    }
    repairCrcs(mutated, at);
    engine.dissectFrame(mutated);
    if (round % 1000 === 999) {
      const count = engine.flush().events.length;
      ok(count < 2_000, `${count} events between two flushes`);
      events += count;
    }
  }
  const index = engine.registry.dissectors.findIndex((d) => d.name === "dnp3");
  strictEqual(engine.stats.dissectorErrors.reduce((a, n) => a + n, 0), 0, String(engine.stats.problems));
  ok(engine.stats.dissectorMalformed[index] > 0, "no mutation refused by the application layer checks");
  console.log(JSON.stringify({ rounds: 30_000, events, malformed: engine.stats.dissectorMalformed[index] }));
  ok(events > 1000, `only ${events} events: the mutations did not reach the application layer`);
});
