/**
 * Open-addressing hash table over fixed-width keys packed in 32-bit words.
 *
 * The flow table is the largest per-packet cost (ARCHITECTURE.md: typed-array open addressing with
 * full key comparison measured 2.1 Mpps against 0.55 for `Map<string>`). Entries are numbered
 * densely in insertion order (0, 1, 2…), so callers keep their values in parallel typed arrays
 * indexed by entry id and iterate them without touching the index. Nothing is allocated per
 * lookup: the caller writes the key into {@linkcode PackedKeyTable.key} and calls
 * {@linkcode PackedKeyTable.findOrInsert}.
 *
 * @module
 */

const EMPTY = -1;

/**
 * Hash of `count` words at `words[at]` (multiply-xorshift; non-cryptographic). Exported for the
 * tests, which search for two keys with the same hash to check the full key comparison.
 */
export function hashWords(words: Uint32Array, at: number, count: number): number {
  let h = 0x811c9dc5 ^ count;
  for (let i = 0; i < count; i++) h = Math.imul((h << 5) ^ (h >>> 27) ^ words[at + i], 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return (h ^ (h >>> 16)) | 0;
}

/** Hash table of packed keys; values live in the caller's arrays indexed by entry id. */
export class PackedKeyTable {
  /** Words per key. */
  readonly keyWords: number;
  /** Scratch key: write the key here before {@linkcode findOrInsert}. */
  readonly key: Uint32Array;
  /** Number of entries. */
  size = 0;
  /** True when the last lookup created the entry. */
  inserted = false;
  /**
   * Keys of all entries in entry order, {@linkcode stride} words apart (the words after a key are
   * the caller's: the flow meter keeps hot counters there, next to the key, in the same cache lines).
   */
  keys: Uint32Array;
  /** Words per entry in {@linkcode keys} (≥ keyWords). */
  readonly stride: number;
  #hashes: Int32Array;
  /** Open-addressing slots as (hash, entry) pairs, so a probe rejects a slot without another load. */
  #slots: Int32Array;
  #mask: number;
  #onGrow: (capacity: number, keys: Uint32Array) => void;

  /**
   * @param keyWords words per key
   * @param capacity initial number of entries (rounded up to a power of two)
   * @param onGrow called with the new entry capacity and key array whenever the table grows, so the
   *   caller can grow its value arrays; called once from the constructor with the initial ones
   * @param stride words per entry in {@linkcode keys} (default `keyWords`)
   */
  constructor(
    keyWords: number,
    capacity: number,
    onGrow: (capacity: number, keys: Uint32Array) => void,
    stride = keyWords,
  ) {
    let entries = 16;
    while (entries < capacity) entries *= 2;
    this.keyWords = keyWords;
    this.stride = stride;
    this.key = new Uint32Array(keyWords);
    this.keys = new Uint32Array(entries * stride);
    this.#hashes = new Int32Array(entries);
    this.#slots = new Int32Array(entries * 4).fill(EMPTY);
    this.#mask = entries * 2 - 1;
    this.#onGrow = onGrow;
    onGrow(entries, this.keys);
  }

  /** Number of entries the value arrays must hold. */
  get capacity(): number {
    return this.#hashes.length;
  }

  /** Entry id of {@linkcode key}, inserting it when absent (then {@linkcode inserted} is true). */
  findOrInsert(): number {
    return this.findOrInsertFrom(this.key, 0);
  }

  /**
   * Entry id of the key stored at `source[at .. at + keyWords)`, inserting it when absent. Lets a
   * caller look up keys held in another table's key array without copying them.
   */
  findOrInsertFrom(source: Uint32Array, at: number): number {
    const keyWords = this.keyWords;
    const keys = this.keys;
    const hash = hashWords(source, at, keyWords);
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot * 2 + 1];
      if (entry === EMPTY) break;
      if (slots[slot * 2] === hash) {
        const base = entry * this.stride;
        let same = true;
        for (let w = 0; w < keyWords; w++) {
          if (keys[base + w] !== source[at + w]) {
            same = false;
            break;
          }
        }
        if (same) {
          this.inserted = false;
          return entry;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (this.size === this.#hashes.length) {
      this.#grow();
      return this.findOrInsertFrom(source, at);
    }
    const entry = this.size++;
    slots[slot * 2] = hash;
    slots[slot * 2 + 1] = entry;
    this.#hashes[entry] = hash;
    const base = entry * this.stride;
    for (let w = 0; w < keyWords; w++) keys[base + w] = source[at + w];
    this.inserted = true;
    return entry;
  }

  /**
   * Fills an empty table with `count` keys known to be distinct (e.g. another table's keys), in
   * order: entry ids are 0 … count-1. Faster than inserting one by one: no key is compared.
   *
   * @throws {RangeError} when the table is not empty
   */
  insertDistinct(source: Uint32Array, count: number): void {
    if (this.size !== 0) throw new RangeError(`Cannot bulk-insert into a table of ${this.size} entries`);
    if (this.stride !== this.keyWords) throw new RangeError("Cannot bulk-insert into a table with a stride");
    this.reserve(count);
    const keyWords = this.keyWords;
    this.keys.set(source.subarray(0, count * keyWords));
    const slots = this.#slots;
    const mask = this.#mask;
    const hashes = this.#hashes;
    for (let entry = 0; entry < count; entry++) {
      const hash = hashWords(source, entry * keyWords, keyWords);
      hashes[entry] = hash;
      let slot = hash & mask;
      while (slots[slot * 2 + 1] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot * 2] = hash;
      slots[slot * 2 + 1] = entry;
    }
    this.size = count;
  }

  /** Entry id of {@linkcode key}, or -1. */
  find(): number {
    const keyWords = this.keyWords;
    const hash = hashWords(this.key, 0, keyWords);
    let slot = hash & this.#mask;
    for (;;) {
      const entry = this.#slots[slot * 2 + 1];
      if (entry === EMPTY) return -1;
      if (this.#slots[slot * 2] === hash && this.#sameKey(entry)) return entry;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Grows the table now so that `entries` entries fit without growing during inserts. */
  reserve(entries: number): void {
    while (this.#hashes.length < entries) this.#grow();
  }

  /** Removes every entry (keeps the memory). */
  clear(): void {
    this.#slots.fill(EMPTY);
    this.size = 0;
  }

  #sameKey(entry: number): boolean {
    const base = entry * this.stride;
    for (let w = 0; w < this.keyWords; w++) if (this.keys[base + w] !== this.key[w]) return false;
    return true;
  }

  #grow(): void {
    const entries = this.#hashes.length * 2;
    const keys = new Uint32Array(entries * this.stride);
    keys.set(this.keys);
    this.keys = keys;
    const hashes = new Int32Array(entries);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    const slots = new Int32Array(entries * 4).fill(EMPTY);
    const mask = entries * 2 - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = hashes[entry] & mask;
      while (slots[slot * 2 + 1] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot * 2] = hashes[entry];
      slots[slot * 2 + 1] = entry;
    }
    this.#slots = slots;
    this.#mask = mask;
    this.#onGrow(entries, keys);
  }
}
