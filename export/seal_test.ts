import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { aesKey, keyBytes } from "./key.ts";
import { seal, SealError, unseal } from "./seal.ts";

const KEY = await aesKey(keyBytes("11".repeat(32), "test"));
const OTHER = await aesKey(keyBytes("22".repeat(32), "test"));

Deno.test("seal() and unseal() round-trip every length around chunk boundaries", async () => {
  for (const length of [0, 1, 15, 16, 17, 31, 32, 33, 100]) {
    const plain = crypto.getRandomValues(new Uint8Array(length));
    const sealed = await seal(plain, KEY, 16);
    strictEqual(sealed.length, 9 + length + Math.max(1, Math.ceil(length / 16)) * 28, `length ${length}`);
    deepStrictEqual(await unseal(sealed, KEY), plain);
  }
});

Deno.test("seal() uses a fresh nonce: the same plaintext seals differently", async () => {
  const plain = new Uint8Array(40);
  const [a, b] = [await seal(plain, KEY, 16), await seal(plain, KEY, 16)];
  strictEqual(a.length, b.length);
  strictEqual(a.slice(9, 21).join() === b.slice(9, 21).join(), false);
});

Deno.test("unseal() refuses a wrong key, a changed byte, reordered, dropped or foreign chunks", async () => {
  const plain = crypto.getRandomValues(new Uint8Array(40)); // chunks of 16, 16, 8
  const sealed = await seal(plain, KEY, 16);
  const stride = 16 + 28;
  const cases: [string, Uint8Array, RegExp][] = [
    ["wrong key", sealed, /chunk 0 does not authenticate: wrong key/],
    [
      "changed byte",
      (() => {
        const copy = sealed.slice();
        copy[9 + stride + 20] ^= 1;
        return copy;
      })(),
      /chunk 1 does not authenticate/,
    ],
    [
      "swapped chunks",
      (() => {
        const copy = sealed.slice();
        copy.set(sealed.slice(9 + stride, 9 + 2 * stride), 9);
        copy.set(sealed.slice(9, 9 + stride), 9 + stride);
        return copy;
      })(),
      /chunk 0 does not authenticate/,
    ],
    ["last chunk dropped", sealed.slice(0, 9 + 2 * stride), /chunk 1 does not authenticate/],
    [
      "other chunk size in the header",
      (() => {
        const copy = sealed.slice();
        copy[8] = 17;
        return copy;
      })(),
      /does not authenticate|truncated/,
    ],
    ["cut inside a tag", sealed.slice(0, 9 + 2 * stride + 10), /truncated/],
    ["not sealed", new TextEncoder().encode("plain text"), /no NSX1 header/],
  ];
  for (const [name, bytes, expected] of cases) {
    await rejects(unseal(bytes, name === "wrong key" ? OTHER : KEY), (error: Error) => {
      strictEqual(error instanceof SealError, true, name);
      strictEqual(expected.test(error.message), true, `${name}: ${error.message}`);
      return true;
    });
  }
});
