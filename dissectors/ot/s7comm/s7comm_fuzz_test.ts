import { ok } from "node:assert/strict";
import { captureFrames, fuzzDissectors } from "../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { whySkipped } from "../../../tests/requirements.ts";
import { S7COMM_DISSECTORS } from "./mod.ts";
import { builtFrames } from "./_test_frames.ts";

/** Why the real frames are left out (no captures or no tshark, not under CI), or undefined. */
const REAL_SKIPPED = whySkipped(SHARED_PCAPS, TSHARK);

/** COTP frames of the shared captures (numbers from tshark; at most `limit` per capture). */
async function realFrames(): Promise<Uint8Array[]> {
  if (REAL_SKIPPED !== undefined) return [];
  const frames: Uint8Array[] = [];
  for (
    const [name, limit] of [
      ["s7comm_reading_plc_status.pcap", 240],
      ["s7comm_step7_s300_read_diag.pcap", 60],
      ["s7commplus_s7-1200_upload_ob1.pcap", 150],
      ["mms_iec61850_client_session.pcap", 20],
    ] as const
  ) {
    const rows = await tsharkFields(sharedCapture(name), ["frame.number"], "cotp");
    frames.push(...await captureFrames(name, rows.slice(0, limit).map((r) => Number(r[0][0]))));
  }
  return frames;
}

Deno.test(
  `s7comm survives truncation and 100 000 seeded mutations${
    REAL_SKIPPED ? ` (real frames skipped: ${REAL_SKIPPED}; built frames only)` : ""
  }`,
  async () => {
    const real = await realFrames();
    if (REAL_SKIPPED === undefined) ok(real.length > 400, String(real.length));
    const report = fuzzDissectors({
      dissectors: S7COMM_DISSECTORS,
      bases: [...real, ...builtFrames()],
      rounds: 100_000,
      seed: 102,
    });
    ok(report.malformedBy.s7comm > 0, `s7comm refused no mutation: ${JSON.stringify(report)}`);
    ok(report.truncated > 0, JSON.stringify(report));
    console.log(JSON.stringify(report));
  },
);
