import { ok, strictEqual } from "node:assert/strict";
import { captureFrames, fuzzDissectors } from "../_testing.ts";
import { SHARED_PCAPS } from "../../../tests/shared_pcaps.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { whySkipped } from "../../../tests/requirements.ts";
import { sharedCapture } from "../../../tests/shared_pcaps.ts";
import { MODBUS_DISSECTORS } from "./mod.ts";
import { BUILT_FRAMES } from "./_test_frames.ts";

const CAPTURE = "modbus_tcp_test_data_part1.pcap";

/** Why the real frames are left out (no captures or no tshark, not under CI), or undefined. */
const REAL_SKIPPED = whySkipped(SHARED_PCAPS, TSHARK);

/** The Modbus/TCP frames of the shared capture (numbers from tshark), or none without it. */
async function realFrames(): Promise<Uint8Array[]> {
  if (REAL_SKIPPED !== undefined) return [];
  const numbers = (await tsharkFields(sharedCapture(CAPTURE), ["frame.number"], "mbtcp")).map((r) =>
    Number(r[0][0])
  );
  return await captureFrames(CAPTURE, numbers);
}

Deno.test(
  `modbus survives truncation and 100 000 seeded mutations${
    REAL_SKIPPED ? ` (real frames skipped: ${REAL_SKIPPED}; built frames only)` : ""
  }`,
  async () => {
    const real = await realFrames();
    if (REAL_SKIPPED === undefined) strictEqual(real.length, 45);
    const report = fuzzDissectors({
      dissectors: MODBUS_DISSECTORS,
      bases: [...real, ...BUILT_FRAMES],
      rounds: 100_000,
      seed: 502,
    });
    ok(report.malformedBy.modbus > 0, `modbus refused no mutation: ${JSON.stringify(report)}`);
    ok(report.truncated > 0, JSON.stringify(report));
    console.log(JSON.stringify(report));
  },
);
