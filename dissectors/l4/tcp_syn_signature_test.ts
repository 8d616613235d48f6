import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { flushOfCapture, hex, testEngine } from "../_testing.ts";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "../../tests/shared_pcaps.ts";
import { notes } from "../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../tests/tshark_fields.ts";
import { initialTtl } from "./tcp_syn_signature.ts";

const LETTERS: Record<string, string> = { "0": "E", "1": "N", "2": "M", "3": "W", "4": "S", "8": "T" };

Deno.test({
  name: `every SYN and SYN-ACK of the shared captures gives the signature tshark's fields spell${
    notes(SHARED_PCAPS, TSHARK)
  }`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    let compared = 0;
    for (const name of sharedCaptureFiles()) {
      const path = sharedCapture(name);
      const rows = await tsharkFields(
        path,
        [
          "ip.src",
          "ipv6.src",
          "ip.ttl",
          "ipv6.hlim",
          "tcp.window_size_value",
          "tcp.options.mss_val",
          "tcp.options.wscale.shift",
          "tcp.option_kind",
          "tcp.flags.ack",
        ],
        // Whole headers only (a snaplen-cut SYN has no signature); not tunnelled (one IP header).
        "tcp.flags.syn == 1 && tcp.flags.reset == 0 && !icmp && !_ws.malformed && frame.cap_len == frame.len",
      );
      if (rows.length === 0) continue;
      const record = await flushOfCapture(path);
      for (const [ip4, ip6, ttl4, ttl6, [window], mss, scale, kinds, [ack]] of rows) {
        if (ip4.length + ip6.length !== 1) continue;
        const layout = kinds.map((kind) => LETTERS[kind] ?? `?${kind}`).join(",");
        const expected = `${initialTtl(Number(ttl4[0] ?? ttl6[0]))}:${window}:${mss[0] ?? "-"}:${
          scale[0] ?? "-"
        }:${layout}`;
        const key = ack === "1" ? "tcp.synack_signature" : "tcp.syn_signature";
        const src = ip4[0] ?? ip6[0];
        ok(
          record.identities.some((i) => i.ip === src && i.key === key && i.value === expected),
          `${name}: ${src} ${key} ${expected} not found in ${
            JSON.stringify(record.identities.filter((i) => i.key.startsWith("tcp.")).map((i) => i.value))
          }`,
        );
        compared++;
      }
    }
    ok(compared >= 10, `only ${compared} SYNs compared`);
  },
});

// SYN from 10.0.0.1 (TTL 57) with MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
const SYN = "020000000002 020000000001 0800 4500 003c 0001 4000 3906 0000 0a000001 0a000002" +
  " c350 0050 00000001 00000000 a002 faf0 0000 0000 020405b4 0402 080a 00000001 00000000 01 030307";

Deno.test("a host's SYN signature is reported on its first SYN then every 256th, not once per SYN", () => {
  const engine = testEngine();
  const frame = hex(SYN);
  for (let n = 0; n < 600; n++) engine.dissectFrame(frame, { tsSec: 1_700_000_000 + n });
  const record = engine.flush();
  const signatures = record.identities.filter((i) => i.key === "tcp.syn_signature");
  deepStrictEqual(signatures.map((i) => [i.ip, i.value, i.count]), [[
    "10.0.0.1",
    "64:64240:1460:7:M,S,T,N,W",
    3,
  ]]);
});

Deno.test("options running past the header are named and stop the layout; nothing throws", () => {
  // Option kind 2 (MSS) announcing 10 bytes in a 4-byte option area.
  const frame = hex(
    "020000000002 020000000001 0800 4500 002c 0001 4000 8006 0000 0a000003 0a000002 c350 0050 00000001 00000000 6002 2000 0000 0000 020a05b4",
  );
  const engine = testEngine();
  engine.dissectFrame(frame);
  const record = engine.flush();
  strictEqual(record.identities.find((i) => i.key === "tcp.syn_signature")?.value, "128:8192:-:-:?2");
  strictEqual(engine.stats.malformed, 0);
});

Deno.test("initialTtl() rounds up to the usual initial values", () => {
  deepStrictEqual([1, 32, 33, 64, 65, 128, 129, 255].map(initialTtl), [32, 32, 64, 64, 128, 128, 255, 255]);
});
