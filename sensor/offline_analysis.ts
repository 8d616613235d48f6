/**
 * Runs a capture file through the sandboxed dissector workers into an inventory: the
 * `analyze FILE` path.
 *
 * The file is read here, outside the sandbox (the TypeScript reader hands batches of frames left
 * in its read buffer); each batch is copied once into a worker's packet ring; every byte of it is
 * dissected inside a worker with no permissions, exactly as live traffic is. Flush records come
 * back and are merged into the aggregator's {@linkcode Inventory}. A damaged file is analysed up
 * to the damage; the error is returned, not thrown, with the inventory of what came before it.
 *
 * @module
 */

import { PacketBatch } from "../capture/batch.ts";
import { CaptureFileError } from "../capture/capture_error.ts";
import { type CaptureFileSource, DEFAULT_CHUNK_SIZE, openCaptureFile } from "../capture/file_source.ts";
import { chunkPoolFor } from "../capture/read_buffers.ts";

/** Shared read buffers of DEFAULT_CHUNK_SIZE: how far the reader may run ahead of the workers. */
const SHARED_READ_BUFFERS = 8;
import { Inventory } from "../aggregator/inventory.ts";
import { DissectorPool } from "../dissectors/worker/pool.ts";
import type { RegistryOptions } from "../dissectors/registry.ts";
import type { FlushRecord } from "../model/flush_record.ts";

/** Options of {@linkcode analyzeCaptureFile}. */
export interface OfflineAnalysisOptions {
  /** Absolute paths of dissector plugin files to load in the workers. */
  pluginFiles?: string[];
  /** Port changes and disabled dissectors. */
  registry?: RegistryOptions;
  /** Throws after which a dissector is disabled (default 100). */
  maxErrors?: number;
  /** Watchdog over the drop-in plugins, ms (default 5 000). */
  watchdogMs?: number;
  /** Heap limit of the drop-in plugins' worker, MiB (default 256). */
  pluginHeapMb?: number;
  /** Flows a worker holds before it flushes early (default 1 000 000). */
  maxFlows?: number;
  /** Dissector workers (default 1; batches are dealt to them in turn). */
  workers?: number;
  /** Packets per batch (default 4096). */
  batchSize?: number;
  /** Called after each batch with the bytes consumed and the file size. */
  onProgress?: (bytesRead: number, fileSize: number) => void;
  /** Also receives every flush record (e.g. to publish it on the bus), with its worker's index. */
  onFlush?: (record: FlushRecord, worker: number) => void;
  /** Workers also flush on their own every this many ms of wall time (default 0: only at the end). */
  flushIntervalMs?: number;
  /** Called after each batch handed to the workers: its frames and their bytes on the wire. */
  onBatch?: (packets: number, bytes: number) => void;
  /** Stops the reading when aborted; what was read is still dissected and flushed. */
  signal?: AbortSignal;
}

/** Result of an offline analysis. */
export interface OfflineAnalysis {
  inventory: Inventory;
  /** Format, size and interfaces of the file. */
  source: {
    file: string;
    format: string;
    file_bytes: number;
    interfaces: unknown[];
    /** Frames longer than their interface's snapshot length: read anyway (as Wireshark), a writer's anomaly. */
    frames_over_snaplen: number;
  };
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
 * @throws {PluginError | RegistrationError} when a plugin cannot be loaded or registered
 */
export async function analyzeCaptureFile(
  path: string,
  options: OfflineAnalysisOptions = {},
): Promise<OfflineAnalysis> {
  const started = performance.now();
  const inventory = new Inventory();
  // The file is read into shared buffers: workers dissect the frames where they were read.
  const chunks = chunkPoolFor(DEFAULT_CHUNK_SIZE, SHARED_READ_BUFFERS);
  // Plugins first: a configuration error is reported before anything is read.
  const pool = await DissectorPool.start({
    chunkPools: [chunks],
    workers: options.workers,
    flushIntervalMs: options.flushIntervalMs,
    pluginFiles: options.pluginFiles,
    registry: options.registry,
    maxErrors: options.maxErrors,
    watchdogMs: options.watchdogMs,
    pluginHeapMb: options.pluginHeapMb,
    maxFlows: options.maxFlows,
    onFlush: (record, worker) => {
      options.onFlush?.(record, worker);
      inventory.merge(record, `worker-${worker}`);
    },
  });
  let source: CaptureFileSource;
  try {
    source = await openCaptureFile(path, { pool: chunks });
  } catch (error) {
    pool.terminate();
    throw error;
  }
  const batch = new PacketBatch(options.batchSize ?? 4096);
  let error: CaptureFileError | null = null;
  let next = 0;
  try {
    while (!options.signal?.aborted) {
      let more: boolean;
      try {
        more = await source.next(batch);
      } catch (caught) {
        if (!(caught instanceof CaptureFileError)) throw caught;
        error = caught;
        break;
      }
      if (!more) break;
      const rings = pool.rings();
      const ring = rings[next];
      next = (next + 1) % rings.length;
      // A file is never dropped: wait for the worker to make room.
      while (!ring.tryWriteBatch(batch)) {
        pool.check();
        await ring.waitForSpaceAsync(100);
      }
      if (options.onBatch) {
        let bytes = 0;
        for (let i = 0; i < batch.count; i++) bytes += batch.wirelen[i];
        options.onBatch(batch.count, bytes);
      }
      options.onProgress?.(source.bytesRead, source.fileSize);
    }
  } catch (caught) {
    pool.terminate();
    throw caught;
  } finally {
    source.close();
  }
  for (const ring of pool.rings()) ring.close();
  await pool.finish();
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
    frames_over_snaplen: source.overSnaplen,
  };
}
