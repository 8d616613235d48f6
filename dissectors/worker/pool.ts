/**
 * The sensor's side of the dissector workers: starts them in the sandbox, gives each a packet
 * ring, asks for flushes and collects the flush records.
 *
 * Sandbox: every worker runs with Deno permissions `"none"` and only the built-in dissectors.
 * Drop-in plugins run apart, in one plugin host per dissector worker (`plugin_supervisor.ts`), with
 * their own realm, heap limit and watchdog: a plugin that fails to load is reported with its file,
 * and one that does not finish loading within the watchdog's time (or runs out of memory while
 * loading) is left out and reported disabled.
 *
 * Needs the `--unstable-worker-options` flag (Deno's permission option for workers).
 *
 * @module
 */

import { PacketRing } from "../../capture/ring.ts";
import type { ChunkPool } from "../../capture/chunk_pool.ts";
import type { FlushRecord } from "../../model/flush_record.ts";
import { PluginChannel } from "./plugin_channel.ts";
import { RegistrationError, type RegistryOptions } from "../registry.ts";
import { DEFAULT_MAX_FLOWS, type InitMessage, WorkerControl, type WorkerMessage } from "./protocol.ts";
import { PluginSupervisor } from "./plugin_supervisor.ts";
import type { DisabledDissector } from "../../model/engine_stats.ts";
import type { PluginDescription } from "./plugin_proxy.ts";

/** Options of {@linkcode DissectorPool.start}. */
export interface DissectorPoolOptions {
  /** Dissector workers (default 1). */
  workers?: number;
  /** Absolute paths of plugin files, loaded into every worker. */
  pluginFiles?: string[];
  /** Port changes and disabled dissectors. */
  registry?: RegistryOptions;
  /** Throws after which a dissector is disabled (default 100; configuration `dissectors.max_errors`). */
  maxErrors?: number;
  /** Flows a worker holds before it flushes on its own (default 1 000 000; `dissectors.max_flows`). */
  maxFlows?: number;
  /** Each worker flushes on its own every this many ms (0, the default: only when asked and at the end). */
  flushIntervalMs?: number;
  /** Bytes of each packet ring (default 64 MiB). */
  ringBytes?: number;
  /**
   * Producers feeding the workers (default 1): each producer gets its own ring to every worker,
   * since a ring has a single producer (one per capture interface, or the file reader).
   */
  producers?: number;
  /**
   * Shared read buffers of each producer (by producer index), when the producer reads into shared
   * memory (a capture file): its batches then reach the workers without a copy.
   */
  chunkPools?: (ChunkPool | undefined)[];
  /**
   * Longest time a plugin may take to answer for one frame, or to load, before it is stopped and
   * disabled, ms (default 5 000; configuration `dissectors.watchdog_s`).
   */
  watchdogMs?: number;
  /** V8 heap limit of each plugin host, MiB (default 256; configuration `dissectors.plugin_memory_mb`). */
  pluginHeapMb?: number;
  /** Receives every flush record, from any worker. */
  onFlush: (record: FlushRecord, worker: number, final: boolean) => void;
}

const WORKER_OPTIONS = { type: "module", deno: { permissions: "none" } } as WorkerOptions;
const RUNTIME_URL = new URL("./runtime.ts", import.meta.url).href;

function blobModule(source: string): string {
  return URL.createObjectURL(new Blob([source], { type: "application/typescript" }));
}

const DEFAULT_WATCHDOG_MS = 5000;
const DEFAULT_PLUGIN_HEAP_MB = 256;

function entrySource(): string {
  return [
    `/// <reference lib="deno.worker" />`,
    `import { startDissectorWorker } from ${JSON.stringify(RUNTIME_URL)};`,
    `startDissectorWorker();`,
  ].join("\n");
}

/**
 * Starts one plugin host per dissector worker. The first one loads the files under the watchdog
 * (a file that does not finish loading is left out and reported); the others load what it kept.
 */
async function startPlugins(options: DissectorPoolOptions, watchdogMs: number, count: number): Promise<{
  hosts: PluginSupervisor[];
  descriptions: PluginDescription[][];
  disabledAtStart: DisabledDissector[];
}> {
  const files = options.pluginFiles ?? [];
  if (files.length === 0) return { hosts: [], descriptions: [], disabledAtStart: [] };
  const heapMb = options.pluginHeapMb ?? DEFAULT_PLUGIN_HEAP_MB;
  const first = new PluginSupervisor(files, heapMb, watchdogMs);
  const hosts = [first];
  try {
    const descriptions = [await first.start()];
    for (let index = 1; index < count; index++) {
      hosts.push(new PluginSupervisor(first.files, heapMb, watchdogMs));
    }
    descriptions.push(...await Promise.all(hosts.slice(1).map((host) => host.start())));
    return { hosts, descriptions, disabledAtStart: first.leftOut };
  } catch (error) {
    for (const host of hosts) host.terminate();
    throw error;
  }
}

/** Running dissector workers. */
export class DissectorPool {
  /** Producer side of the rings: `producerRings[p][w]` carries producer p's packets to worker w. */
  readonly producerRings: PacketRing[][];
  /** Names of the dissectors the workers run (built-ins then plugins). */
  readonly dissectorNames: string[];
  readonly #workers: Worker[];
  readonly #hosts: PluginSupervisor[];
  readonly #controls: Int32Array[];
  readonly #finished: Promise<void>;
  /** Per worker: the highest flush request it answered (or Infinity once it finished). */
  readonly #answered: number[];
  #flushWaiters: { targets: number[]; resolve: () => void }[] = [];
  #failure: Error | undefined;

  private constructor(
    workers: Worker[],
    rings: PacketRing[][],
    controls: Int32Array[],
    names: string[],
    finished: Promise<void>,
    hosts: PluginSupervisor[],
  ) {
    this.#workers = workers;
    this.#hosts = hosts;
    this.producerRings = rings;
    this.#controls = controls;
    this.dissectorNames = names;
    this.#finished = finished;
    this.#answered = workers.map(() => 0);
  }

  /**
   * Checks the plugins and starts the workers.
   *
   * @throws {PluginError} when a plugin file cannot be loaded or exports no valid dissector
   * @throws {RegistrationError} when a registration conflicts (same port twice, wrong API version…)
   */
  static async start(options: DissectorPoolOptions): Promise<DissectorPool> {
    const watchdogMs = options.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    const count = options.workers ?? 1;
    // The plugins are checked and their hosts started while the dissector workers load.
    const plugins = startPlugins(options, watchdogMs, count);
    plugins.catch(() => {/* awaited below */});
    const inits: InitMessage[] = [];
    const entry = blobModule(entrySource());
    const workers: Worker[] = [];
    const producers = options.producers ?? 1;
    const rings: PacketRing[][] = Array.from({ length: producers }, () => []);
    const controls: Int32Array[] = [];
    const ready: Promise<string[]>[] = [];
    const done: Promise<void>[] = [];
    let pool: DissectorPool | undefined;
    for (let index = 0; index < count; index++) {
      const worker = new Worker(entry, WORKER_OPTIONS);
      const workerRings = rings.map((_, producer) =>
        PacketRing.create(options.ringBytes ?? 64 * 1024 * 1024, options.chunkPools?.[producer])
      );
      workerRings.forEach((ring, producer) => rings[producer].push(ring));
      const control = new SharedArrayBuffer(WorkerControl.WORDS * 4);
      workers.push(worker);
      controls.push(new Int32Array(control));
      let readyResolve: (names: string[]) => void;
      let fail: (error: Error) => void;
      let doneResolve: () => void;
      ready.push(new Promise((resolve, reject) => [readyResolve, fail] = [resolve, reject]));
      done.push(new Promise((resolve) => doneResolve = resolve));
      worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
        const message = event.data;
        if (message.type === "ready") readyResolve(message.dissectors);
        else if (message.type === "error") {
          const error = new RegistrationError(message.message);
          fail(error);
          pool?.failed(error);
          doneResolve();
        } else if (message.type === "plugin-stuck") {
          hosts[index]?.restartWithout(message.name);
        } else {
          options.onFlush(message.record, index, message.final);
          if (message.final) doneResolve();
          pool?.answered(index, message.final ? Infinity : message.requested);
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        const error = new Error(`Dissector worker ${index} failed: ${event.message}`);
        fail(error);
        pool?.failed(error);
        doneResolve();
      };
      const init: InitMessage = {
        type: "init",
        index,
        rings: workerRings.map((ring) => ring.buffers),
        control,
        registry: options.registry ?? {},
        flushIntervalMs: options.flushIntervalMs ?? 0,
        maxErrors: options.maxErrors,
        plugins: [],
        pluginChannel: PluginChannel.create().buffers,
        watchdogMs,
        disabledAtStart: [],
        maxFlows: options.maxFlows ?? DEFAULT_MAX_FLOWS,
      };
      inits.push(init);
    }
    let hosts: PluginSupervisor[] = [];
    try {
      const started = await plugins;
      hosts = started.hosts;
      inits.forEach((init, index) => {
        init.plugins = started.descriptions[index] ?? [];
        if (hosts[index]) init.pluginChannel = hosts[index].channel.buffers;
        init.disabledAtStart = started.disabledAtStart;
        workers[index].postMessage(init);
      });
      const names = await Promise.all(ready);
      pool = new DissectorPool(workers, rings, controls, names[0], Promise.all(done).then(() => {}), hosts);
      return pool;
    } catch (error) {
      for (const worker of workers) worker.terminate();
      for (const host of hosts) host.terminate();
      throw error;
    } finally {
      URL.revokeObjectURL(entry);
    }
  }

  /** Asks every worker for a flush and resolves when all of them have answered. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      const targets = this.#controls.map((control) =>
        Atomics.add(control, WorkerControl.FLUSH_REQUESTED, 1) + 1
      );
      this.#flushWaiters.push({ targets, resolve });
      this.#wake();
      this.answered(0, this.#answered[0]);
    });
  }

  /** Flows the workers meter since their last flush (not yet in any flush record). */
  get unflushedFlows(): number {
    let flows = 0;
    for (const control of this.#controls) flows += Atomics.load(control, WorkerControl.FLOWS);
    return flows;
  }

  /** Records that worker `index` answered flush request `requested` (internal). */
  answered(index: number, requested: number): void {
    this.#answered[index] = Math.max(this.#answered[index], requested);
    this.#flushWaiters = this.#flushWaiters.filter((waiter) => {
      const done = waiter.targets.every((target, worker) => this.#answered[worker] >= target);
      if (done) waiter.resolve();
      return !done;
    });
  }

  /**
   * Lets the workers dissect what is left in their rings, take their final flush, and end.
   * Producers should `close()` the rings first (a file source does; a live sensor stops its
   * capture first).
   */
  async finish(): Promise<void> {
    for (const control of this.#controls) Atomics.store(control, WorkerControl.STOP, 1);
    this.#wake();
    await this.#finished;
    for (const worker of this.#workers) worker.terminate();
    for (const host of this.#hosts) host.terminate();
    this.check();
  }

  /** Records that a worker died (internal); producers see it through {@linkcode check}. */
  failed(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#flushWaiters.splice(0)) waiter.resolve();
  }

  /**
   * Throws the error of a worker that died, so a producer waiting for ring space does not wait
   * forever.
   */
  check(): void {
    if (this.#failure) throw this.#failure;
  }

  /** The rings of producer `producer`, one per worker. */
  rings(producer = 0): PacketRing[] {
    return this.producerRings[producer];
  }

  /** Wakes workers waiting for packets (they wait on their first ring). */
  #wake(): void {
    for (const rings of this.producerRings) for (const ring of rings) Atomics.notify(ring.control, 0);
  }

  /** Stops the workers at once (after an error). */
  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
    for (const host of this.#hosts) host.terminate();
  }
}
