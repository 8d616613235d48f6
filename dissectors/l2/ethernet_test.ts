import { strictEqual } from "node:assert/strict";
import { decode } from "../_testing.ts";

/** An 802.3 frame carrying an STP configuration BPDU (LLC 42 42 03 + 35 bytes), padded to 60 bytes. */
const PADDED_BPDU = `
  0180c2000000 001122334455  # STP multicast <- 00:11:22:33:44:55
  0026                       # 802.3 length: 38 bytes of LLC data
  424203                     # LLC: DSAP/SSAP 0x42 (STP), UI
  0000 00 00 00              # protocol 0, version 0, configuration BPDU, flags
  8000001122334455 00000000 8000001122334455 8001 0000 1400 0200 0f00
  aaaaaaaaaaaaaaaa           # padding to the 60-byte minimum: not BPDU data
`;

Deno.test("ethernet ends an 802.3 frame at its length field: the padding is not LLC data", () => {
  const { packet, engine } = decode(PADDED_BPDU);
  strictEqual(packet.caplen, 60);
  strictEqual(packet.end - packet.start, 14 + 38);
  strictEqual(packet.flags, 0, packet.describeProblem());
  const record = engine.flush();
  strictEqual(record.identities.some((i) => i.key === "stp.root_id"), true);
});

Deno.test("ethernet keeps the captured end when an 802.3 length runs past it", () => {
  // Length 0x0100 (256) but only 60 bytes captured: the LLC layers see what there is.
  const { packet } = decode(PADDED_BPDU.replace("0026 ", "0100 "));
  strictEqual(packet.end - packet.start, 60);
});

Deno.test("ethernet II frames keep their whole length (the IP length bounds its own payload)", () => {
  const { packet } = decode(`
    ffffffffffff 001122334455 0806
    0001 0800 06 04 0001 001122334455 0a000001 000000000000 0a000002
    000000000000000000000000000000000000
  `);
  strictEqual(packet.end - packet.start, 60);
});
