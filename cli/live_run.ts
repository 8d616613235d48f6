/**
 * Runs the live sensor until a duration, a packet count, or Ctrl-C / SIGTERM, and returns the
 * inventory: what `analyze --iface` and `start --iface` share.
 *
 * @module
 */

import { Inventory } from "../aggregator/inventory.ts";
import { LiveSensor } from "../sensor/live_sensor.ts";
import type { CaptureStats, LiveCaptureOptions } from "../capture/live/protocol.ts";
import type { Config } from "../config/schema.ts";
import { dissectionOptions } from "./capture_options.ts";
import type { FlushRecord } from "../model/flush_record.ts";

/** How long to listen. */
export interface LiveRunOptions {
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Called with the sensor once it runs (e.g. to write status periodically). */
  onRunning?: (sensor: LiveSensor, inventory: Inventory) => void;
  /** Also receives every flush record (e.g. to publish it on the bus), with its worker's index. */
  onFlush?: (record: FlushRecord, worker: number) => void;
  /** Stops the run when aborted (e.g. when the observations cannot be stored any more). */
  stop?: AbortSignal;
}

/** Result of a live run. */
export interface LiveRun {
  inventory: Inventory;
  stats: CaptureStats[];
  seconds: number;
  /** What ended the run. */
  endedBy: "duration" | "count" | "signal" | "stopped";
}

function signalOnce(): { promise: Promise<"signal">; dispose: () => void } {
  let resolve: (value: "signal") => void;
  const promise = new Promise<"signal">((r) => resolve = r);
  const handler = () => resolve("signal");
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, handler);
  return {
    promise,
    dispose: () => signals.forEach((signal) => Deno.removeSignalListener(signal, handler)),
  };
}

/**
 * Captures on the given interfaces and returns the inventory.
 *
 * @throws {LiveCaptureError | PluginError | RegistrationError} when the capture cannot start
 */
export async function runLive(
  config: Config,
  interfaces: LiveCaptureOptions[],
  options: LiveRunOptions = {},
): Promise<LiveRun> {
  const started = performance.now();
  const inventory = new Inventory();
  const sensor = await LiveSensor.start({
    interfaces,
    ...dissectionOptions(config),
    ringBytes: config.dissectors.ring_size_mb * 1024 * 1024,
    flushIntervalMs: config.aggregator.flush_interval_s * 1000,
    onFlush: (record, worker) => {
      options.onFlush?.(record, worker);
      inventory.merge(record, `worker-${worker}`);
    },
  });
  const signal = signalOnce();
  options.onRunning?.(sensor, inventory);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waits: Promise<LiveRun["endedBy"]>[] = [
    signal.promise,
    sensor.captureEnded().then(() => "count" as const),
  ];
  const stop = options.stop;
  if (stop) {
    waits.push(
      new Promise((resolve) =>
        stop.aborted
          ? resolve("stopped")
          : stop.addEventListener("abort", () => resolve("stopped"), { once: true })
      ),
    );
  }
  if (options.durationSeconds !== undefined) {
    waits.push(
      new Promise((resolve) =>
        timer = setTimeout(() => resolve("duration"), options.durationSeconds! * 1000)
      ),
    );
  }
  const endedBy = await Promise.race(waits);
  clearTimeout(timer);
  const stats = await sensor.stop();
  signal.dispose();
  return { inventory, stats, seconds: (performance.now() - started) / 1000, endedBy };
}
