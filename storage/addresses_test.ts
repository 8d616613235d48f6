import { strictEqual } from "node:assert/strict";
import { canonicalIp, cleanText, normalizeMac, parseIp } from "./addresses.ts";

Deno.test("canonicalIp() writes addresses as NetSentinel does, or null", async (t) => {
  const cases: [string, string | null][] = [
    ["10.0.0.1", "10.0.0.1"],
    ["::ffff:1.2.3.4", "::ffff:102:304"], // PostgreSQL's host() text of an IPv4-mapped address
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["fe80::", "fe80::"],
    ["::", "::"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["256.0.0.1", null],
    ["10.0.0", null],
    ["1::2::3", null],
    ["1:2:3:4:5:6:7:8:9", null],
    ["fe80::1%eth0", null],
    ["10.0.0.1/24", null],
    ["", null],
  ];
  for (const [text, expected] of cases) {
    await t.step(JSON.stringify(text), () => strictEqual(canonicalIp(text), expected));
  }
  strictEqual(parseIp("::ffff:1.2.3.4")?.words[2], 0xffff);
});

Deno.test("normalizeMac() and cleanText() make plugin values fit their columns", () => {
  strictEqual(normalizeMac("AA-BB-CC-DD-EE-0F"), "aa:bb:cc:dd:ee:0f");
  strictEqual(normalizeMac("aa:bb:cc:dd:ee"), null);
  strictEqual(normalizeMac(null), null);
  strictEqual(cleanText("ho\0st", 10), "host");
  strictEqual(cleanText("abcdef", 3), "abc");
  strictEqual(cleanText(42, 10), "42");
});
