/**
 * The sensor's side of one plugin host: starts it (`plugin_shim.ts` → `plugin_host.ts`) on a
 * {@linkcode PluginChannel} shared with one dissector worker, and restarts it without the plugin
 * that was running when it stopped answering (the dissector worker's watchdog), ran out of memory
 * or ended its worker. Restarting costs the time to import the plugins again (≈ 50–100 ms).
 *
 * @module
 */

import { basename, dirname, resolve } from "node:path";
import type { DisabledDissector } from "../../model/engine_stats.ts";
import { fileURLToPath } from "node:url";
import { PluginError } from "../plugin_check.ts";
import { ChannelWord, PluginChannel } from "./plugin_channel.ts";
import type { PluginDescription } from "./plugin_proxy.ts";
import type { ShimInit } from "./plugin_shim.ts";

const SHIM_URL = new URL("./plugin_shim.ts", import.meta.url).href;
const SOURCES = resolve(fileURLToPath(new URL("../..", import.meta.url)));

type HostMessage =
  | { type: "loading"; index: number }
  | { type: "ready"; dissectors: PluginDescription[] }
  | { type: "error"; message: string };

/** What the shim posts: a message of the host (or of a plugin, on the host's port), or its end. */
type ShimMessage = { type: "host"; message: HostMessage } | { type: "died"; reason: string };

/** One plugin host and its channel. */
export class PluginSupervisor {
  readonly channel: PluginChannel = PluginChannel.create();
  #files: string[];
  readonly #heapMb: number;
  readonly #watchdogMs: number;
  /** Plugin files left out because they did not finish loading (watchdog, memory limit). */
  readonly leftOut: DisabledDissector[] = [];
  readonly #disabled: string[] = [];
  #shim: Worker | undefined;
  #names: string[] = [];
  #stopped = false;

  constructor(files: string[], heapMb: number, watchdogMs: number) {
    this.#files = files;
    this.#heapMb = heapMb;
    this.#watchdogMs = watchdogMs;
  }

  /** The plugin files the host runs (those that loaded). */
  get files(): string[] {
    return this.#files;
  }

  /**
   * Starts the host and resolves with the plugin dissectors it runs.
   *
   * @throws {PluginError} when the host cannot import the plugins
   */
  start(): Promise<PluginDescription[]> {
    const read = [SOURCES, ...new Set(this.#files.map((file) => dirname(file)))];
    const shim = new Worker(SHIM_URL, {
      type: "module",
      deno: {
        permissions: {
          read,
          write: false,
          net: false,
          env: false,
          run: false,
          ffi: false,
          sys: false,
          import: false,
        },
      },
    } as WorkerOptions);
    this.#shim = shim;
    const init: ShimInit = {
      data: { files: this.#files, disabled: [...this.#disabled] },
      channel: this.channel.buffers,
      heapMb: this.#heapMb,
    };
    shim.postMessage(init);
    return new Promise((resolveReady, reject) => {
      let ready = false;
      let loading = -1;
      let timer: ReturnType<typeof setTimeout> | undefined;
      /** The file being loaded failed to finish: start again without it. */
      const leaveOut = (reason: string) => {
        clearTimeout(timer);
        shim.terminate();
        const file = this.#files[loading];
        this.leftOut.push({ name: basename(file), reason });
        this.#files = this.#files.filter((_, i) => i !== loading);
        this.start().then(resolveReady, reject);
      };
      shim.onmessage = (event: MessageEvent<ShimMessage>) => {
        const data = event.data;
        if (data.type === "died") {
          if (ready) this.#died(data.reason);
          else if (loading >= 0) leaveOut(`${data.reason} while loading; left out`);
          else {
            shim.terminate();
            reject(new PluginError(`Cannot start the dissector plugins: ${data.reason}`));
          }
          return;
        }
        // Once loaded, the host has nothing to say: what comes then is a plugin's.
        const message = data.message;
        if (ready || typeof message !== "object" || message === null) return;
        if (message.type === "loading" && Number.isInteger(message.index)) {
          clearTimeout(timer);
          loading = message.index;
          timer = setTimeout(
            () =>
              leaveOut(
                `stopped making progress: did not finish loading within ${
                  this.#watchdogMs / 1000
                } s (watchdog); left out`,
              ),
            this.#watchdogMs,
          );
        } else if (message.type === "ready") {
          clearTimeout(timer);
          ready = true;
          this.#names = message.dissectors.map((d) => d.name);
          resolveReady(message.dissectors);
        } else if (message.type === "error") {
          clearTimeout(timer);
          shim.terminate();
          reject(new PluginError(String(message.message)));
        }
      };
      shim.onerror = (event) => {
        event.preventDefault();
        clearTimeout(timer);
        if (!ready) reject(new PluginError(`Cannot start the dissector plugins: ${event.message}`));
        else this.#died(event.message);
      };
    });
  }

  /** The host ended by itself (memory limit, exit): the plugin it was running is to blame. */
  #died(reason: string): void {
    const running = Atomics.load(this.channel.control, ChannelWord.RUNNING);
    const name = this.#names[running];
    this.channel.kill(reason);
    this.restartWithout(name);
  }

  /** Stops the host and starts a new one without the plugin dissector `name` (if any). */
  restartWithout(name: string | undefined): void {
    if (this.#stopped) return;
    if (name !== undefined && !this.#disabled.includes(name)) this.#disabled.push(name);
    this.#shim?.terminate();
    Atomics.store(this.channel.control, ChannelWord.RUNNING, -1);
    this.start().catch(() => {/* the dissector worker counts the frames it cannot hand over */});
  }

  /** Stops the host for good. */
  terminate(): void {
    this.#stopped = true;
    this.#shim?.terminate();
  }
}
