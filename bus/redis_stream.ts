/**
 * Readers of raw Redis stream replies (bulk strings as Buffers), so binary payloads stay binary
 * and entries deleted from the stream while pending (trimmed by `MAXLEN`) are seen, which the
 * node-redis reply transformers do not allow.
 *
 * @module
 */

import type { Buffer } from "node:buffer";
import type { RawReply } from "./redis_link.ts";

/** One stream entry; `fields` is null when the entry was deleted while it was pending. */
export interface StreamEntry {
  id: string;
  fields: Map<string, Buffer> | null;
}

function text(value: RawReply): string {
  if (value === null || Array.isArray(value)) {
    throw new TypeError(`Cannot read Redis stream reply: expected a string, got ${JSON.stringify(value)}`);
  }
  return value.toString();
}

function list(value: RawReply, what: string): RawReply[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`Cannot read Redis stream reply: ${what} is not an array`);
  }
  return value;
}

/** Entries of an `XRANGE`-style array: `[[id, [field, value, …] | nil], …]`. */
export function parseEntries(raw: RawReply): StreamEntry[] {
  return list(raw, "the entry list").map((item) => {
    const [id, pairs] = list(item, "an entry");
    if (pairs === null) return { id: text(id), fields: null };
    const flat = list(pairs, "the fields of an entry");
    const fields = new Map<string, Buffer>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(text(flat[i]), flat[i + 1] as Buffer);
    return { id: text(id), fields };
  });
}

/** Entries of an `XREADGROUP` reply on one stream (nil when `BLOCK` timed out → none). */
export function parseReadGroup(raw: RawReply): StreamEntry[] {
  if (raw === null) return [];
  const streams = list(raw, "the XREADGROUP reply");
  if (streams.length === 0) return [];
  return parseEntries(list(streams[0], "a stream")[1]);
}

/** An `XAUTOCLAIM` reply (Redis ≥ 7: cursor, claimed entries, ids deleted from the stream). */
export interface AutoClaim {
  /** Cursor of the next call; `0-0` when the scan of the pending list is complete. */
  next: string;
  entries: StreamEntry[];
  /** Pending ids whose entries were trimmed away; Redis removed them from the pending list. */
  deleted: string[];
}

/** Reads an `XAUTOCLAIM` reply. */
export function parseAutoClaim(raw: RawReply): AutoClaim {
  const [next, entries, deleted] = list(raw, "the XAUTOCLAIM reply");
  return {
    next: text(next),
    entries: parseEntries(entries),
    deleted: deleted === undefined ? [] : list(deleted, "the deleted ids").map(text),
  };
}
