/**
 * The dissector worker: runs in a Deno Worker with no permissions at all (no file, network, FFI,
 * environment or subprocess access), reads packet batches from its ring, dissects and accounts
 * them with a {@linkcode DissectionEngine}, and posts flush records.
 *
 * Drop-in plugins do not run here: they run in their own worker (`plugin_host.ts`), and the engine
 * reaches them through stand-ins (`plugin_proxy.ts`), so a plugin cannot touch this realm's
 * globals, the shared read buffer or the engine's state.
 *
 * @module
 */

import { PacketBatch } from "../../capture/batch.ts";
import { PacketRing } from "../../capture/ring.ts";
import { BUILTIN_DISSECTORS } from "../builtin.ts";
import { DissectionEngine } from "../engine.ts";
import { DissectorRegistry } from "../registry.ts";
import { PluginLink } from "./plugin_proxy.ts";
import { PluginChannel } from "./plugin_channel.ts";
import { flushTransferables, type InitMessage, WorkerControl, type WorkerMessage } from "./protocol.ts";

/** Packets per batch the worker accepts (the ring's producers must not write larger batches). */
export const WORKER_BATCH_CAPACITY = 8192;

declare const self: {
  onmessage: ((event: MessageEvent<InitMessage>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: ArrayBuffer[]): void;
  close(): void;
};

function post(message: WorkerMessage): void {
  if (message.type === "flush") self.postMessage(message, flushTransferables(message.record));
  else self.postMessage(message);
}

/** Dissects whatever the rings hold now; true when anything was read. */
function drainOnce(rings: PacketRing[], batch: PacketBatch, engine: DissectionEngine): boolean {
  let read = false;
  for (const ring of rings) {
    while (ring.readBatch(batch)) {
      engine.process(batch);
      ring.release();
      read = true;
    }
  }
  return read;
}

function run(init: InitMessage): void {
  const link = new PluginLink(
    new PluginChannel(init.pluginChannel),
    init.watchdogMs,
    (name, reason) => post({ type: "plugin-stuck", index: init.index, name, reason }),
  );
  const plugins = link.dissectors(init.plugins);
  const registry = new DissectorRegistry([...BUILTIN_DISSECTORS, ...plugins], init.registry);
  const engine = new DissectionEngine(registry, {
    heuristicTries: init.heuristicTries,
    maxErrors: init.maxErrors,
  });
  link.engine = engine;
  engine.stats.disabledDissectors.push(...init.disabledAtStart);
  const rings = init.rings.map((buffers) => PacketRing.attach(buffers));
  const control = new Int32Array(init.control);
  const batch = new PacketBatch(WORKER_BATCH_CAPACITY);
  post({ type: "ready", index: init.index, dissectors: registry.dissectors.map((d) => d.name) });
  let flushed = 0;
  let lastFlush = performance.now();
  for (;;) {
    let read = false;
    for (const ring of rings) {
      if (ring.readBatch(batch)) {
        engine.process(batch);
        ring.release();
        read = true;
      }
    }
    if (read) {
      Atomics.store(control, WorkerControl.FLOWS, engine.meter.size);
    } else {
      // Every ring looked empty: finish when the producers closed them or the sensor asked to stop.
      if (rings.every((ring) => ring.drained) || Atomics.load(control, WorkerControl.STOP) === 1) {
        // The rings were read before STOP was: a slab published in between would be lost. STOP
        // (like CLOSED) is set after the last slab is published, so one more pass sees every slab.
        if (drainOnce(rings, batch, engine)) continue;
        break;
      }
      rings[0].waitForData(rings.length === 1 ? 20 : 2);
    }
    const requested = Atomics.load(control, WorkerControl.FLUSH_REQUESTED);
    const due = init.flushIntervalMs > 0 && performance.now() - lastFlush >= init.flushIntervalMs;
    // A full flow table flushes early: the flows go to the aggregator, which merges them by key.
    const full = engine.meter.size >= init.maxFlows;
    if (full) engine.stats.flowTableFlushes++;
    if (requested !== flushed || due || full) {
      post({ type: "flush", index: init.index, record: engine.flush(), final: false, requested });
      Atomics.store(control, WorkerControl.FLOWS, 0);
      flushed = requested;
      lastFlush = performance.now();
    }
  }
  post({
    type: "flush",
    index: init.index,
    record: engine.flush(),
    final: true,
    requested: Atomics.load(control, WorkerControl.FLUSH_REQUESTED),
  });
  self.close();
}

/** Starts the worker once the sensor sends its `init` message. */
export function startDissectorWorker(): void {
  self.onmessage = (event) => {
    self.onmessage = null;
    try {
      run(event.data);
    } catch (error) {
      post({
        type: "error",
        index: event.data.index,
        message: error instanceof Error ? error.message : String(error),
      });
      self.close();
    }
  };
}
