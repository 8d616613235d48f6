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

/** Hash of `count` words at `words[at]` (multiply-xorshift; non-cryptographic). */
function hashWords(words: Uint32Array, at: number, count: number): number {
  let h = 0x811c9dc5 ^ count;
  for (let i = 0; i < count; i++) {
    h = Math.imul(h ^ words[at + i], 0x9e3779b1);
    h ^= h >>> 15;
  }
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
  /** True when the last {@linkcode findOrInsert} created the entry. */
  inserted = false;
  /** Keys of all entries, `keyWords` words each, in entry order. */
  keys: Uint32Array;
  #hashes: Int32Array;
  #index: Int32Array;
  #mask: number;
  #onGrow: (capacity: number) => void;

  /**
   * @param keyWords words per key
   * @param capacity initial number of entries (rounded up to a power of two)
   * @param onGrow called with the new entry capacity whenever the table grows, so the caller can
   *   grow its value arrays; called once from the constructor with the initial capacity
   */
  constructor(keyWords: number, capacity: number, onGrow: (capacity: number) => void) {
    let entries = 16;
    while (entries < capacity) entries *= 2;
    this.keyWords = keyWords;
    this.key = new Uint32Array(keyWords);
    this.keys = new Uint32Array(entries * keyWords);
    this.#hashes = new Int32Array(entries);
    this.#index = new Int32Array(entries * 2).fill(EMPTY);
    this.#mask = entries * 2 - 1;
    this.#onGrow = onGrow;
    onGrow(entries);
  }

  /** Number of entries the value arrays must hold. */
  get capacity(): number {
    return this.#hashes.length;
  }

  /** Entry id of {@linkcode key}, inserting it when absent (then {@linkcode inserted} is true). */
  findOrInsert(): number {
    const keyWords = this.keyWords;
    const key = this.key;
    const keys = this.keys;
    const hash = hashWords(key, 0, keyWords);
    const index = this.#index;
    const hashes = this.#hashes;
    const mask = this.#mask;
    let slot = hash & mask;
    for (;;) {
      const entry = index[slot];
      if (entry === EMPTY) break;
      if (hashes[entry] === hash) {
        const base = entry * keyWords;
        let same = true;
        for (let w = 0; w < keyWords; w++) {
          if (keys[base + w] !== key[w]) {
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
    if (this.size === hashes.length) {
      this.#grow();
      return this.findOrInsert();
    }
    const entry = this.size++;
    index[slot] = entry;
    hashes[entry] = hash;
    keys.set(key, entry * keyWords);
    this.inserted = true;
    return entry;
  }

  /** Entry id of {@linkcode key}, or -1. */
  find(): number {
    const keyWords = this.keyWords;
    const hash = hashWords(this.key, 0, keyWords);
    let slot = hash & this.#mask;
    for (;;) {
      const entry = this.#index[slot];
      if (entry === EMPTY) return -1;
      if (this.#hashes[entry] === hash && this.#sameKey(entry)) return entry;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Removes every entry (keeps the memory). */
  clear(): void {
    this.#index.fill(EMPTY);
    this.size = 0;
  }

  #sameKey(entry: number): boolean {
    const base = entry * this.keyWords;
    for (let w = 0; w < this.keyWords; w++) if (this.keys[base + w] !== this.key[w]) return false;
    return true;
  }

  #grow(): void {
    const entries = this.#hashes.length * 2;
    const keys = new Uint32Array(entries * this.keyWords);
    keys.set(this.keys);
    this.keys = keys;
    const hashes = new Int32Array(entries);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    this.#index = new Int32Array(entries * 2).fill(EMPTY);
    this.#mask = entries * 2 - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = hashes[entry] & this.#mask;
      while (this.#index[slot] !== EMPTY) slot = (slot + 1) & this.#mask;
      this.#index[slot] = entry;
    }
    this.#onGrow(entries);
  }
}
