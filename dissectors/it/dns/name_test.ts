import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { hex } from "../../_testing.ts";
import { NameReader, NameStatus, reverseAddress } from "./name.ts";
import { Problem } from "./_consts.ts";
import { wireName } from "./_frames.ts";

function read(message: Uint8Array, at: number): NameReader {
  const reader = new NameReader();
  reader.read(message, 0, message.length, at);
  return reader;
}

Deno.test("name: plain labels and a backward compression pointer (RFC 1035 4.1.4)", () => {
  // "www.example.com" at 0, then "mail" + pointer to "example.com" (offset 4).
  const message = hex(wireName("www.example.com") + "046d61696c c004");
  const reader = new NameReader();
  strictEqual(reader.read(message, 0, message.length, 0), NameStatus.OK);
  strictEqual(reader.name, "www.example.com");
  strictEqual(reader.next, 17);
  strictEqual(reader.read(message, 0, message.length, 17), NameStatus.OK);
  strictEqual(reader.name, "mail.example.com");
  strictEqual(reader.next, message.length);
});

Deno.test("name: a pointer to itself loops", () => {
  const reader = new NameReader();
  strictEqual(reader.read(hex("00 c001"), 0, 3, 1), NameStatus.INVALID);
  strictEqual(reader.problem, Problem.POINTER_FORWARD); // points at its own offset: not backwards
  strictEqual(reader.read(hex("0161 c000"), 0, 4, 2), NameStatus.INVALID);
  strictEqual(reader.problem, Problem.POINTER_LOOP); // "a" then back to the "a" before it, forever
});

Deno.test("name: A→B→A pointer loops are refused", () => {
  // A at 0: label "a" then pointer to B (4); B at 4: label "b" then pointer to A (0). Whichever
  // way in, one of the two pointers does not point further back.
  const message = hex("0161 c004 0162 c000");
  const reader = new NameReader();
  strictEqual(reader.read(message, 0, message.length, 4), NameStatus.INVALID);
  strictEqual(reader.problem, Problem.POINTER_FORWARD);
  strictEqual(reader.read(message, 0, message.length, 0), NameStatus.INVALID);
  // Backwards, but into the labels already read: "a", "b", then back to "b".
  strictEqual(read(hex("0161 0162 c002"), 0).problem, Problem.POINTER_LOOP);
  // Backwards chains end: 8 → 4 → 0 is fine.
  const chain = hex("0161 00 00 0162 c000 0163 c004");
  strictEqual(read(chain, 8).name, "c.b.a");
});

Deno.test("name: a forward pointer is refused", () => {
  const reader = new NameReader();
  strictEqual(reader.read(hex("c002 0161 00"), 0, 5, 0), NameStatus.INVALID);
  strictEqual(reader.problem, Problem.POINTER_FORWARD);
});

Deno.test("name: a label running past the end, or a missing terminator", () => {
  const reader = new NameReader();
  strictEqual(reader.read(hex("05616263"), 0, 4, 0), NameStatus.PAST_END);
  strictEqual(reader.problem, Problem.LABEL_PAST_END);
  strictEqual(reader.read(hex("0161"), 0, 2, 0), NameStatus.PAST_END);
  strictEqual(reader.read(hex("c0"), 0, 1, 0), NameStatus.PAST_END);
  // The end given is respected even when the buffer goes on.
  strictEqual(reader.read(hex("0161 00"), 0, 2, 0), NameStatus.PAST_END);
});

Deno.test("name: longer than 255 bytes, and reserved label types", () => {
  const long = hex(`${"3f" + "61".repeat(63)}`.repeat(4) + "00"); // 4 × 64 + 1 = 257 bytes
  strictEqual(read(long, 0).problem, Problem.NAME_TOO_LONG);
  const fits = hex(`${"3f" + "61".repeat(63)}`.repeat(3) + "3d" + "61".repeat(61) + "00"); // 255
  const reader = new NameReader();
  strictEqual(reader.read(fits, 0, fits.length, 0), NameStatus.OK);
  strictEqual(reader.labels.length, 4);
  strictEqual(read(hex("40" + "61".repeat(64) + "00"), 0).problem, Problem.LABEL_TYPE);
  strictEqual(read(hex("8000"), 0).problem, Problem.LABEL_TYPE);
});

Deno.test("name: root, escapes and UTF-8 labels", () => {
  strictEqual(read(hex("00"), 0).name, "");
  // The project's text rule (dissectors/text.ts): `.` inside a label, `\` and controls as `\xNN`.
  strictEqual(read(hex("03612e62 00"), 0).name, "a\\x2eb");
  strictEqual(read(hex("03615c62 00"), 0).name, "a\\x5cb");
  strictEqual(read(hex("0b 4b c3 BC 6368 652d 5450 20 32 00"), 0).name, "Küche-TP 2");
  strictEqual(read(hex("02 0141 00"), 0).name, "\\x01A");
  strictEqual(read(hex("02 ff41 00"), 0).name, "\ufffdA");
});

Deno.test("name: reverse-mapping names give addresses (RFC 1035 3.5, RFC 3596 2.5)", () => {
  deepStrictEqual(reverseAddress("2.0.0.10.in-addr.arpa".split(".")), new Uint8Array([10, 0, 0, 2]));
  const v6 = reverseAddress(
    "D.9.F.3.F.4.E.F.F.F.A.A.F.1.A.5.0.0.0.0.0.0.0.0.0.0.0.0.0.8.E.F.ip6.arpa".split("."),
  );
  deepStrictEqual(v6, hex("fe80 0000 0000 0000 5a1f aaff fe4f 3f9d"));
  strictEqual(reverseAddress("0/25.2.0.192.in-addr.arpa".split(".")), null);
  strictEqual(reverseAddress("256.0.0.10.in-addr.arpa".split(".")), null);
  strictEqual(reverseAddress("_ipp._tcp.local".split(".")), null);
});
