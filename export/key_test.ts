import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { ExportKeyError, keyBytes, newKeyText } from "./key.ts";

Deno.test("keyBytes() reads 64 hexadecimal characters and the base64 of 32 bytes alike", () => {
  const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  deepStrictEqual(keyBytes(hex, "test"), bytes);
  deepStrictEqual(keyBytes(hex.toUpperCase(), "test"), bytes);
  deepStrictEqual(keyBytes(` ${btoa(String.fromCharCode(...bytes))}\n`, "test"), bytes);
  strictEqual(keyBytes(newKeyText(), "test").length, 32);
});

Deno.test("keyBytes() refuses other lengths and text, naming the origin but never the key", () => {
  for (const bad of ["", "abc", "ab".repeat(31), "ab".repeat(33), btoa("x".repeat(31)), "zz".repeat(32)]) {
    throws(() => keyBytes(bad, "NETSENTINEL_EXPORT_ENCRYPTION_KEY"), (error: Error) => {
      strictEqual(error instanceof ExportKeyError, true);
      strictEqual(
        error.message.startsWith("Cannot use the encryption key from NETSENTINEL_EXPORT_ENCRYPTION_KEY: "),
        true,
      );
      strictEqual(bad.length > 3 && error.message.includes(bad), false, "the key is not quoted");
      return true;
    });
  }
});
