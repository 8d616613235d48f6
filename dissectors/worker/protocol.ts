/**
 * Messages between the sensor (main thread) and its sandboxed dissector workers.
 *
 * Packets travel in a {@linkcode PacketRing}; control travels in a small shared Int32Array
 * ({@linkcode WorkerControl}) because a worker busy dissecting never returns to its event loop to
 * read messages. Results (flush records) and errors travel as messages.
 *
 * @module
 */

import type { RingBuffers } from "../../capture/ring.ts";
import { flushArrays, type FlushRecord } from "../../model/flush_record.ts";
import type { RegistryOptions } from "../registry.ts";
import type { DisabledDissector } from "../../model/engine_stats.ts";
import type { ChannelBuffers } from "./plugin_channel.ts";
import type { PluginDescription } from "./plugin_proxy.ts";

/** Words of the shared control array. */
export const WorkerControl = {
  /** Set to 1 to ask the worker to dissect what is in its ring, flush, and finish. */
  STOP: 0,
  /** Incremented by the sensor to ask for a flush; the worker answers with a `flush` message. */
  FLUSH_REQUESTED: 1,
  /** Written by the worker: flows it meters since its last flush (for the live status). */
  FLOWS: 2,
  /** Number of words. */
  WORDS: 4,
} as const;

/** First message to a dissector worker. */
export interface InitMessage {
  type: "init";
  /** Index of this worker, echoed in its messages. */
  index: number;
  /** The rings this worker reads, one per producer (file reader, or capture worker per interface). */
  rings: RingBuffers[];
  control: SharedArrayBuffer;
  registry: RegistryOptions;
  /** Flush on its own every this many milliseconds of wall time (0: only when asked or at the end). */
  flushIntervalMs: number;
  heuristicTries?: number;
  maxErrors?: number;
  /** The drop-in plugins' dissectors, run by the plugin host at the other end of `pluginChannel`. */
  plugins: PluginDescription[];
  pluginChannel: ChannelBuffers;
  /** Longest wait for a plugin's answer, ms. */
  watchdogMs: number;
  /** Plugins disabled before the worker started (stuck while loading). */
  disabledAtStart: DisabledDissector[];
  /** Flows held before the worker flushes on its own ({@linkcode DEFAULT_MAX_FLOWS}). */
  maxFlows: number;
}

/** Flows a dissector worker holds between two flushes unless configured otherwise. */
export const DEFAULT_MAX_FLOWS = 1_000_000;

/** Messages from a dissector worker. */
export type WorkerMessage =
  | { type: "ready"; index: number; dissectors: string[] }
  | { type: "flush"; index: number; record: FlushRecord; final: boolean; requested: number }
  | { type: "error"; index: number; message: string }
  | { type: "plugin-stuck"; index: number; name: string; reason: string };

/** Transferable buffers of a flush record (so posting it copies nothing). */
export function flushTransferables(record: FlushRecord): ArrayBuffer[] {
  return flushArrays(record).map((array) => array.buffer as ArrayBuffer);
}
