/**
 * Live capture options of each interface, from the configuration and the command line.
 *
 * @module
 */

import type { Config } from "../config/schema.ts";
import type { LiveCaptureOptions } from "../capture/live/protocol.ts";
import { pluginFiles } from "../dissectors/plugin_loader.ts";
import type { RegistryOptions } from "../dissectors/registry.ts";

/** How the configuration (`[dissectors]`) asks for the capture to be dissected. */
export interface DissectionOptions {
  workers: number;
  /** Absolute paths of the plugin files of `plugins_dir`. */
  pluginFiles: string[];
  registry: RegistryOptions;
  maxErrors: number;
  watchdogMs: number;
  pluginHeapMb: number;
  /** Flows a worker holds before it flushes early (`[dissectors] max_flows`). */
  maxFlows: number;
}

/** The dissection options of the configuration, for a file or a live capture. */
export function dissectionOptions(config: Config): DissectionOptions {
  const dissectors = config.dissectors;
  return {
    workers: dissectors.workers,
    pluginFiles: dissectors.plugins_dir ? pluginFiles(dissectors.plugins_dir) : [],
    registry: { ports: dissectors.ports, disabled: dissectors.disabled },
    maxErrors: dissectors.max_errors,
    watchdogMs: dissectors.watchdog_s * 1000,
    pluginHeapMb: dissectors.plugin_memory_mb,
    maxFlows: dissectors.max_flows,
  };
}

/** Command-line overrides of the capture settings. */
export interface CaptureFlags {
  /** Interfaces given with --iface (replace the configured ones). */
  interfaces?: string[];
  filter?: string;
  snaplen?: number;
  promiscuous?: boolean;
  maxPackets?: number;
}

/** One {@linkcode LiveCaptureOptions} per interface. */
export function captureOptions(config: Config, flags: CaptureFlags = {}): LiveCaptureOptions[] {
  const capture = config.capture;
  const configured = new Map(capture.interfaces.map((iface) => [iface.name, iface]));
  const names = flags.interfaces && flags.interfaces.length > 0
    ? flags.interfaces
    : capture.interfaces.map((iface) => iface.name);
  return names.map((name) => {
    const own = configured.get(name);
    const filter = flags.filter ?? own?.filter ?? capture.filter;
    return {
      iface: name,
      snaplen: flags.snaplen ?? own?.snaplen ?? capture.snaplen,
      promiscuous: flags.promiscuous ?? own?.promiscuous ?? capture.promiscuous,
      bufferBytes: capture.buffer_size_mb * 1024 * 1024,
      filter: filter === "" ? undefined : filter,
      timeoutMs: capture.timeout_ms,
      batchPackets: capture.batch_packets,
      batchLatencyMs: capture.batch_latency_ms,
      maxPackets: flags.maxPackets,
    };
  });
}
