/**
 * The live sensor: one capture worker per interface (the only code with FFI and CAP_NET_RAW), the
 * sandboxed dissector workers, and the rings between them. Flush records go to the caller.
 *
 * Stopping is orderly: each capture worker pushes its last partial batch and closes its rings,
 * then the dissector workers dissect what is left and take their final flush. Nothing captured is
 * left behind, and every drop (kernel, interface, ring) is counted.
 *
 * @module
 */

import { DissectorPool } from "../dissectors/worker/pool.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import type { RegistryOptions } from "../dissectors/registry.ts";
import {
  CAPTURE_WORKER_PERMISSIONS,
  CAPTURE_WORKER_URL,
  type CaptureStats,
  createControl,
  LiveCaptureError,
  type LiveCaptureOptions,
  requestStop,
  type StartMessage,
  type WorkerMessage,
} from "../capture/live/protocol.ts";

/** Options of {@linkcode LiveSensor.start}. */
export interface LiveSensorOptions {
  /** One entry per interface. */
  interfaces: LiveCaptureOptions[];
  /** Dissector workers (default 1). */
  workers?: number;
  pluginFiles?: string[];
  registry?: RegistryOptions;
  /** Throws after which a dissector is disabled (default 100). */
  maxErrors?: number;
  /** Watchdog over the drop-in plugins, ms (default 5 000). */
  watchdogMs?: number;
  /** Heap limit of the drop-in plugins' worker, MiB (default 256). */
  pluginHeapMb?: number;
  /** Flows a worker holds before it flushes early (default 1 000 000). */
  maxFlows?: number;
  /** Bytes of each packet ring (default 64 MiB). */
  ringBytes?: number;
  /** Dissector workers flush on their own this often (ms; default 60 000). */
  flushIntervalMs?: number;
  /** Receives every flush record. */
  onFlush: (record: FlushRecord, worker: number, final: boolean) => void;
  /** Receives capture counters (about every second per interface). */
  onStats?: (stats: CaptureStats) => void;
}

interface CaptureWorker {
  iface: string;
  worker: Worker;
  control: SharedArrayBuffer;
  stopped: Promise<CaptureStats>;
  linkType: number;
}

/** A running live capture. */
export class LiveSensor {
  readonly #pool: DissectorPool;
  readonly #captures: CaptureWorker[];
  readonly #stats: Map<string, CaptureStats>;
  #stopping: Promise<CaptureStats[]> | null = null;

  private constructor(pool: DissectorPool, captures: CaptureWorker[], stats: Map<string, CaptureStats>) {
    this.#pool = pool;
    this.#captures = captures;
    this.#stats = stats;
  }

  /**
   * Starts the dissector workers, then one capture worker per interface, and resolves once every
   * interface is capturing.
   *
   * @throws {LiveCaptureError} when an interface cannot be captured (permission, unknown, down, filter…)
   * @throws {PluginError | RegistrationError} when a plugin cannot be loaded
   */
  static async start(options: LiveSensorOptions): Promise<LiveSensor> {
    if (options.interfaces.length === 0) {
      throw new LiveCaptureError("bad-options", "Cannot start a live capture: no interface given");
    }
    const pool = await DissectorPool.start({
      workers: options.workers,
      pluginFiles: options.pluginFiles,
      registry: options.registry,
      maxErrors: options.maxErrors,
      watchdogMs: options.watchdogMs,
      pluginHeapMb: options.pluginHeapMb,
      maxFlows: options.maxFlows,
      ringBytes: options.ringBytes,
      producers: options.interfaces.length,
      flushIntervalMs: options.flushIntervalMs ?? 60_000,
      onFlush: options.onFlush,
    });
    const stats = new Map<string, CaptureStats>();
    const starts: Promise<CaptureWorker>[] = options.interfaces.map((iface, producer) =>
      startCapture(iface, pool, producer, (s) => {
        stats.set(s.iface, s);
        options.onStats?.(s);
      })
    );
    const results = await Promise.allSettled(starts);
    const failed = results.find((result) => result.status === "rejected");
    const captures = results.flatMap((result) => result.status === "fulfilled" ? [result.value] : []);
    if (failed) {
      for (const capture of captures) requestStop(capture.control);
      await Promise.all(captures.map((capture) => capture.stopped));
      pool.terminate();
      throw (failed as PromiseRejectedResult).reason;
    }
    return new LiveSensor(pool, captures, stats);
  }

  /** Interfaces and their link types. */
  get interfaces(): { iface: string; linkType: number }[] {
    return this.#captures.map(({ iface, linkType }) => ({ iface, linkType }));
  }

  /** Latest counters of each interface. */
  get stats(): CaptureStats[] {
    return [...this.#stats.values()];
  }

  /** Resolves when every capture worker has stopped on its own (e.g. after `maxPackets`). */
  captureEnded(): Promise<CaptureStats[]> {
    return Promise.all(this.#captures.map((capture) => capture.stopped));
  }

  /** Flows metered since the last flush, not yet handed to `onFlush`. */
  get unflushedFlows(): number {
    return this.#pool.unflushedFlows;
  }

  /** Asks the dissector workers for a flush now. */
  flush(): Promise<void> {
    return this.#pool.flush();
  }

  /**
   * Stops the capture, lets the dissector workers finish what was captured, and returns the final
   * counters of each interface. Safe to call more than once.
   */
  stop(): Promise<CaptureStats[]> {
    this.#stopping ??= (async () => {
      for (const capture of this.#captures) requestStop(capture.control);
      const final = await Promise.all(this.#captures.map((capture) => capture.stopped));
      await this.#pool.finish();
      return final;
    })();
    return this.#stopping;
  }
}

function startCapture(
  options: LiveCaptureOptions,
  pool: DissectorPool,
  producer: number,
  onStats: (stats: CaptureStats) => void,
): Promise<CaptureWorker> {
  const worker = new Worker(CAPTURE_WORKER_URL, {
    type: "module",
    deno: { permissions: CAPTURE_WORKER_PERMISSIONS },
  } as unknown as WorkerOptions);
  const control = createControl();
  let stoppedResolve: (stats: CaptureStats) => void;
  const stopped = new Promise<CaptureStats>((resolve) => stoppedResolve = resolve);
  return new Promise((resolve, reject) => {
    let started = false;
    let lastStats: CaptureStats = {
      iface: options.iface,
      received: 0,
      kernelDropped: 0,
      interfaceDropped: 0,
      ringDropped: 0,
      batches: 0,
    };
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      switch (message.type) {
        case "started":
          started = true;
          resolve({ iface: message.iface, worker, control, stopped, linkType: message.linkType });
          break;
        case "error":
          if (!started) reject(LiveCaptureError.from(message));
          else console.error(`netsentinel: ${message.message}`);
          break;
        case "stats":
          lastStats = message.stats;
          onStats(message.stats);
          break;
        case "stopped":
          lastStats = message.stats;
          onStats(message.stats);
          worker.terminate();
          stoppedResolve(message.stats);
          if (!started) {
            reject(
              new LiveCaptureError(
                "capture-failed",
                `Cannot capture on "${options.iface}": the capture stopped before it started`,
              ),
            );
          }
          break;
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const error = new LiveCaptureError(
        "capture-failed",
        `Cannot capture on "${options.iface}": ${event.message}`,
      );
      if (!started) reject(error);
      else console.error(`netsentinel: ${error.message}`);
      stoppedResolve(lastStats);
    };
    const start: StartMessage = {
      type: "start",
      options,
      rings: pool.rings(producer).map((ring) => ring.buffers),
      control,
    };
    worker.postMessage(start);
  });
}
