/**
 * Starts the plugin host (`plugin_host.ts`) as a `node:worker_threads` worker with a V8 heap limit
 * (`resourceLimits`, which Deno's own workers do not offer), from inside a Deno worker whose
 * permissions allow reading the plugin files and the NetSentinel sources and nothing else: the
 * host inherits them, and gives up reading once the plugins are imported. Relays the host's
 * messages, and reports its end (out of memory, exit) as a `died` message.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { Worker as ThreadWorker } from "node:worker_threads";
import type { HostData } from "./plugin_host.ts";
import type { ChannelBuffers } from "./plugin_channel.ts";

/** First message to the shim. */
export interface ShimInit {
  data: HostData;
  channel: ChannelBuffers;
  heapMb: number;
}

const HOST_URL = new URL("./plugin_host.ts", import.meta.url);

self.onmessage = (event: MessageEvent<ShimInit>) => {
  self.onmessage = null;
  const { data, heapMb, channel } = event.data;
  const host = new ThreadWorker(HOST_URL, {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 },
  });
  host.postMessage(channel);
  let ended = false;
  // Kept apart from the shim's own messages: a plugin can post on the host's port too.
  host.on("message", (message) => self.postMessage({ type: "host", message }));
  host.on("error", (error: Error) => {
    ended = true;
    const reason = /memory limit/i.test(String(error?.message))
      ? `stopped at its ${heapMb} MiB memory limit`
      : `ended: ${String(error?.message ?? error).split("\n")[0]}`;
    self.postMessage({ type: "died", reason });
  });
  host.on("exit", (code: number) => {
    // The memory limit's error may come just after the exit.
    setTimeout(() => {
      // Deno.exit, close and process.exit throw in the host: a host that ends while a plugin runs
      // was stopped by V8 at its heap limit (reported as an error, or as a plain exit).
      if (!ended) {
        self.postMessage({
          type: "died",
          reason: `stopped at its ${heapMb} MiB memory limit (its worker ended, code ${code}, while it ran)`,
        });
      }
      ended = true;
    }, 200);
  });
};
