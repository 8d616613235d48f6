/**
 * Runs a capture file through the dissection engine into an inventory: the `analyze FILE` path.
 *
 * The engine is flushed into the aggregator's {@linkcode Inventory} every `flushPackets` packets,
 * as a live sensor flushes every interval, so offline and live analysis share the same code.
 * A damaged file is analysed up to the damage; the error is returned, not thrown, with the
 * inventory of what came before it.
 *
 * @module
 */

import { PacketBatch } from "./batch.ts";
import { CaptureFileError } from "./capture_error.ts";
import { type CaptureFileSource, openCaptureFile } from "./file_source.ts";
import { DissectionEngine } from "../dissectors/engine.ts";
import { DissectorRegistry } from "../dissectors/registry.ts";
import { BUILTIN_DISSECTORS } from "../dissectors/builtin.ts";
import type { Dissector } from "../dissectors/api.ts";
import { Inventory } from "../aggregator/inventory.ts";

/** Options of {@linkcode analyzeCaptureFile}. */
export interface OfflineAnalysisOptions {
  /** Dissectors to use (default: the built-ins). */
  dissectors?: readonly Dissector[];
  /**
   * Packets between two flushes into the inventory (default 8 000 000: a file is read much faster
   * than real time, and each flush re-merges every active flow).
   */
  flushPackets?: number;
  /** Packets per batch (default 4096). */
  batchSize?: number;
  /** Called after each batch with the bytes consumed and the file size. */
  onProgress?: (bytesRead: number, fileSize: number) => void;
}

/** Result of an offline analysis. */
export interface OfflineAnalysis {
  inventory: Inventory;
  /** Format, size and interfaces of the file. */
  source: { file: string; format: string; file_bytes: number; interfaces: unknown[] };
  /** The damage that stopped the reading, if any (everything before it was analysed). */
  error: CaptureFileError | null;
  /** Seconds spent reading, dissecting and aggregating. */
  seconds: number;
}

/**
 * Analyses one capture file.
 *
 * @throws {CaptureFileError} when the file is not a capture file or its header is damaged (nothing to analyse)
 * @throws {Deno.errors.NotFound} when the file does not exist
 */
export async function analyzeCaptureFile(
  path: string,
  options: OfflineAnalysisOptions = {},
): Promise<OfflineAnalysis> {
  const started = performance.now();
  const source = await openCaptureFile(path);
  const registry = new DissectorRegistry(options.dissectors ?? BUILTIN_DISSECTORS);
  const engine = new DissectionEngine(registry);
  const inventory = new Inventory();
  const batch = new PacketBatch(options.batchSize ?? 4096);
  const flushPackets = options.flushPackets ?? 8_000_000;
  let sinceFlush = 0;
  let error: CaptureFileError | null = null;
  try {
    for (;;) {
      let more: boolean;
      try {
        more = await source.next(batch);
      } catch (caught) {
        if (!(caught instanceof CaptureFileError)) throw caught;
        error = caught;
        break;
      }
      if (!more) break;
      engine.process(batch);
      sinceFlush += batch.count;
      if (sinceFlush >= flushPackets) {
        inventory.merge(engine.flush());
        sinceFlush = 0;
      }
      options.onProgress?.(source.bytesRead, source.fileSize);
    }
  } finally {
    source.close();
  }
  inventory.merge(engine.flush());
  return {
    inventory,
    source: describeSource(path, source),
    error,
    seconds: (performance.now() - started) / 1000,
  };
}

function describeSource(path: string, source: CaptureFileSource): OfflineAnalysis["source"] {
  return {
    file: path,
    format: source.format,
    file_bytes: source.fileSize,
    interfaces: source.interfaces.map((iface) => ({ ...iface })),
  };
}
