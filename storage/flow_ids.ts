/**
 * The database ids of the flows this process has committed, by packed flow key, so that the next
 * batch updates a known flow by its primary key instead of resolving its 10-column key again (an
 * `UPDATE … WHERE id = …` is about five times cheaper than `INSERT … ON CONFLICT DO UPDATE`).
 *
 * Only a hint: an id learnt in a transaction is remembered after that transaction commits, and a
 * flow whose row is gone (retention deleted it) is found missing by the update and written again
 * through the upsert, so a stale entry costs a second statement, never a wrong row. Bounded: the
 * least recently committed flows are forgotten first.
 *
 * @module
 */

import { FLOW_KEY_WORDS } from "../model/flow_key.ts";

/** Flows remembered by default (about 60 bytes of key and 30 of map entry each). */
export const DEFAULT_FLOW_ID_LIMIT = 1_000_000;

/** The packed key of flow `entry` of `keys` as a map key (two UTF-16 units per key word). */
export function flowKeyText(keys: Uint32Array, entry: number): string {
  // One call over a view makes a flat string (hashed once), not a chain of concatenations.
  const units = new Uint16Array(
    keys.buffer,
    keys.byteOffset + entry * FLOW_KEY_WORDS * 4,
    FLOW_KEY_WORDS * 2,
  );
  return String.fromCharCode.apply(null, units as unknown as number[]);
}

/** Flow ids by packed key, least recently committed first. */
export class FlowIdCache {
  readonly #ids: Map<string, number> = new Map();
  readonly #limit: number;

  constructor(limit: number = DEFAULT_FLOW_ID_LIMIT) {
    this.#limit = limit;
  }

  /** Flows remembered. */
  get size(): number {
    return this.#ids.size;
  }

  /** The id of a flow, when known. */
  get(key: string): number | undefined {
    return this.#ids.get(key);
  }

  /** Forgets a flow whose row is gone. */
  forget(key: string): void {
    this.#ids.delete(key);
  }

  /** Remembers the flows of a committed batch (most recent last), forgetting the oldest beyond the limit. */
  remember(keys: readonly string[], ids: ArrayLike<number>): void {
    for (let i = 0; i < keys.length; i++) {
      this.#ids.delete(keys[i]);
      this.#ids.set(keys[i], ids[i]);
    }
    if (this.#ids.size <= this.#limit) return;
    let excess = this.#ids.size - this.#limit;
    for (const key of this.#ids.keys()) {
      if (excess-- <= 0) break;
      this.#ids.delete(key);
    }
  }
}
