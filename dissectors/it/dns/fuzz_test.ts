// Malformed input for the name-service dissectors: real DNS/mDNS/LLMNR/NBNS frames cut at every
// byte, and a seeded random-mutation loop. Nothing may throw, nothing may hang, and the damage
// must be counted (malformed or truncated).
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { openCaptureFile } from "../../../capture/file_source.ts";
import { PacketBatch } from "../../../capture/batch.ts";
import { FUZZ_ENGINE, testEngine } from "../../_testing.ts";
import type { DissectionEngine } from "../../engine.ts";
import { Rng } from "../../../samples/rng.ts";
import { NAME_DISSECTORS } from "./mod.ts";
import { frame, wireName } from "./_frames.ts";

const PORTS = [53, 137, 5353, 5355];
const CAPTURES = ["dns_mdns_llmnr_mix.pcap", "mdns_ipv4_ipv6.pcap", "nbns_llmnr_windows_host.pcap"];

/** Name-service frames of the shared captures, one per distinct payload size and port. */
async function nameFrames(): Promise<Uint8Array[]> {
  const probe = testEngine(NAME_DISSECTORS);
  const frames: Uint8Array[] = [];
  const seen = new Set<string>();
  const batch = new PacketBatch(1024);
  for (const name of CAPTURES) {
    const source = await openCaptureFile(sharedCapture(name));
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        const bytes = batch.bytes.slice(batch.offset[i], batch.offset[i] + batch.caplen[i]);
        const packet = probe.dissectFrame(bytes);
        const port = PORTS.find((candidate) => packet.srcPort === candidate || packet.dstPort === candidate);
        const key = `${port}/${packet.payloadLength}`;
        if (port !== undefined && !seen.has(key)) {
          seen.add(key);
          frames.push(bytes);
        }
      }
    }
    source.close();
  }
  return frames;
}

/** A TCP DNS frame and an NBNS registration, built by hand (the captures have neither). */
function builtFrames(): Uint8Array[] {
  const response = "1234 8180 0001 0001 0000 0000" + wireName("host.example") + "0001 0001" +
    "c00c 0001 0001 0000003c 0004 0a000009";
  const length = (response.replaceAll(" ", "").length / 2).toString(16).padStart(4, "0");
  const label = "20" + "46".repeat(1) + "41".repeat(1) + "4341".repeat(14) + "4141" + "00"; // "P" + spaces, <00>
  const registration = "8001 2910 0001 0000 0000 0001" + label +
    "0020 0001 c00c 0020 0001 000493e0 0006 0000 0a000001";
  return [
    frame(length + response, { tcp: true }),
    frame(registration, { srcPort: 137, dstPort: 137 }),
  ];
}

function assertNoThrow(engine: DissectionEngine): void {
  deepStrictEqual(engine.stats.disabledDissectors, []);
  deepStrictEqual(
    engine.stats.dissectorErrors.filter((count) => count > 0),
    [],
    engine.stats.problems.join("\n"),
  );
}

Deno.test({
  name: `name services: frames cut at every byte never throw${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const frames = [...await nameFrames(), ...builtFrames()];
    ok(frames.length > 10);
    const engine = testEngine(NAME_DISSECTORS, FUZZ_ENGINE);
    let cuts = 0;
    for (const whole of frames) {
      for (let length = 0; length < whole.length; length++) {
        const cut = whole.subarray(0, length);
        engine.dissectFrame(cut, { wirelen: whole.length }); // the capture was cut (snapshot length)
        engine.dissectFrame(cut); // the frame itself is short
        cuts += 2;
      }
    }
    strictEqual(engine.stats.packets, cuts);
    assertNoThrow(engine);
    ok(engine.stats.malformed > 0 && engine.stats.truncated > 0, "cuts should be counted");
  },
});

/** One to four damages to the payload: bit flips, 0x00/0xff/0xc0 bytes, pointer-like pairs, a cut. */
function mutate(rng: Rng, whole: Uint8Array): Uint8Array {
  const copy = whole.slice();
  const from = Math.min(42, copy.length - 1);
  const damages = rng.int(1, 4);
  for (let d = 0; d < damages; d++) {
    const at = rng.int(from, copy.length - 1);
    switch (rng.int(0, 4)) {
      case 0:
        copy[at] ^= 1 << rng.int(0, 7);
        break;
      case 1:
        copy[at] = [0x00, 0xff, 0xc0, 0x3f, 0x40][rng.int(0, 4)];
        break;
      case 2:
        copy[at] = 0xc0 | rng.int(0, 3);
        if (at + 1 < copy.length) copy[at + 1] = rng.int(0, 255);
        break;
      case 3:
        copy[at] = rng.int(0, 255);
        break;
      default:
        return copy.subarray(0, at);
    }
  }
  return copy;
}

Deno.test({
  name: `name services: 10 000 seeded mutations never throw nor hang${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const frames = [...await nameFrames(), ...builtFrames()];
    const rng = new Rng(Number(Deno.env.get("NETSENTINEL_FUZZ_SEED") ?? 5353));
    const rounds = Number(Deno.env.get("NETSENTINEL_FUZZ_ROUNDS") ?? 10_000);
    const engine = testEngine(NAME_DISSECTORS, FUZZ_ENGINE);
    for (let round = 0; round < rounds; round++) {
      engine.dissectFrame(mutate(rng, frames[rng.int(0, frames.length - 1)]));
    }
    strictEqual(engine.stats.packets, rounds);
    assertNoThrow(engine);
    ok(engine.stats.malformed > 0, "the mutations should produce malformed frames");
    for (const dissector of NAME_DISSECTORS) {
      const index = engine.registry.dissectors.indexOf(dissector);
      ok(engine.stats.dissectorMalformed[index] > 0, `${dissector.name} should see malformed messages`);
    }
    engine.flush();
  },
});
