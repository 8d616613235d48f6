import { strictEqual, throws } from "node:assert/strict";
import { CopyRows, copyValue } from "./copy_text.ts";

Deno.test("copyValue() escapes what COPY text reads as separators", () => {
  const cases: [Parameters<typeof copyValue>[0], string][] = [
    [null, "\\N"],
    [42, "42"],
    [true, "t"],
    ["plain", "plain"],
    ["a\tb\nc\rd\\e", "a\\tb\\nc\\rd\\\\e"],
    ["\\N", "\\\\N"],
  ];
  for (const [value, text] of cases) strictEqual(copyValue(value), text, String(value));
  throws(() => copyValue(Infinity), RangeError);
});

Deno.test("CopyRows.text() ends every row with a newline", () => {
  const rows = new CopyRows();
  strictEqual(rows.text(), "");
  rows.add([1, "x"]);
  rows.add([null, "y\tz"]);
  strictEqual(rows.text(), "1\tx\n\\N\ty\\tz\n");
  strictEqual(rows.count, 2);
});
