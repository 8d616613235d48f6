import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { hashWords, PackedKeyTable } from "./packed_key_table.ts";
import { Rng } from "../../samples/rng.ts";

/** A table and a record of every `onGrow` call it made. */
function table(keyWords: number, capacity = 16, stride = keyWords) {
  const grown: number[] = [];
  const t = new PackedKeyTable(keyWords, capacity, (entries, keys) => {
    strictEqual(keys.length, entries * stride, "onGrow gets the key array of the new capacity");
    grown.push(entries);
  }, stride);
  return { t, grown };
}

/** Writes `words` into the table's scratch key. */
function setKey(t: PackedKeyTable, words: ArrayLike<number>): void {
  for (let w = 0; w < t.keyWords; w++) t.key[w] = words[w];
}

/** The stored key of `entry`. */
function storedKey(t: PackedKeyTable, entry: number): number[] {
  return [...t.keys.subarray(entry * t.stride, entry * t.stride + t.keyWords)];
}

/**
 * Seeded keys of `keyWords` words drawn from `range` values. With `related`, most keys are an
 * earlier key with one word changed: many keys repeat and many differ from another in a single
 * word (the cases a partial key comparison gets wrong).
 */
function seededKeys(
  seed: number,
  count: number,
  keyWords: number,
  range: number,
  related = false,
): number[][] {
  const rng = new Rng(seed);
  const keys: number[][] = [];
  for (let i = 0; i < count; i++) {
    if (related && i > 0 && rng.chance(0.9)) {
      const key = [...keys[rng.int(0, i - 1)]];
      key[rng.int(0, keyWords - 1)] = rng.int(0, range - 1);
      keys.push(key);
    } else {
      keys.push(Array.from({ length: keyWords }, () => rng.int(0, range - 1)));
    }
  }
  return keys;
}

Deno.test("PackedKeyTable.findOrInsert() numbers keys like a Map does, through every growth", () => {
  for (
    const { keyWords, range, count, seed } of [
      { keyWords: 1, range: 40_000, count: 60_000, seed: 1 },
      { keyWords: 3, range: 30, count: 60_000, seed: 2 },
      { keyWords: 14, range: 4, count: 30_000, seed: 3 }, // the flow key's width
    ]
  ) {
    const { t, grown } = table(keyWords);
    const reference = new Map<string, number>();
    let lastCapacity = t.capacity;
    for (const key of seededKeys(seed, count, keyWords, range, true)) {
      setKey(t, key);
      const text = key.join(",");
      const expected = reference.get(text) ?? reference.size;
      const entry = t.findOrInsert();
      // Asserts only on a difference: 150 000 lookups, the assertion calls would dominate.
      if (entry !== expected || t.inserted === reference.has(text)) {
        deepStrictEqual(
          { entry, inserted: t.inserted },
          { entry: expected, inserted: !reference.has(text) },
          text,
        );
      }
      reference.set(text, entry);
      if (t.size !== reference.size || t.capacity < t.size) strictEqual(t.size, reference.size);
      if (t.capacity !== lastCapacity) {
        strictEqual(t.capacity, lastCapacity * 2, "grows by doubling");
        lastCapacity = t.capacity;
      }
    }
    ok(reference.size < count && reference.size > count / 4, `${reference.size} distinct of ${count}`);
    ok(grown.length > 5, `${keyWords}-word table grew ${grown.length - 1} times from 16`);
    deepStrictEqual(grown, grown.map((_, i) => 16 * 2 ** i), "onGrow: constructor, then each doubling");
    // Every entry holds its key, and find() gets every key back after all the growth.
    for (const [text, entry] of reference) {
      const stored = storedKey(t, entry).join(",");
      setKey(t, text.split(",").map(Number));
      const found = t.find();
      if (stored !== text || found !== entry) {
        deepStrictEqual({ stored, found }, { stored: text, found: entry });
      }
    }
    // A key outside the drawn range was never inserted.
    setKey(t, new Array(keyWords).fill(range));
    strictEqual(t.find(), -1);
    strictEqual(t.size, reference.size, "find() inserts nothing");
  }
});

Deno.test("PackedKeyTable compares whole keys: two keys with the same hash are two entries", () => {
  // Birthday search over seeded 2-word keys for two distinct ones whose 32-bit hashes are equal
  // (expected after about 2^16 keys; a key with one fixed word cannot collide: the hash of one
  // word is a bijection).
  const rng = new Rng(6);
  const seen = new Map<number, [number, number]>();
  let pair: [number, number][] | undefined;
  for (let tries = 0; pair === undefined && tries < 1 << 21; tries++) {
    const key: [number, number] = [rng.nextU32(), rng.nextU32()];
    const hash = hashWords(Uint32Array.from(key), 0, 2);
    const other = seen.get(hash);
    if (other !== undefined && other.join() !== key.join()) pair = [other, key];
    seen.set(hash, key);
  }
  ok(pair, "found two keys with the same hash");
  const [a, b] = pair;
  strictEqual(hashWords(Uint32Array.from(a), 0, 2), hashWords(Uint32Array.from(b), 0, 2));
  const { t } = table(2);
  setKey(t, a);
  strictEqual(t.findOrInsert(), 0);
  setKey(t, b);
  strictEqual(t.find(), -1, "find() of the second key before it is inserted");
  strictEqual(t.findOrInsert(), 1);
  strictEqual(t.inserted, true);
  setKey(t, a);
  strictEqual(t.findOrInsert(), 0);
  strictEqual(t.inserted, false);
  setKey(t, b);
  strictEqual(t.find(), 1);
  deepStrictEqual(storedKey(t, 1), b);
});

Deno.test("PackedKeyTable probes past occupied slots and wraps around the end of the slot array", () => {
  // 16 entries, 32 slots: 16 keys in a table that never grows fill half the slots, so runs of
  // neighbouring slots form and some wrap from the last slot to the first.
  for (let seed = 0; seed < 200; seed++) {
    const { t, grown } = table(2, 16);
    const keys = seededKeys(seed, 16, 2, 1 << 30);
    keys.forEach((key, i) => {
      setKey(t, key);
      strictEqual(t.findOrInsert(), i);
    });
    strictEqual(grown.length, 1, "16 keys fit without growing");
    keys.forEach((key, i) => {
      setKey(t, key);
      strictEqual(t.find(), i, `seed ${seed}: key ${i}`);
      strictEqual(t.findOrInsert(), i);
      strictEqual(t.inserted, false);
    });
  }
});

Deno.test("PackedKeyTable.clear() forgets every key, keeps its capacity, and numbers from 0 again", () => {
  const { t, grown } = table(3);
  const keys = seededKeys(4, 1000, 3, 1 << 20);
  for (const key of keys) {
    setKey(t, key);
    t.findOrInsert();
  }
  const capacity = t.capacity;
  const growths = grown.length;
  t.clear();
  strictEqual(t.size, 0);
  strictEqual(t.capacity, capacity);
  for (const key of keys) {
    setKey(t, key);
    strictEqual(t.find(), -1, `cleared key ${key}`);
  }
  // Inserted again in reverse order: ids follow the new order, and nothing grows.
  [...keys].reverse().forEach((key, i) => {
    setKey(t, key);
    strictEqual(t.findOrInsert(), i);
    strictEqual(t.inserted, true);
  });
  strictEqual(grown.length, growths);
});

Deno.test("PackedKeyTable.findOrInsertFrom() reads a key in place, at any offset of another array", () => {
  const { t } = table(3);
  const source = Uint32Array.of(9, 1, 2, 3, 1, 2, 4, 1, 2, 3);
  strictEqual(t.findOrInsertFrom(source, 1), 0);
  strictEqual(t.findOrInsertFrom(source, 4), 1);
  strictEqual(t.findOrInsertFrom(source, 7), 0);
  strictEqual(t.inserted, false);
  setKey(t, [1, 2, 4]);
  strictEqual(t.find(), 1);
});

Deno.test("PackedKeyTable keeps the caller's words after each key (stride) through growth", () => {
  const { t } = table(2, 16, 4);
  for (let i = 0; i < 5000; i++) {
    setKey(t, [i, ~i >>> 0]);
    const entry = t.findOrInsert();
    t.keys[entry * 4 + 2] = i * 3;
    t.keys[entry * 4 + 3] = 0xdead0000 + (i & 0xffff);
  }
  ok(t.capacity >= 5000);
  for (let i = 0; i < 5000; i++) {
    deepStrictEqual([...t.keys.subarray(i * 4, i * 4 + 4)], [i, ~i >>> 0, i * 3, 0xdead0000 + (i & 0xffff)]);
  }
});

Deno.test("PackedKeyTable.insertDistinct() numbers keys in order, and refuses a filled or strided table", () => {
  const keys = seededKeys(5, 3000, 3, 1 << 30);
  const { t } = table(3);
  t.insertDistinct(Uint32Array.from(keys.flat()), keys.length);
  strictEqual(t.size, keys.length);
  keys.forEach((key, i) => {
    setKey(t, key);
    strictEqual(t.find(), i);
  });
  setKey(t, [1, 2, 3]);
  strictEqual(t.findOrInsert(), keys.length, "a new key after the bulk gets the next id");
  // Growing after a bulk insert re-places the bulk keys too.
  const capacity = t.capacity;
  for (let i = 0; t.capacity === capacity; i++) {
    setKey(t, [i, i, 1 << 31]);
    t.findOrInsert();
  }
  keys.forEach((key, i) => {
    setKey(t, key);
    strictEqual(t.find(), i, `bulk key ${i} after growth`);
  });
  throws(() => t.insertDistinct(Uint32Array.of(1, 2, 3), 1), {
    name: "RangeError",
    message: `Cannot bulk-insert into a table of ${t.size} entries`,
  });
  throws(() => table(2, 16, 4).t.insertDistinct(Uint32Array.of(1, 2), 1), {
    name: "RangeError",
    message: "Cannot bulk-insert into a table with a stride",
  });
});

Deno.test("PackedKeyTable.reserve() grows once up front, so the inserts after it never grow", () => {
  const { t, grown } = table(2);
  t.reserve(10_000);
  ok(t.capacity >= 10_000);
  const growths = grown.length;
  for (let i = 0; i < 10_000; i++) {
    setKey(t, [i, i]);
    t.findOrInsert();
  }
  strictEqual(grown.length, growths);
});
