/**
 * The status file a running appliance rewrites every few seconds, read by `netsentinel status`
 * (the capture runs in another process; a file is the simplest channel that needs no network).
 *
 * @module
 */

import { dirname } from "node:path";
import { z } from "zod";
import type { Inventory } from "../aggregator/inventory.ts";
import { sensorCounters } from "../aggregator/sensor_counters.ts";
import type { SensorCounters } from "../aggregator/inventory_types.ts";
import type { CaptureStats } from "../capture/live/protocol.ts";
import type { StorageStatus } from "../appliance/commit_watch.ts";
import type { CaptureStatus } from "../model/capture_status.ts";

/** Content of the status file. */
export interface StatusDocument {
  pid: number;
  started_at: string;
  updated_at: string;
  /** `live`, `demo` or `files`, or `stopped` once the appliance ended. */
  mode: string;
  /** Seconds between two rewrites of the file (older files may lack it). */
  interval_s?: number;
  capture: CaptureStats[];
  /** Distinct flows handed to the aggregator so far (at each flush). */
  flows: number;
  /** Flows the sensor metered since its last flush (some may be in `flows` already). */
  flows_since_flush?: number;
  engine: Record<string, SensorCounters>;
  /** Whether observations are being stored (older files may lack it). */
  storage?: StorageStatus;
  /** What `GET /api/v1/capture/status` answers (older files may lack it). */
  appliance?: CaptureStatus;
}

/** What else the status says, besides the capture and the inventory. */
export interface StatusExtra {
  /** Seconds between two rewrites. */
  intervalS?: number;
  storage?: StorageStatus;
  /** Flows the live sensor metered since its last flush. */
  unflushedFlows?: number;
  appliance?: CaptureStatus;
}

/** The current status of a run. */
export function statusDocument(
  startedAt: Date,
  mode: string,
  capture: CaptureStats[],
  inventory: Inventory,
  extra: StatusExtra = {},
): StatusDocument {
  return statusDocumentOf(startedAt, mode, capture, inventory.sensorStats, inventory.flows.size, extra);
}

/** The current status of a run that keeps no inventory: engine counters by worker, flows stored. */
export function statusDocumentOf(
  startedAt: Date,
  mode: string,
  capture: CaptureStats[],
  workers: Iterable<[string, Parameters<typeof sensorCounters>[0]]>,
  flows: number,
  extra: StatusExtra = {},
): StatusDocument {
  const engine: Record<string, SensorCounters> = {};
  for (const [sensor, stats] of workers) engine[sensor] = sensorCounters(stats);
  return {
    pid: Deno.pid,
    started_at: startedAt.toISOString(),
    updated_at: new Date().toISOString(),
    mode,
    interval_s: extra.intervalS,
    capture,
    flows,
    flows_since_flush: extra.unflushedFlows ?? 0,
    engine,
    storage: extra.storage,
    appliance: extra.appliance,
  };
}

let writes = 0;

/** Writes the status atomically (temporary file, then rename). */
export async function writeStatusFile(path: string, status: StatusDocument): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  // One temporary name per write: a slow write must not rename away the file of the next one.
  const temporary = `${path}.${Deno.pid}-${++writes}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify(status, null, 2) + "\n");
  await Deno.rename(temporary, path);
}

const count = z.number().int().min(0);
const time = z.string().refine((text) => Number.isFinite(Date.parse(text)), "must be an ISO 8601 time");

/** The parts of a status document `status` reads (other fields are kept as they are). */
const StatusDocumentSchema = z.object({
  pid: z.number().int(),
  started_at: time,
  updated_at: time,
  mode: z.string(),
  interval_s: z.number().positive().optional(),
  capture: z.array(
    z.object({
      iface: z.string(),
      received: count,
      kernelDropped: count,
      interfaceDropped: count,
      ringDropped: count,
      batches: count,
    }).passthrough(),
  ),
  flows: count,
  engine: z.record(
    z.string(),
    z.object({
      packets: count,
      malformed: count,
      truncated: count,
      dissector_errors: z.record(z.string(), z.number()),
      disabled_dissectors: z.array(z.object({ name: z.string(), reason: z.string() }).passthrough()),
    }).passthrough(),
  ),
  storage: z.object({
    location: z.string(),
    state: z.enum(["storing", "failing", "gave-up"]),
    failing_since: time.nullable(),
    error: z.string().nullable(),
    held_batches: count,
    held_mb: z.number().min(0),
    hold_max_s: z.number(),
    hold_max_mb: z.number(),
  }).passthrough().optional(),
}).passthrough();

/** A status document as read back: the fields `status` checked, and the rest as they were. */
export type ReadStatusDocument = z.infer<typeof StatusDocumentSchema>;

/**
 * Parses the text of a status file.
 *
 * @returns the document, or the one-line reason it is not a NetSentinel status file
 */
export function parseStatusDocument(text: string): ReadStatusDocument | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not valid JSON";
  }
  const checked = StatusDocumentSchema.safeParse(value);
  if (checked.success) return checked.data;
  const issue = checked.error.issues[0];
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}
