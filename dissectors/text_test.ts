import { strictEqual } from "node:assert/strict";
import { decodeText, lineEnd, MAX_TEXT_BYTES } from "./text.ts";

function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "string") out.push(...new TextEncoder().encode(part));
    else out.push(...part);
  }
  return new Uint8Array(out);
}

function text(bytes: Uint8Array): string {
  return decodeText(bytes, 0, bytes.length);
}

Deno.test("decodeText() applies the one text rule", async (t) => {
  const cases: [string, Uint8Array, string][] = [
    ["printable ASCII as is", bytesOf("PLC-7 line 3"), "PLC-7 line 3"],
    [
      "long printable ASCII as is",
      bytesOf("Cisco IOS Software, C3560 Software"),
      "Cisco IOS Software, C3560 Software",
    ],
    ["valid UTF-8 decoded", bytesOf("Pompe-Stéphane ✓"), "Pompe-Stéphane ✓"],
    ["an invalid byte is U+FFFD", bytesOf("a", [0xff], "b"), "a\ufffdb"],
    ["a truncated sequence is one U+FFFD", bytesOf("a", [0xe2, 0x82], "b"), "a\ufffdb"],
    ["a lone continuation byte is U+FFFD", bytesOf([0x80], "x"), "\ufffdx"],
    ["C0 controls escaped", bytesOf("a", [0x01], "b", [0x1b], "c"), "a\\x01b\\x1bc"],
    ["inner tab and line feed escaped", bytesOf("a\tb\r\nc"), "a\\x09b\\x0d\\x0ac"],
    ["DEL escaped", bytesOf("a", [0x7f]), "a\\x7f"],
    ["C1 control (U+0085) escaped", bytesOf("a", [0xc2, 0x85], "b"), "a\\x85b"],
    ["backslash escaped", bytesOf("DOMAIN\\user"), "DOMAIN\\x5cuser"],
    ["trailing NUL padding dropped", bytesOf("host", [0, 0, 0, 0]), "host"],
    ["text ends at the first NUL", bytesOf("a", [0], "b"), "a"],
    ["white space trimmed at both ends", bytesOf("  6ES7 315-2EH14-0AB0 \r\n"), "6ES7 315-2EH14-0AB0"],
    ["spaces before NUL padding trimmed", bytesOf("CJ2M   ", [0, 0]), "CJ2M"],
    ["all padding is empty", bytesOf([0x20, 0, 0x41]), ""],
    ["empty is empty", bytesOf(), ""],
  ];
  for (const [name, bytes, expected] of cases) {
    await t.step(name, () => strictEqual(text(bytes), expected));
  }
});

Deno.test("decodeText() reads only its range and never past the buffer", () => {
  const bytes = bytesOf("xxabcxx");
  strictEqual(decodeText(bytes, 2, 3), "abc");
  strictEqual(decodeText(bytes, 5, 100), "xx");
  strictEqual(decodeText(bytes, 9, 2), "");
  strictEqual(decodeText(bytes, -1, 2), "");
  strictEqual(decodeText(bytes, 2, -3), "");
});

Deno.test("decodeText() cuts at MAX_TEXT_BYTES without splitting a character", () => {
  const ascii = new Uint8Array(MAX_TEXT_BYTES + 10).fill(0x61);
  strictEqual(text(ascii), "a".repeat(MAX_TEXT_BYTES));
  // "é" (2 bytes) straddling the cut is left out whole, not turned into U+FFFD.
  const straddling = bytesOf("a".repeat(MAX_TEXT_BYTES - 1), "é", "tail");
  strictEqual(text(straddling), "a".repeat(MAX_TEXT_BYTES - 1));
  // Ending exactly at the cut keeps the last character.
  const fits = bytesOf("a".repeat(MAX_TEXT_BYTES - 2), "é", "tail");
  strictEqual(text(fits), "a".repeat(MAX_TEXT_BYTES - 2) + "é");
});

Deno.test("decodeText() gives the same text for the same bytes at any offset", () => {
  const field = bytesOf("n\u00e9", [0x07, 0xfe], " ", [0]);
  const framed = bytesOf([0xaa, 0xbb], Array.from(field), [0xcc]);
  strictEqual(decodeText(framed, 2, field.length), text(field));
  strictEqual(text(field), "né\\x07\ufffd");
});

Deno.test("lineEnd() finds the first line feed or the end", () => {
  const bytes = bytesOf("one\r\ntwo");
  strictEqual(lineEnd(bytes, 0, bytes.length), 4);
  strictEqual(decodeText(bytes, 0, lineEnd(bytes, 0, bytes.length)), "one");
  strictEqual(lineEnd(bytes, 5, bytes.length), bytes.length);
});
