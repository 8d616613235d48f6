import { ok, strictEqual } from "node:assert/strict";
import { PacketBatch } from "../../../capture/batch.ts";
import { openCaptureFile } from "../../../capture/file_source.ts";
import { PacketFlag } from "../../packet.ts";
import type { DissectionEngine } from "../../engine.ts";
import { Rng } from "../../../samples/rng.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { frame, toClient, toServer } from "./_test_frames.ts";
import { FUZZ_ENGINE, testEngine } from "../../_testing.ts";
import { HINT_DISSECTORS } from "./mod.ts";
import { alpnExtension, clientHello, sniExtension, versionsExtension } from "./_tls_frames.ts";

/** Frames `numbers` (1-based) of a shared capture. */
async function framesOf(name: string, numbers: number[]): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  const source = await openCaptureFile(sharedCapture(name));
  const batch = new PacketBatch(64);
  let n = 0;
  try {
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        if (numbers.includes(++n)) {
          frames.push(batch.bytes.slice(batch.offset[i], batch.offset[i] + batch.caplen[i]));
        }
      }
    }
  } finally {
    source.close();
  }
  return frames;
}

/** The ClientHello of the Chrome capture (frame 4), the HTTP request (4) and response head (6). */
async function realFrames(): Promise<Uint8Array[]> {
  if (SHARED_PCAPS.skip) return [];
  return [
    ...await framesOf("tls_clienthello_sni_chrome.pcap", [4]),
    ...await framesOf("http_get.pcap", [4, 6]),
  ];
}

const HELLO = clientHello(0x0303, [
  versionsExtension([0x0304, 0x0303]),
  sniExtension("fuzz.example"),
  alpnExtension(["h2", "http/1.1"]),
]);
const BUILT = [
  frame("tcp", toServer(443), HELLO),
  frame("tcp", toServer(8080), "GET /a?b HTTP/1.1\r\nHost: x.example\r\nUser-Agent: t/1\r\n\r\n"),
  frame("tcp", toClient(8080), "HTTP/1.0 404 Not Found\r\nServer: s/2\r\n\r\n"),
  frame(
    "udp",
    toClient(1900),
    "NOTIFY * HTTP/1.1\r\nNT: urn:schemas-upnp-org:device:Printer:1\r\nSERVER: a\r\n\r\n",
  ),
];

function assertNoThrow(engine: DissectionEngine, where: string): void {
  strictEqual(
    engine.stats.dissectorErrors.reduce((a, b) => a + b, 0),
    0,
    `${where}: ${engine.stats.problems}`,
  );
  strictEqual(engine.stats.disabledDissectors.length, 0, where);
}

Deno.test({
  name: `tls and http survive truncation of the real frames at every byte${
    SHARED_PCAPS.skip ? ` (real frames skipped: ${SHARED_PCAPS.missing})` : ""
  }`,
  async fn() {
    const frames = [...await realFrames(), ...BUILT.slice(0, 3)];
    if (!SHARED_PCAPS.skip) strictEqual(frames.length, 6);
    for (const whole of frames) {
      const engine = testEngine(HINT_DISSECTORS, FUZZ_ENGINE);
      const payloadAt = engine.dissectFrame(whole).payloadOffset;
      ok(payloadAt > 0);
      let malformed = 0;
      for (let cut = payloadAt + 1; cut < whole.length; cut++) {
        const prefix = whole.subarray(0, cut);
        // Whole frame as captured: IPv4 counts it malformed; a cut ClientHello or head is not TLS's fault.
        const packet = engine.dissectFrame(prefix);
        ok(packet.flags & PacketFlag.MALFORMED, `cut ${cut}: not flagged`);
        ok(packet.problemProtocol !== "TLS" && packet.problemProtocol !== "HTTP", packet.describeProblem());
        malformed++;
        // Cut by a snapshot length: truncated, never malformed.
        const snapped = engine.dissectFrame(prefix, { wirelen: whole.length });
        strictEqual(snapped.flags & PacketFlag.MALFORMED, 0, `snapped ${cut}: ${snapped.describeProblem()}`);
      }
      assertNoThrow(engine, "truncation");
      strictEqual(engine.stats.malformed, malformed);
    }
  },
});

Deno.test("a ClientHello or request head split across segments is skipped without malformed", () => {
  for (
    const payload of [
      HELLO,
      Uint8Array.from("GET /index.html HTTP/1.1\r\nHost: a.example\r\n", (c) => c.charCodeAt(0)),
    ]
  ) {
    const engine = testEngine(HINT_DISSECTORS, FUZZ_ENGINE);
    for (let cut = 1; cut < payload.length; cut++) {
      engine.dissectFrame(frame("tcp", toServer(payload[0] === 22 ? 443 : 80), payload.subarray(0, cut)));
    }
    strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
    strictEqual(engine.stats.truncated, 0);
    assertNoThrow(engine, "segments");
  }
});

Deno.test("hints survive 10 000 seeded random mutations without a throw", async () => {
  const rng = new Rng(7);
  const bases = [...BUILT, ...await realFrames()];
  const engine = testEngine(HINT_DISSECTORS, FUZZ_ENGINE);
  for (let round = 0; round < 10_000; round++) {
    const base = rng.pick(bases);
    const mutated = base.slice();
    const payloadAt = base[23] === 6 ? 54 : 42;
    const edits = rng.int(1, 8);
    for (let e = 0; e < edits; e++) {
      // Mostly lengths and type bytes near the start of the payload, sometimes anywhere in it.
      const to = rng.chance(0.5) ? Math.min(mutated.length - 1, payloadAt + 60) : mutated.length - 1;
      mutated[rng.int(payloadAt, to)] = rng.chance(0.3)
        ? rng.pick([0, 1, 0x0a, 0x0d, 0x3a, 0xff])
        : rng.int(0, 255);
    }
    const length = rng.chance(0.2) ? rng.int(payloadAt, mutated.length) : mutated.length;
    engine.dissectFrame(mutated.subarray(0, length), { wirelen: rng.chance(0.5) ? mutated.length : length });
    if (round % 1000 === 999) engine.flush();
  }
  assertNoThrow(engine, "mutations");
  ok(engine.stats.malformed > 0);
  // Each hint dissector refused some of the mutations itself.
  for (const name of ["ssdp", "tls", "http"]) {
    const index = engine.registry.dissectors.findIndex((d) => d.name === name);
    ok(engine.stats.dissectorMalformed[index] > 0, `${name} counted no malformed mutation`);
  }
});
