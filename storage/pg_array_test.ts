import { strictEqual } from "node:assert/strict";
import { pgArray, toParam } from "./pg_array.ts";

Deno.test("pgArray() writes one-dimensional array literals", () => {
  strictEqual(pgArray([]), "{}");
  strictEqual(pgArray([1, 2.5, null, undefined]), "{1,2.5,NULL,NULL}");
  strictEqual(pgArray([true, false]), "{t,f}");
  strictEqual(
    pgArray(["a", 'quote " and \\ backslash', "", "NULL", "x,y"]),
    '{"a","quote \\" and \\\\ backslash","","NULL","x,y"}',
  );
  strictEqual(pgArray([Infinity, -Infinity, NaN, 10n]), "{Infinity,-Infinity,NaN,10}");
});

Deno.test("toParam() turns arrays into literals and leaves the rest", () => {
  strictEqual(toParam([1]), "{1}");
  strictEqual(toParam("text"), "text");
  strictEqual(toParam(null), null);
});
