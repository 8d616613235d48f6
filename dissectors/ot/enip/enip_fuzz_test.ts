import { ok } from "node:assert/strict";
import { SHARED_PCAPS } from "../../../tests/shared_pcaps.ts";
import { captureFrames, frame, fuzzDissectors, toClient, toServer } from "../_testing.ts";
import { ENIP_DISSECTORS } from "./mod.ts";
import {
  bytesOf,
  cipRequest,
  forwardOpenData,
  le16,
  listIdentityReply,
  logical,
  sendRRData,
  sendUnitData,
  symbolic,
} from "./_test_frames.ts";

/** Real frames: ListIdentity request and reply, an I/O datagram, MSP request and reply, Get/Set Attribute List. */
async function realFrames(): Promise<Uint8Array[]> {
  if (SHARED_PCAPS.skip) return [];
  return [
    ...await captureFrames("enip_cip_io_listidentity_1756enbt.pcap", [371, 372, 377]),
    ...await captureFrames("enip_cip_controllogix_change_date.pcap", [10, 11, 109, 111, 138, 140]),
  ];
}

function builtFrames(): Uint8Array[] {
  const stop = cipRequest(0x07, logical(0x01, 1));
  const a = cipRequest(0x0e, logical(0x01, 1, 7));
  const b = cipRequest(0x4d, symbolic("Motor.Speed"), [0xc1, 0, 1, 0, 1]);
  const msp = cipRequest(0x0a, logical(0x02, 1), [...le16(2), ...le16(6), ...le16(6 + a.length), ...a, ...b]);
  const forwardOpen = cipRequest(
    0x54,
    logical(0x06, 1),
    forwardOpenData(5, [1, 0, 0x34, 4, 1, 0, 14, 0, 1, 0, 2, 3]),
  );
  return [
    frame(
      "tcp",
      toServer(44818),
      sendRRData(cipRequest(0x52, logical(0x06, 1), [10, 240, ...le16(4), ...stop, 1, 0, 1, 0])),
    ),
    frame("tcp", toServer(44818), sendUnitData(msp)),
    frame("tcp", toServer(44818), sendRRData(forwardOpen)),
    frame("tcp", toClient(44818), sendRRData(bytesOf(0x8a, 0, 0x1e, 0, le16(1), le16(4), 0x8e, 0, 0x14, 0))),
    frame("tcp", toServer(44818), sendRRData(cipRequest(0x01, logical(0x01, 1)))),
    frame(
      "tcp",
      toClient(44818),
      sendRRData(
        bytesOf(0x81, 0, 0, 0, le16(1), le16(14), le16(90), 20, 11, 0, 0, 1, 2, 3, 4, 3, 65, 66, 67),
      ),
    ),
    frame("udp", toClient(44818), listIdentityReply(1, 14, 54, 20, 11, 0x1234, "1756-L71/B LOGIX5571")),
  ];
}

Deno.test(
  `enip survives truncation and 100 000 seeded mutations, refusing some itself${
    SHARED_PCAPS.skip ? ` (real frames skipped: ${SHARED_PCAPS.missing})` : ""
  }`,
  async () => {
    const report = fuzzDissectors({
      dissectors: ENIP_DISSECTORS,
      bases: [...await realFrames(), ...builtFrames()],
      rounds: 100_000,
      seed: 44818,
    });
    ok(report.malformedBy.enip > 0, JSON.stringify(report));
    ok(report.truncated > 0, JSON.stringify(report));
  },
);
