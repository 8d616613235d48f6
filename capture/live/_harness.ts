/**
 * Test and benchmark harness of the capture worker: a process that runs the worker on one
 * interface and consumes its rings itself (the sensor's dissector workers are the real consumers).
 *
 * Run as a script — inside a network namespace, possibly as another user — with one JSON argument,
 * a {@linkcode HarnessRequest}; it prints one JSON line per event ({@linkcode HarnessEvent}) and stops
 * when stdin reaches its end or says "stop", when `stopWhenSeen` packets were consumed, after
 * `stopAfterMs`, or by itself (`maxPackets`). {@linkcode spawnHarness} runs it and reads the events.
 *
 * @module
 */

import { PacketBatch } from "../batch.ts";
import { PacketRing } from "../ring.ts";
import {
  CAPTURE_WORKER_PERMISSIONS,
  CAPTURE_WORKER_URL,
  type CaptureStats,
  createControl,
  type LiveCaptureOptions,
  requestStop,
  type WorkerMessage,
} from "./protocol.ts";
import { withDeadline } from "../../tests/wait.ts";

/** What the harness should do. */
export interface HarnessRequest {
  /** The capture options given to the worker. */
  options: LiveCaptureOptions;
  /** Number of rings. Default 1. */
  rings?: number;
  /** Bytes of each ring. Default 64 MiB. */
  ringBytes?: number;
  /** "frames": report every frame (hex); "count": only counts. Default "count". */
  collect?: "frames" | "count";
  /** Do not read the rings until the capture stopped (to fill them). Default false. */
  holdRings?: boolean;
  /** Ask the worker to stop once this many packets were consumed. */
  stopWhenSeen?: number;
  /** Ask the worker to stop this long after it started, in ms. */
  stopAfterMs?: number;
  /** Ask the worker to stop once it has posted this many "stats" messages. */
  stopAfterStats?: number;
  /** Start the worker without FFI permission (to test that error). */
  withoutFfi?: boolean;
}

/** What asked the worker to stop: stdin, `stopWhenSeen`, `stopAfterMs` or `stopAfterStats`. */
export type StopReason = "stdin" | "seen" | "timer" | "stats";

/** One frame as the consumer saw it. */
export interface HarnessFrame {
  /** Index of the ring it came through. */
  ring: number;
  /** Captured length. */
  caplen: number;
  /** Length on the wire. */
  wirelen: number;
  /** LINKTYPE_* of the frame. */
  linkType: number;
  /** The captured bytes in hexadecimal. */
  hex: string;
}

/** What the harness prints, one JSON object per line. */
export type HarnessEvent =
  | { event: "started"; iface: string; linkType: number }
  | { event: "error"; code: string; message: string }
  | {
    event: "result";
    stats: CaptureStats;
    consumed: number;
    perRing: number[];
    /** ms from the stop request to the "stopped" message, when a stop was requested. */
    stopLatencyMs: number | null;
    /** What asked for the stop (the first of them), or null when the capture ended by itself. */
    stopReason: StopReason | null;
    /** ms from the first to the last packet consumed. */
    consumeMs: number;
    /** "stats" messages the worker posted. */
    statsMessages: number;
    frames?: HarnessFrame[];
  };

function hex(bytes: Uint8Array, from: number, length: number): string {
  let text = "";
  for (let i = from; i < from + length; i++) text += bytes[i].toString(16).padStart(2, "0");
  return text;
}

function print(event: HarnessEvent): void {
  console.log(JSON.stringify(event));
}

async function readStop(onStop: () => void): Promise<void> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of Deno.stdin.readable) {
    text += decoder.decode(chunk);
    if (text.includes("stop")) break;
  }
  onStop();
}

async function runHarness(request: HarnessRequest): Promise<void> {
  const rings = Array.from(
    { length: request.rings ?? 1 },
    () => PacketRing.create(request.ringBytes ?? 64 << 20),
  );
  const control = createControl();
  const worker = new Worker(CAPTURE_WORKER_URL, {
    type: "module",
    deno: { permissions: { ...CAPTURE_WORKER_PERMISSIONS, ffi: request.withoutFfi ? false : true } },
  });
  let stopAt = -1;
  let stopReason: StopReason | null = null;
  const stop = (reason: StopReason) => {
    if (stopAt >= 0) return;
    stopAt = performance.now();
    stopReason = reason;
    requestStop(control);
  };
  let stopped: CaptureStats | undefined;
  let signalStopped: () => void = () => {};
  const stoppedMessage = new Promise<void>((resolve) => signalStopped = resolve);
  let stoppedAt = 0;
  let statsMessages = 0;
  worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
    const message = event.data;
    if (message.type === "started") {
      print({ event: "started", iface: message.iface, linkType: message.linkType });
      if (request.stopAfterMs !== undefined) setTimeout(() => stop("timer"), request.stopAfterMs);
    } else if (message.type === "error") {
      print({ event: "error", code: message.code, message: message.message });
    } else if (message.type === "stats") {
      statsMessages++;
      if (request.stopAfterStats !== undefined && statsMessages >= request.stopAfterStats) stop("stats");
    } else if (message.type === "stopped") {
      stopped = message.stats;
      stoppedAt = performance.now();
      signalStopped();
    }
  };
  worker.postMessage({
    type: "start",
    options: request.options,
    rings: rings.map((r) => r.buffers),
    control,
  });
  readStop(() => stop("stdin"));
  const batch = new PacketBatch(65536);
  const perRing = rings.map(() => 0);
  const frames: HarnessFrame[] = [];
  let consumed = 0;
  let first = 0;
  let last = 0;
  while (!rings.every((ring) => ring.drained)) {
    let progress = false;
    if (!request.holdRings || stopped !== undefined) {
      for (let r = 0; r < rings.length; r++) {
        while (rings[r].readBatch(batch)) {
          progress = true;
          for (let i = 0; request.collect === "frames" && i < batch.count; i++) {
            frames.push({
              ring: r,
              caplen: batch.caplen[i],
              wirelen: batch.wirelen[i],
              linkType: batch.linkType[i],
              hex: hex(batch.bytes, batch.offset[i], batch.caplen[i]),
            });
          }
          perRing[r] += batch.count;
          consumed += batch.count;
          rings[r].release();
        }
      }
    }
    if (progress) {
      last = performance.now();
      if (first === 0) first = last;
      if (request.stopWhenSeen !== undefined && consumed >= request.stopWhenSeen) stop("seen");
    } else {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  await stoppedMessage;
  print({
    event: "result",
    stats: stopped!,
    consumed,
    perRing,
    stopLatencyMs: stopAt >= 0 ? Math.round((stoppedAt - stopAt) * 10) / 10 : null,
    stopReason,
    consumeMs: Math.round((last - first) * 10) / 10,
    statsMessages,
    ...(request.collect === "frames" ? { frames } : {}),
  });
  Deno.exit(0);
}

/** A running harness process. */
export interface Harness {
  /** The "started" or "error" event, whichever comes first. */
  readonly ready: Promise<HarnessEvent>;
  /** Every event, once the process has exited. */
  readonly done: Promise<{ events: HarnessEvent[]; stderr: string; code: number }>;
  /** Asks the capture to stop. */
  stop(): Promise<void>;
  /**
   * {@linkcode done}, or, when the process has not exited `timeoutMs` after the call, kills it and
   * rejects: a test never waits for a capture that does not stop.
   */
  finish(timeoutMs?: number): Promise<{ events: HarnessEvent[]; stderr: string; code: number }>;
}

/**
 * Runs the harness script as `prefix… deno run -A --unstable-worker-options _harness.ts REQUEST`.
 *
 * @param prefix the command that runs it, e.g. `["ip", "netns", "exec", "ns1"]` (may be empty)
 * @param request what to capture and how to consume
 * @param env extra environment variables
 * @param deno the Deno binary (default: this one)
 */
export function spawnHarness(
  prefix: string[],
  request: HarnessRequest,
  env: Record<string, string> = {},
  deno: string = Deno.execPath(),
): Harness {
  const args = [
    deno,
    "run",
    "-A",
    "--unstable-worker-options",
    new URL(import.meta.url).pathname,
    JSON.stringify(request),
  ];
  const all = [...prefix, ...args];
  const child = new Deno.Command(all[0], {
    args: all.slice(1),
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const writer = child.stdin.getWriter();
  const events: HarnessEvent[] = [];
  let signalReady: (event: HarnessEvent) => void = () => {};
  const ready = new Promise<HarnessEvent>((resolve) => signalReady = resolve);
  const readEvents = (async () => {
    let text = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      let newline;
      while ((newline = text.indexOf("\n")) >= 0) {
        const line = text.slice(0, newline);
        text = text.slice(newline + 1);
        if (!line.startsWith("{")) continue;
        const event = JSON.parse(line) as HarnessEvent;
        events.push(event);
        if (event.event !== "result") signalReady(event);
      }
    }
  })();
  const stderr = new Response(child.stderr).text();
  const done = (async () => {
    const status = await child.status;
    await readEvents;
    try {
      await writer.close();
    } catch {
      // Already closed.
    }
    const text = await stderr;
    signalReady({
      event: "error",
      code: "harness",
      message: `the harness exited with ${status.code}: ${text}`,
    });
    return { events, stderr: text, code: status.code };
  })();
  return {
    ready,
    done,
    async stop() {
      try {
        await writer.write(new TextEncoder().encode("stop\n"));
      } catch {
        // The process has already exited.
      }
    },
    finish(timeoutMs = 30_000) {
      return withDeadline(done, timeoutMs, "the capture harness to exit", () => {
        try {
          child.kill("SIGKILL");
        } catch {
          // Exited meanwhile.
        }
      });
    },
  };
}

if (import.meta.main) await runHarness(JSON.parse(Deno.args[0]) as HarnessRequest);
