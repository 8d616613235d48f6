/**
 * Island: the latest events, with those the live socket announces put on top.
 *
 * @module
 */

import { useEffect } from "preact/hooks";
import { type EventRow, EventRows } from "../components/live_parts.tsx";
import { liveEvents, startLive } from "./live_store.ts";
import type { LiveEventsProps } from "./props.ts";

/** The latest-events table, live. */
export function LiveEvents({ rows, labels }: LiveEventsProps) {
  useEffect(startLive, []);
  const added: EventRow[] = liveEvents.value.map((event) => ({
    id: event.id,
    time: event.at,
    type: event.type,
    severity: event.severity,
    device_id: event.device_id,
    text: event.message,
  }));
  const seen = new Set(added.map((row) => row.id));
  return (
    <EventRows rows={[...added, ...rows.filter((row) => !seen.has(row.id))].slice(0, 10)} labels={labels} />
  );
}
