/**
 * Capture counters as text, for `status` and the end of a live run.
 *
 * @module
 */

import type { CaptureStats } from "../capture/live/protocol.ts";
import { formatTable } from "./table.ts";

/** A table of per-interface counters. */
export function formatCaptureStats(stats: CaptureStats[]): string {
  return formatTable(
    ["interface", "received", "kernel drops", "interface drops", "ring drops", "batches"],
    stats.map((s) => [s.iface, s.received, s.kernelDropped, s.interfaceDropped, s.ringDropped, s.batches]),
  );
}
