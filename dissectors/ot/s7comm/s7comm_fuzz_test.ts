import { ok } from "node:assert/strict";
import { captureFrames, fuzzDissectors } from "../_testing.ts";
import { HAVE_SHARED_PCAPS, sharedCapture, SKIP_REASON } from "../../../tests/shared_pcaps.ts";
import { TSHARK_NOTE, TSHARK_SKIP, tsharkFields } from "../../../samples/_tshark.ts";
import { S7COMM_DISSECTORS } from "./mod.ts";
import { builtFrames } from "./_test_frames.ts";

/** COTP frames of the shared captures (numbers from tshark; at most `limit` per capture). */
async function realFrames(): Promise<Uint8Array[]> {
  if (!HAVE_SHARED_PCAPS || TSHARK_SKIP) return [];
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
    HAVE_SHARED_PCAPS ? TSHARK_NOTE : ` (real frames ${SKIP_REASON}; built frames only)`
  }`,
  async () => {
    const real = await realFrames();
    if (HAVE_SHARED_PCAPS && !TSHARK_SKIP) ok(real.length > 400, String(real.length));
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
