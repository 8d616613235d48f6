import { ok, strictEqual } from "node:assert/strict";
import { captureFrames, fuzzDissectors } from "../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { whySkipped } from "../../../tests/requirements.ts";
import { IEC104_DISSECTORS } from "./mod.ts";
import { builtFrames } from "./_test_frames.ts";

const CAPTURE = "iec104_diverse.pcap";

/** Why the real frames are left out (no captures or no tshark, not under CI), or undefined. */
const REAL_SKIPPED = whySkipped(SHARED_PCAPS, TSHARK);

/** The IEC-104 frames of the shared capture (numbers from tshark), or none without it. */
async function realFrames(): Promise<Uint8Array[]> {
  if (REAL_SKIPPED !== undefined) return [];
  const rows = await tsharkFields(sharedCapture(CAPTURE), ["frame.number"], "iec60870_104");
  return await captureFrames(CAPTURE, rows.map((r) => Number(r[0][0])));
}

Deno.test(
  `iec104 survives truncation and 100 000 seeded mutations${
    REAL_SKIPPED ? ` (real frames skipped: ${REAL_SKIPPED}; built frames only)` : ""
  }`,
  async () => {
    const real = await realFrames();
    if (REAL_SKIPPED === undefined) strictEqual(real.length, 86);
    const report = fuzzDissectors({
      dissectors: IEC104_DISSECTORS,
      bases: [...real, ...builtFrames()],
      rounds: 100_000,
      seed: 2404,
    });
    ok(report.malformedBy.iec104 > 0, `iec104 refused no mutation: ${JSON.stringify(report)}`);
    ok(report.truncated > 0, JSON.stringify(report));
    console.log(JSON.stringify(report));
  },
);
