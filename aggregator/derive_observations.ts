/**
 * Identities and events of the inventory as document records: the same fields, with times as ISO
 * 8601 text instead of µs.
 *
 * @module
 */

import type { EventRecord, IdentityRecord } from "../model/flush_record.ts";
import type { EventFact, IdentityFact } from "./inventory_types.ts";
import { isoTime } from "./derive_flows.ts";

/** One merged identity as a document record. */
export function identityFact(record: IdentityRecord): IdentityFact {
  const { first_seen_us, last_seen_us, ...rest } = record;
  return { ...rest, first_seen: isoTime(first_seen_us), last_seen: isoTime(last_seen_us) };
}

/** One merged event as a document record. */
export function eventFact(record: EventRecord): EventFact {
  const { first_seen_us, last_seen_us, ...rest } = record;
  return { ...rest, first_seen: isoTime(first_seen_us), last_seen: isoTime(last_seen_us) };
}
