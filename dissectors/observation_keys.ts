/**
 * Keys of the observation collector: a 53-bit hash of a subject's address bytes (no text built
 * per packet), the tags its caches of recent records are keyed by, and the one-pass copy of event
 * fields those caches compare.
 *
 * @module
 */

/**
 * Two 32-bit FNV-style hashes fed the same values, finished as one 53-bit number (32 bits of one,
 * 21 of the other): a safe integer, so it keys a `Map` by value without building text.
 */
export class SubjectHash {
  /** First 32-bit half (read after the last {@linkcode mix}). */
  h1 = 0;
  /** Second 32-bit half. */
  h2 = 0;

  /** Starts a new hash from `seed`. */
  start(seed: number): void {
    this.h1 = (0x811c9dc5 ^ seed) >>> 0;
    this.h2 = (0x5bd1e995 ^ Math.imul(seed, 0x27d4eb2d)) >>> 0;
  }

  /** Adds one value (a byte, a character code, a length). */
  mix(value: number): void {
    this.h1 = Math.imul(this.h1 ^ value, 0x01000193);
    const h2 = Math.imul(this.h2 ^ value, 0x5bd1e995);
    this.h2 = h2 ^ (h2 >>> 15);
  }

  /** Adds `length` bytes at `at`, or a marker when the address is absent (`at` < 0). */
  mixBytes(bytes: Uint8Array, at: number, length: number): void {
    this.mix(at < 0 ? 0x100 : length);
    if (at < 0) return;
    for (let i = 0; i < length; i++) this.mix(bytes[at + i]);
  }

  /** The 53-bit key. */
  finish(): number {
    return key53(this.h1, this.h2);
  }
}

/** 53 bits of two 32-bit hashes (all of `h1`, the top 21 of `h2`). */
export function key53(h1: number, h2: number): number {
  return (h1 >>> 0) * 2097152 + (h2 >>> 11);
}

/** Tag of "not cached" (subjects given as addresses). */
export const NOT_CACHED = -1;

/**
 * Cache tag of a subject of a frame without a flow: negative (flow tags are flow × 2 + side, ≥ 0)
 * and below {@linkcode NOT_CACHED}; 51 bits of the hash halves and the side.
 */
export function addressTag(h1: number, h2: number, side: number): number {
  return -2 - (((h1 >>> 2) * 2097152 + (h2 >>> 11)) * 2 + side);
}

/** Slots of the per-flow caches of recent identities and events (a power of two). */
export const RECENT_SLOTS = 4096;

/** Most fields an event may have and still be compared by the cache (more: looked up every time). */
export const MAX_CACHED_FIELDS = 16;

/** An event's field names and values copied in order, and a digest of them, from one pass over the object. */
export class FieldsCopy {
  readonly names: string[] = new Array(MAX_CACHED_FIELDS).fill("");
  readonly values: (string | number | boolean)[] = new Array(MAX_CACHED_FIELDS).fill(0);
  /** Number of fields (may exceed {@linkcode MAX_CACHED_FIELDS}: then only the first are copied). */
  count = 0;
  /** Digest of the values (numbers, string lengths and last characters), to pick a cache slot. */
  digest = 0;

  /** Copies `fields`: one read of each property (a megamorphic load at a shared call site). */
  take(fields: Record<string, string | number | boolean>): void {
    let count = 0;
    let digest = 0;
    for (const name in fields) {
      const value = fields[name];
      if (count < MAX_CACHED_FIELDS) {
        this.names[count] = name;
        this.values[count] = value;
      }
      count++;
      const part = typeof value === "number"
        ? value | 0
        : typeof value === "string"
        ? value.length * 131 + (value.length > 0 ? value.charCodeAt(value.length - 1) : 0)
        : value
        ? 1
        : 2;
      digest = Math.imul(digest ^ part, 0x01000193);
    }
    this.count = count;
    this.digest = digest >>> 13;
  }
}

/**
 * Field names and values of the events the cache remembers, {@linkcode MAX_CACHED_FIELDS} per
 * slot, compared in order with a {@linkcode FieldsCopy}. The order matters as in the JSON text the
 * collector keys events by (one call site never varies it).
 */
export class CachedFields {
  readonly #names: string[] = new Array(RECENT_SLOTS * MAX_CACHED_FIELDS).fill("");
  readonly #values: (string | number | boolean)[] = new Array(RECENT_SLOTS * MAX_CACHED_FIELDS).fill(0);
  readonly #counts = new Int32Array(RECENT_SLOTS);

  /** Remembers `copy` in `slot`. */
  store(slot: number, copy: FieldsCopy): void {
    const at = slot * MAX_CACHED_FIELDS;
    const count = copy.count;
    this.#counts[slot] = count;
    for (let i = 0; i < count; i++) {
      this.#names[at + i] = copy.names[i];
      this.#values[at + i] = copy.values[i];
    }
  }

  /** True when `slot` holds the same names and values as `copy`, in the same order. */
  equals(slot: number, copy: FieldsCopy): boolean {
    const count = copy.count;
    if (this.#counts[slot] !== count) return false;
    const at = slot * MAX_CACHED_FIELDS;
    for (let i = 0; i < count; i++) {
      if (this.#names[at + i] !== copy.names[i] || this.#values[at + i] !== copy.values[i]) return false;
    }
    return true;
  }
}

/** The inner map of `outer` at `key`, created when missing. */
export function nested<K, K2, V>(outer: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = outer.get(key);
  if (inner === undefined) outer.set(key, inner = new Map());
  return inner;
}
