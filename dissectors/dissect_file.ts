/**
 * Dissects a capture file in this process, without the sandboxed worker: the in-process reference
 * that tests, benchmarks and tools compare the real pipeline with (sensor/offline_analysis.ts is
 * the path users run).
 *
 * @module
 */

import type { FlushRecord } from "../model/flush_record.ts";
import { type CaptureFileSource, openCaptureFile } from "../capture/file_source.ts";
import { PacketBatch } from "../capture/batch.ts";
import { CaptureFileError } from "../capture/capture_error.ts";
import { DissectionEngine, type EngineOptions } from "./engine.ts";
import { DissectorRegistry } from "./registry.ts";
import { BUILTIN_DISSECTORS } from "./builtin.ts";
import { takeFlush } from "./flush.ts";

/** Options of {@linkcode dissectFile}. */
export interface DissectFileOptions {
  /** The engine to feed (default: a fresh one over the built-in dissectors). */
  engine?: DissectionEngine;
  /** Options of the default engine. */
  engineOptions?: EngineOptions;
  /** Take a flush record every this many packets, and one at the end (default: one at the end). */
  packetsPerFlush?: number;
  /** Stop reading once this returns true (checked after each batch). */
  until?: (engine: DissectionEngine) => boolean;
  /**
   * A damaged file: `"stop"` keeps what was read before the damage, as `analyze` does; `"throw"`
   * (default) rethrows the {@linkcode CaptureFileError}.
   */
  onDamage?: "stop" | "throw";
  /** Packets per read batch (default 1024). */
  batchPackets?: number;
}

/**
 * Reads `path` and dissects every frame; returns the flush records taken (at least one).
 *
 * @example The flush record of a whole file
 * ```ts ignore
 * const [record] = await dissectFile("capture.pcapng");
 * ```
 * @throws {CaptureFileError} when the file cannot be read, or is damaged and `onDamage` is "throw"
 */
export async function dissectFile(path: string, options: DissectFileOptions = {}): Promise<FlushRecord[]> {
  const engine = options.engine ??
    new DissectionEngine(new DissectorRegistry([...BUILTIN_DISSECTORS]), options.engineOptions);
  const perFlush = options.packetsPerFlush ?? Infinity;
  const source = await openCaptureFile(path);
  const batch = new PacketBatch(Math.max(1, Math.min(options.batchPackets ?? 1024, perFlush)));
  const records: FlushRecord[] = [];
  let sinceFlush = 0;
  try {
    while (await nextBatch(source, batch, options.onDamage ?? "throw")) {
      engine.process(batch);
      sinceFlush += batch.count;
      if (sinceFlush >= perFlush) {
        records.push(takeFlush(engine));
        sinceFlush = 0;
      }
      if (options.until?.(engine)) break;
    }
  } finally {
    source.close();
  }
  records.push(takeFlush(engine));
  return records;
}

async function nextBatch(
  source: CaptureFileSource,
  batch: PacketBatch,
  onDamage: "stop" | "throw",
): Promise<boolean> {
  try {
    return await source.next(batch);
  } catch (error) {
    if (onDamage === "stop" && error instanceof CaptureFileError) return false;
    throw error;
  }
}
