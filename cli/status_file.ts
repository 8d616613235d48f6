/**
 * The status file a running appliance rewrites every few seconds, read by `netsentinel status`
 * (the capture runs in another process; a file is the simplest channel that needs no network).
 *
 * @module
 */

import { dirname } from "node:path";
import type { Inventory } from "../aggregator/inventory.ts";
import { sensorCounters } from "../aggregator/inventory_view.ts";
import type { SensorCounters } from "../aggregator/inventory_types.ts";
import type { CaptureStats } from "../capture/live/protocol.ts";

/** Content of the status file. */
export interface StatusDocument {
  pid: number;
  started_at: string;
  updated_at: string;
  /** `live` or `file`. */
  mode: string;
  capture: CaptureStats[];
  /** Distinct flows handed to the aggregator so far (at each flush). */
  flows: number;
  /** Flows the sensor metered since its last flush (some may be in `flows` already). */
  flows_since_flush?: number;
  engine: Record<string, SensorCounters>;
}

/**
 * The current status of a run.
 *
 * @param unflushedFlows flows the live sensor metered since its last flush
 */
export function statusDocument(
  startedAt: Date,
  mode: string,
  capture: CaptureStats[],
  inventory: Inventory,
  unflushedFlows = 0,
): StatusDocument {
  const engine: Record<string, SensorCounters> = {};
  for (const [sensor, stats] of inventory.sensorStats) engine[sensor] = sensorCounters(stats);
  return {
    pid: Deno.pid,
    started_at: startedAt.toISOString(),
    updated_at: new Date().toISOString(),
    mode,
    capture,
    flows: inventory.flows.size,
    flows_since_flush: unflushedFlows,
    engine,
  };
}

/** Writes the status atomically (temporary file, then rename). */
export async function writeStatusFile(path: string, status: StatusDocument): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify(status, null, 2) + "\n");
  await Deno.rename(temporary, path);
}
