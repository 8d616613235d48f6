/**
 * Keys of the observation collector: a 53-bit hash of a subject's address bytes (no text built
 * per packet), a cheap digest of event fields to pick a cache slot, and field-set equality.
 *
 * @module
 */

/**
 * Two 32-bit FNV-style hashes fed the same values, finished as one 53-bit number (32 bits of one,
 * 21 of the other): a safe integer, so it keys a `Map` by value without building text.
 */
export class SubjectHash {
  #h1 = 0;
  #h2 = 0;

  /** Starts a new hash from `seed`. */
  start(seed: number): void {
    this.#h1 = (0x811c9dc5 ^ seed) >>> 0;
    this.#h2 = (0x5bd1e995 ^ Math.imul(seed, 0x27d4eb2d)) >>> 0;
  }

  /** Adds one value (a byte, a character code, a length). */
  mix(value: number): void {
    this.#h1 = Math.imul(this.#h1 ^ value, 0x01000193);
    const h2 = Math.imul(this.#h2 ^ value, 0x5bd1e995);
    this.#h2 = h2 ^ (h2 >>> 15);
  }

  /** Adds `length` bytes at `at`, or a marker when the address is absent (`at` < 0). */
  mixBytes(bytes: Uint8Array, at: number, length: number): void {
    this.mix(at < 0 ? 0x100 : length);
    if (at < 0) return;
    for (let i = 0; i < length; i++) this.mix(bytes[at + i]);
  }

  /** The 53-bit key. */
  finish(): number {
    return (this.#h1 >>> 0) * 2097152 + (this.#h2 >>> 11);
  }
}

/** Slots of the per-flow caches of recent identities and events (a power of two). */
export const RECENT_SLOTS = 4096;

/** A cheap digest of field values (numbers, string lengths and last characters), to pick a cache slot. */
export function fieldsDigest(fields: Record<string, string | number | boolean>): number {
  let digest = 0;
  for (const name in fields) {
    const value = fields[name];
    const part = typeof value === "number"
      ? value | 0
      : typeof value === "string"
      ? value.length * 131 + (value.length > 0 ? value.charCodeAt(value.length - 1) : 0)
      : value
      ? 1
      : 2;
    digest = Math.imul(digest ^ part, 0x01000193);
  }
  return digest >>> 13;
}

/**
 * True when two event field sets have the same names with the same values, without building their
 * JSON texts. Unlike the texts it ignores the order of names, which one call site never varies.
 */
export function sameFields(
  a: Record<string, string | number | boolean>,
  b: Record<string, string | number | boolean>,
): boolean {
  let count = 0;
  for (const name in b) {
    if (a[name] !== b[name] || !(name in a)) return false;
    count++;
  }
  for (const _ in a) count--;
  return count === 0;
}

/** The inner map of `outer` at `key`, created when missing. */
export function nested<K, K2, V>(outer: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = outer.get(key);
  if (inner === undefined) outer.set(key, inner = new Map());
  return inner;
}
