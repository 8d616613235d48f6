/**
 * The demo source: a capture file (the bundled sample plant capture) replayed in real time with
 * its timestamps moved to now, looping. Each loop is shifted by the capture's duration, so devices
 * keep being seen, flows keep growing and the dashboard moves, as on a real network.
 *
 * The file is read once, outside the sandbox, into memory (the sample is small); its frames are
 * then handed, as they fall due, to the same sandboxed dissector workers live capture uses, through
 * their packet rings.
 *
 * @module
 */

import { PacketBatch } from "../capture/batch.ts";
import { openCaptureFile } from "../capture/file_source.ts";
import { DissectorPool } from "../dissectors/worker/pool.ts";
import type { RegistryOptions } from "../dissectors/registry.ts";
import type { FlushRecord } from "../model/flush_record.ts";

/** Options of {@linkcode replayDemo}. */
export interface DemoReplayOptions {
  /** The capture file to replay. */
  path: string;
  /** Stops the replay when aborted (the workers then dissect what they have and flush). */
  signal: AbortSignal;
  /** Workers flush this often, ms. */
  flushIntervalMs: number;
  /** Receives every flush record, with its worker's index. */
  onFlush: (record: FlushRecord, worker: number) => void;
  /** Called for each batch handed to the workers: frames and bytes on the wire. */
  onBatch?: (packets: number, bytes: number) => void;
  /** Called once the workers run and the file is loaded. */
  onRunning?: (frames: number, durationSeconds: number) => void;
  pluginFiles?: string[];
  registry?: RegistryOptions;
  maxErrors?: number;
  workers?: number;
  /** Bytes of each packet ring (default 8 MiB). */
  ringBytes?: number;
  /** The clock, ms since the epoch (default `Date.now`). */
  now?: () => number;
}

/** The frames of a capture file, in memory. */
interface LoadedCapture {
  bytes: Uint8Array;
  offset: Uint32Array;
  caplen: Uint32Array;
  wirelen: Uint32Array;
  /** Time of each frame, µs since the first frame. */
  atUs: Float64Array;
  linkType: Uint16Array;
  ifIndex: Uint16Array;
  count: number;
  /** Shift from one loop to the next, µs: the capture's duration in whole seconds (at least 1 s). */
  periodUs: number;
}

/** Most frames one batch carries. */
const BATCH_FRAMES = 1024;
/** Longest sleep between two checks for frames that fell due, ms. */
const MAX_SLEEP_MS = 200;

async function loadCapture(path: string): Promise<LoadedCapture> {
  const source = await openCaptureFile(path);
  const chunks: Uint8Array[] = [];
  const meta: { caplen: number; wirelen: number; us: number; linkType: number; ifIndex: number }[] = [];
  const batch = new PacketBatch(4096);
  try {
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        chunks.push(batch.bytes.slice(batch.offset[i], batch.offset[i] + batch.caplen[i]));
        meta.push({
          caplen: batch.caplen[i],
          wirelen: batch.wirelen[i],
          us: batch.tsSec[i] * 1e6 + Math.floor(batch.tsNsec[i] / 1000),
          linkType: batch.linkType[i],
          ifIndex: batch.ifIndex[i],
        });
      }
    }
  } finally {
    source.close();
  }
  const count = meta.length;
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const loaded: LoadedCapture = {
    bytes: new Uint8Array(total),
    offset: new Uint32Array(count),
    caplen: new Uint32Array(count),
    wirelen: new Uint32Array(count),
    atUs: new Float64Array(count),
    linkType: new Uint16Array(count),
    ifIndex: new Uint16Array(count),
    count,
    periodUs: 1e6,
  };
  const firstUs = count > 0 ? Math.min(...meta.map((m) => m.us)) : 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    loaded.bytes.set(chunks[i], at);
    loaded.offset[i] = at;
    at += chunks[i].length;
    loaded.caplen[i] = meta[i].caplen;
    loaded.wirelen[i] = meta[i].wirelen;
    loaded.atUs[i] = meta[i].us - firstUs;
    loaded.linkType[i] = meta[i].linkType;
    loaded.ifIndex[i] = meta[i].ifIndex;
  }
  const lastUs = count > 0 ? Math.max(...loaded.atUs) : 0;
  loaded.periodUs = Math.max(1, Math.ceil(lastUs / 1e6)) * 1e6;
  return loaded;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * Replays `options.path` in real time, looping, until `options.signal` is aborted.
 *
 * @returns how many loops were completed and how many frames were handed to the workers
 * @throws {CaptureFileError} when the file is not a capture file
 * @throws {PluginError | RegistrationError} when a plugin cannot be loaded
 */
export async function replayDemo(options: DemoReplayOptions): Promise<{ loops: number; frames: number }> {
  const capture = await loadCapture(options.path);
  const now = options.now ?? Date.now;
  const pool = await DissectorPool.start({
    workers: options.workers,
    pluginFiles: options.pluginFiles,
    registry: options.registry,
    maxErrors: options.maxErrors,
    ringBytes: options.ringBytes ?? 8 * 1024 * 1024,
    producers: 1,
    flushIntervalMs: options.flushIntervalMs,
    onFlush: (record, worker) => options.onFlush(record, worker),
  });
  options.onRunning?.(capture.count, capture.periodUs / 1e6);
  const batch = new PacketBatch(BATCH_FRAMES, capture.bytes);
  const signal = options.signal;
  let loops = 0;
  let frames = 0;
  let next = 0;
  let baseUs = now() * 1000;
  let ring = 0;
  try {
    while (!signal.aborted && capture.count > 0) {
      const nowUs = now() * 1000;
      batch.count = 0;
      let bytes = 0;
      while (next < capture.count && batch.count < BATCH_FRAMES && baseUs + capture.atUs[next] <= nowUs) {
        const i = batch.count++;
        const dueUs = baseUs + capture.atUs[next];
        batch.offset[i] = capture.offset[next];
        batch.caplen[i] = capture.caplen[next];
        batch.wirelen[i] = capture.wirelen[next];
        batch.tsSec[i] = Math.floor(dueUs / 1e6);
        batch.tsNsec[i] = Math.floor(dueUs % 1e6) * 1000;
        batch.linkType[i] = capture.linkType[next];
        batch.ifIndex[i] = capture.ifIndex[next];
        bytes += capture.wirelen[next];
        next++;
      }
      if (batch.count > 0) {
        const rings = pool.rings();
        const target = rings[ring];
        ring = (ring + 1) % rings.length;
        // The demo is never dropped: wait for the worker to make room.
        while (!target.tryWriteBatch(batch) && !signal.aborted) {
          pool.check();
          await target.waitForSpaceAsync(100);
        }
        frames += batch.count;
        options.onBatch?.(batch.count, bytes);
      }
      if (next === capture.count) {
        next = 0;
        loops++;
        baseUs += capture.periodUs;
        continue;
      }
      if (batch.count < BATCH_FRAMES) {
        const waitMs = (baseUs + capture.atUs[next]) / 1000 - now();
        await sleep(Math.min(MAX_SLEEP_MS, Math.max(1, waitMs)), signal);
      }
    }
  } catch (error) {
    pool.terminate();
    throw error;
  }
  for (const r of pool.rings()) r.close();
  await pool.finish();
  return { loops, frames };
}
