import { ok } from "node:assert/strict";
import { SHARED_PCAPS } from "../../../tests/shared_pcaps.ts";
import { captureFrames, fuzzDissectors } from "../_testing.ts";
import { BACNET_DISSECTORS } from "./mod.ts";
import { bacnetEthernet, bacnetIp, bvll, confirmedRequest, iAm, npdu, objectId } from "./_test_frames.ts";

/** Real frames: BACnet/IP and BACnet/Ethernet requests, ACKs and errors of each service in the capture. */
async function realFrames(): Promise<Uint8Array[]> {
  if (SHARED_PCAPS.skip) return [];
  return [
    ...await captureFrames(
      "bacnet_stack_services_ip_and_ethernet.pcap",
      [1, 3, 4, 12, 13, 14, 35, 40, 53, 54, 60, 66, 76, 98, 102, 103, 111, 112],
    ),
    ...await captureFrames("qinq_8100x2_bacnet_whois.pcap", [1]),
  ];
}

function builtFrames(): Uint8Array[] {
  const wpm = [
    0x0c,
    ...objectId(1, 3),
    0x1e,
    0x09,
    0x55,
    0x2e,
    0x44,
    0x42,
    0x48,
    0,
    0,
    0x2f,
    0x39,
    0x08,
    0x1f,
  ];
  const rpm = [0x0c, ...objectId(8, 9), 0x1e, 0x09, 0x46, 0x09, 0x2c, 0x1f];
  return [
    bacnetIp(bvll(0x0a, npdu(confirmedRequest(20, [0x09, 0x00, 0x1c, 0x00, 0x61, 0x62, 0x63]), true))),
    bacnetIp(bvll(0x0a, npdu(confirmedRequest(16, wpm), true))),
    bacnetIp(bvll(0x0a, npdu(confirmedRequest(14, rpm), true))),
    bacnetIp(bvll(0x04, [192, 168, 5, 9, 0xba, 0xc0, 1, 0x08, 0x07, 0xd1, 2, 0x0a, 0x0b, ...iAm(1234, 5)])),
    bacnetIp(bvll(0x0a, [1, 0x80, 0x01, 0x00, 0x05, 0x00, 0x06])),
    bacnetEthernet(npdu([0x10, 0x08, 0x09, 0x3d, 0x19, 0x3d])),
  ];
}

Deno.test(
  `bacnet survives truncation and 100 000 seeded mutations, refusing some itself${
    SHARED_PCAPS.skip ? ` (real frames skipped: ${SHARED_PCAPS.missing})` : ""
  }`,
  async () => {
    const report = fuzzDissectors({
      dissectors: BACNET_DISSECTORS,
      bases: [...await realFrames(), ...builtFrames()],
      rounds: 100_000,
      seed: 47808,
    });
    ok(report.malformedBy.bacnet > 0, JSON.stringify(report));
    ok(report.truncated > 0, JSON.stringify(report));
  },
);
