/**
 * Cross-check of `analyze` against tshark: the (MAC, IP) pairs seen as sources, the VLAN ids
 * (outer and inner), every TCP/UDP flow's packet and byte counts, and the hosts of frames without
 * a MAC (raw IP, BSD loopback: devices keyed by IP) must be equal. On every public
 * capture in ../shared/pcaps, and on captures of the project's own generator (the sample plant and
 * a slice of the benchmark capture, thousands of flows).
 *
 * Differences by design, named here and handled in tshark_oracle.ts:
 * - `unspecified-source`: NetSentinel does not attribute 0.0.0.0 or :: to a device (a DHCP
 *   client or a duplicate-address probe has no address yet); tshark lists the pair.
 * - `no-reassembly`: tshark runs with IP defragmentation off, since NetSentinel accounts each
 *   fragment as its own frame and gives ports to the first fragment only.
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "./shared_pcaps.ts";
import { actualFrom, expectedFrom, inventoryOf, sorted } from "./tshark_oracle.ts";
import { notes } from "./requirements.ts";
import { TSHARK } from "./tshark_fields.ts";
import { writePlantSample } from "../samples/plant.ts";
import { writeBenchCapture } from "../samples/bench_capture.ts";

async function assertAgreesWithTshark(path: string): Promise<void> {
  const [expected, doc] = await Promise.all([expectedFrom(path), inventoryOf(path)]);
  const actual = actualFrom(doc);
  deepStrictEqual(actual.frames, expected.frames, "frames");
  deepStrictEqual(sorted(actual.sourcePairs), sorted(expected.sourcePairs), "source (MAC, IP) pairs");
  deepStrictEqual(sorted(actual.vlans), sorted(expected.vlans), "VLAN ids (outer/inner)");
  deepStrictEqual(
    Object.fromEntries(sorted(actual.flows.entries())),
    Object.fromEntries(sorted(expected.flows.entries())),
    "TCP/UDP flows with packet and byte counts",
  );
  deepStrictEqual(sorted(actual.ipDevices), sorted(expected.ipDevices), "devices keyed by IP (no MAC)");
}

Deno.test({
  name: `analyze agrees with tshark on every shared capture${notes(SHARED_PCAPS, TSHARK)}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn(t) {
    for (const name of sharedCaptureFiles()) {
      await t.step(name, () => assertAgreesWithTshark(sharedCapture(name)));
    }
  },
});

Deno.test(
  `analyze agrees with tshark on the generated captures${TSHARK.note}`,
  { ignore: TSHARK.skip },
  async (t) => {
    const dir = await Deno.makeTempDir();
    await t.step("sample plant", async () => {
      const path = `${dir}/plant.pcap`;
      await writePlantSample(path);
      await assertAgreesWithTshark(path);
    });
    for (const tinyFrames of [false, true]) {
      await t.step(`benchmark capture, 30 000 ${tinyFrames ? "64-byte" : "mixed"} frames`, async () => {
        const path = `${dir}/bench-${tinyFrames}.pcap`;
        await writeBenchCapture(path, { frames: 30_000, tinyFrames, seed: 7 });
        await assertAgreesWithTshark(path);
      });
    }
    await Deno.remove(dir, { recursive: true });
  },
);
