/**
 * What the running appliance is doing, for `GET /api/v1/capture/status`, the live WebSocket and
 * the status file: its mode, the interfaces it captures, packets and bytes per second, drops by
 * kind, the dissectors' health and the captures being imported.
 *
 * Sources report what they hand to the dissectors ({@linkcode ApplianceActivity.counted}) and
 * every flush record's engine counters ({@linkcode ApplianceActivity.flushed}); live capture gives
 * its interface counters. Rates are the difference between two samples taken a second apart.
 *
 * @module
 */

import type { CaptureStats } from "../capture/live/protocol.ts";
import type { EngineStats } from "../model/engine_stats.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import type {
  CaptureMode,
  CaptureRecord,
  CaptureStatus,
  InterfaceStatus,
  PluginHealth,
} from "../model/capture_status.ts";

/** Engine counters of one dissector worker, with its dissectors' names. */
type WorkerStats = EngineStats & { dissectorNames: string[] };

/** A sample of the totals, for rates. */
interface Sample {
  at: number;
  packets: number;
  bytes: number;
}

/** Options of {@linkcode ApplianceActivity}. */
export interface ApplianceActivityOptions {
  mode: Exclude<CaptureMode, "absent">;
  /** Live interface counters (live mode). */
  interfaces?: () => CaptureStats[];
  /** Captures queued or being imported. */
  uploads?: () => CaptureRecord[];
  /** The clock of the rates, ms (default `performance.now`). */
  now?: () => number;
}

/** See the module documentation. */
export class ApplianceActivity {
  readonly mode: Exclude<CaptureMode, "absent">;
  readonly startedAt = new Date();
  readonly #options: ApplianceActivityOptions;
  readonly #workers = new Map<string, WorkerStats>();
  #packets = 0;
  #bytes = 0;
  readonly #now: () => number;
  #previous: Sample;
  #rates = { packets_per_s: 0, bytes_per_s: 0 };
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param options the mode and where live counters and uploads come from */
  constructor(options: ApplianceActivityOptions) {
    this.mode = options.mode;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#previous = { at: this.#now(), packets: 0, bytes: 0 };
  }

  /** Samples the rates every second until {@linkcode stop}. */
  start(): void {
    this.#timer ??= setInterval(() => this.sample(), 1000);
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A source handed `packets` frames of `bytes` bytes (on the wire) to the dissectors. */
  counted(packets: number, bytes: number): void {
    this.#packets += packets;
    this.#bytes += bytes;
  }

  /** A flush record of worker `worker` of source `source` arrived. */
  flushed(source: string, worker: number, record: FlushRecord): void {
    this.#workers.set(`${source}/${worker}`, { ...record.stats, dissectorNames: record.dissectorNames });
  }

  /** Latest engine counters of each dissector worker, by `source/worker`. */
  get workers(): ReadonlyMap<string, WorkerStats> {
    return this.#workers;
  }

  /** Packets and bytes so far; live capture counts packets at the interface. */
  #totals(): { packets: number; bytes: number } {
    const live = this.#options.interfaces?.();
    if (!live || live.length === 0) return { packets: this.#packets, bytes: this.#bytes };
    const packets = live.reduce((sum, stats) => sum + stats.received, 0);
    // Interfaces count packets, not bytes: bytes follow the engine's average frame size.
    const engine = this.#engine();
    const average = engine.packets > 0 ? engine.bytes / engine.packets : 0;
    return { packets: this.#packets + packets, bytes: this.#bytes + Math.round(packets * average) };
  }

  /** Takes a sample: the rates since the previous one. */
  sample(): void {
    const now = this.#now();
    const totals = this.#totals();
    const seconds = (now - this.#previous.at) / 1000;
    if (seconds <= 0) return;
    this.#rates = {
      packets_per_s: Math.max(0, Math.round((totals.packets - this.#previous.packets) / seconds)),
      bytes_per_s: Math.max(0, Math.round((totals.bytes - this.#previous.bytes) / seconds)),
    };
    this.#previous = { at: now, ...totals };
  }

  #engine() {
    const sum = { packets: 0, bytes: 0, truncated: 0, malformed: 0, observations: 0 };
    for (const stats of this.#workers.values()) {
      sum.packets += stats.packets;
      sum.bytes += stats.bytes;
      sum.truncated += stats.truncated;
      sum.malformed += stats.malformed;
      sum.observations += stats.observationsDropped ?? 0;
    }
    return sum;
  }

  #plugins(): PluginHealth[] {
    const plugins = new Map<string, PluginHealth>();
    for (const stats of this.#workers.values()) {
      stats.dissectorNames.forEach((name, index) => {
        const plugin = plugins.get(name) ?? { name, status: "ok", errors: 0, malformed: 0 };
        plugin.errors += stats.dissectorErrors[index] ?? 0;
        plugin.malformed += stats.dissectorMalformed[index] ?? 0;
        plugins.set(name, plugin);
      });
      for (const disabled of stats.disabledDissectors) {
        const plugin = plugins.get(disabled.name) ??
          { name: disabled.name, status: "ok", errors: 0, malformed: 0 };
        plugins.set(disabled.name, { ...plugin, status: "disabled", reason: disabled.reason });
      }
    }
    return [...plugins.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The capture status now. */
  status(): CaptureStatus {
    const live = this.#options.interfaces?.() ?? [];
    const interfaces: InterfaceStatus[] = live.map((stats) => ({
      name: stats.iface,
      received: stats.received,
      kernel_dropped: stats.kernelDropped,
      interface_dropped: stats.interfaceDropped,
      ring_dropped: stats.ringDropped,
    }));
    const engine = this.#engine();
    const kernel = interfaces.reduce((sum, i) => sum + i.kernel_dropped, 0);
    const iface = interfaces.reduce((sum, i) => sum + i.interface_dropped, 0);
    const ring = interfaces.reduce((sum, i) => sum + i.ring_dropped, 0);
    return {
      mode: this.mode,
      demo: this.mode === "demo",
      started_at: this.startedAt.toISOString(),
      updated_at: new Date().toISOString(),
      interfaces,
      rates: { ...this.#rates },
      totals: this.#totals(),
      drops: {
        kernel,
        interface: iface,
        ring,
        observations: engine.observations,
        total: kernel + iface + ring + engine.observations,
      },
      engine: {
        packets: engine.packets,
        bytes: engine.bytes,
        truncated: engine.truncated,
        malformed: engine.malformed,
      },
      plugins: this.#plugins(),
      uploads: (this.#options.uploads?.() ?? []).filter((c) =>
        c.status === "queued" || c.status === "importing"
      ),
    };
  }
}
