/**
 * The capture worker: the only code of NetSentinel with FFI. Start it with
 * `new Worker(CAPTURE_WORKER_URL, { type: "module", deno: { permissions: CAPTURE_WORKER_PERMISSIONS } })`
 * and send it a {@linkcode StartMessage}; the message protocol is documented in `protocol.ts`.
 *
 * It copies each packet from libpcap into a local {@linkcode PacketBatch} per ring and pushes the
 * batch with `PacketRing.writeBatch` when it is full (`batchPackets` packets, or its byte buffer is
 * full) or `batchLatencyMs` after its first packet. With several rings a frame goes to the ring
 * its MAC pair hashes to (`ringIndexForFrame`). A full ring never blocks the capture: the batch is
 * counted in `ringDropped` and dropped. A frame longer than a batch's byte buffer
 * ({@linkcode BATCH_BYTES}, less when the ring's slabs are smaller) is cut to it, as a snapshot
 * length would cut it (caplen < wirelen). The loop is synchronous; when libpcap has nothing it
 * sleeps in `poll(2)` for at most {@linkcode IDLE_WAIT_MS}, so a stop request (word 0 of `control`)
 * is seen within that time even on a silent interface.
 *
 * @module
 */

import { PacketBatch } from "../batch.ts";
import { type LiveHandle, openLiveHandle } from "../libpcap/live_handle.ts";
import { PacketRing, slabBytes } from "../ring.ts";
import {
  type CaptureStats,
  ControlWord,
  LiveCaptureError,
  type ResolvedLiveCaptureOptions,
  resolveLiveCaptureOptions,
  ringIndexForFrame,
  type StartMessage,
  type WorkerMessage,
} from "./protocol.ts";

/** Longest sleep when libpcap has nothing: bounds how late a stop request is seen. */
export const IDLE_WAIT_MS = 50;
/** Byte buffer of one batch (frames are copied into it); smaller when the ring's slabs are. */
export const BATCH_BYTES = 4 * 1024 * 1024;
/** Smallest byte buffer a ring must allow; larger frames are cut to the buffer's size. */
const MIN_BATCH_BYTES = 16 * 1024;
/** Packets taken from libpcap between two looks at the clock and the stop word. */
const PACKETS_PER_ROUND = 4096;
const STATS_INTERVAL_MS = 1000;

/** One ring and the batch being filled for it. */
interface Lane {
  ring: PacketRing;
  batch: PacketBatch;
  /** Bytes of `batch.bytes` in use. */
  used: number;
  /** Largest frame bytes one batch may hold (what the ring's slabs allow, at most BATCH_BYTES). */
  limit: number;
  /** When the first packet of the current batch arrived (performance.now()). */
  since: number;
}

declare const self: {
  onmessage: ((event: MessageEvent<StartMessage>) => void) | null;
  postMessage(message: WorkerMessage): void;
  close(): void;
};

function post(message: WorkerMessage): void {
  self.postMessage(message);
}

/**
 * The capture loop of one interface: libpcap → per-ring batches → rings. Exported for the live
 * benchmark, which times it on a backlog; the worker below is its only other user.
 */
export class CaptureLoop {
  /** Counters so far (kernel and interface drops as of the last stats reading). */
  readonly stats: CaptureStats;
  readonly #lanes: Lane[];
  readonly #options: ResolvedLiveCaptureOptions;
  readonly #onStats: (stats: CaptureStats) => void;

  /**
   * @param rings the rings to write to (frames are routed by their MAC pair when there are several)
   * @param options resolved capture options
   * @param onStats receives a copy of the counters about every second
   * @throws {LiveCaptureError} code "bad-options" when there is no ring or a ring is too small
   */
  constructor(
    rings: PacketRing[],
    options: ResolvedLiveCaptureOptions,
    onStats: (stats: CaptureStats) => void = () => {},
  ) {
    this.#options = options;
    this.#onStats = onStats;
    this.stats = {
      iface: options.iface,
      received: 0,
      kernelDropped: 0,
      interfaceDropped: 0,
      ringDropped: 0,
      batches: 0,
    };
    if (rings.length === 0) {
      throw new LiveCaptureError("bad-options", `Cannot capture on "${options.iface}": no ring to write to`);
    }
    const capacity = options.batchPackets;
    this.#lanes = rings.map((ring, index) => {
      const limit = Math.min(BATCH_BYTES, ring.maxSlabBytes - slabBytes(capacity, 0) - 8);
      if (limit < MIN_BATCH_BYTES) {
        throw new LiveCaptureError(
          "bad-options",
          `Cannot capture on "${options.iface}": ring ${index} takes slabs of at most ${ring.maxSlabBytes} bytes, ` +
            `too small for batches of ${capacity} packets (make it at least ` +
            `${2 * (slabBytes(capacity, 0) + MIN_BATCH_BYTES + 16)} bytes or lower batchPackets)`,
        );
      }
      return { ring, batch: new PacketBatch(capacity, new Uint8Array(limit)), used: 0, limit, since: 0 };
    });
  }

  /**
   * Captures until `control` asks to stop or `maxPackets` were taken; the last partial batches stay
   * for {@linkcode flush}.
   *
   * @throws {LiveCaptureError} when libpcap fails (e.g. the interface went down)
   */
  run(handle: LiveHandle, control: Int32Array): void {
    const lanes = this.#lanes;
    const ringCount = lanes.length;
    const linkType = handle.linkType;
    const latency = this.#options.batchLatencyMs;
    let remaining = this.#options.maxPackets;
    let now = performance.now();
    let nextStats = now + STATS_INTERVAL_MS;
    while (remaining > 0 && Atomics.load(control, ControlWord.STOP) === 0) {
      const round = remaining < PACKETS_PER_ROUND ? remaining : PACKETS_PER_ROUND;
      let got = 0;
      while (got < round && handle.next()) {
        const lane = ringCount === 1
          ? lanes[0]
          : lanes[ringIndexForFrame(handle.data, 0, handle.caplen, linkType, ringCount)];
        this.#append(lane, handle, linkType, now);
        got++;
      }
      remaining -= got;
      this.stats.received += got;
      now = performance.now();
      let wake = nextStats;
      for (const lane of lanes) {
        if (lane.batch.count === 0) continue;
        if (now - lane.since >= latency) this.#push(lane);
        else if (lane.since + latency < wake) wake = lane.since + latency;
      }
      if (now >= nextStats) {
        this.#readStats(handle);
        this.#onStats({ ...this.stats });
        nextStats = now + STATS_INTERVAL_MS;
      }
      if (got === 0) {
        handle.wait(Math.max(1, Math.min(IDLE_WAIT_MS, Math.ceil(wake - now))));
        now = performance.now();
      }
    }
  }

  #append(lane: Lane, handle: LiveHandle, linkType: number, now: number): void {
    const batch = lane.batch;
    let caplen = handle.caplen;
    if (caplen > lane.limit) caplen = lane.limit;
    if (batch.count === batch.capacity || lane.used + caplen > lane.limit) this.#push(lane);
    const i = batch.count;
    if (i === 0) lane.since = now;
    const at = lane.used;
    handle.copyTo(batch.bytes, at, caplen);
    batch.offset[i] = at;
    batch.caplen[i] = caplen;
    batch.wirelen[i] = handle.wirelen;
    batch.tsSec[i] = handle.tsSec;
    batch.tsNsec[i] = handle.tsNsec;
    batch.linkType[i] = linkType;
    batch.ifIndex[i] = 0;
    batch.count = i + 1;
    lane.used = at + caplen;
  }

  #push(lane: Lane): void {
    const batch = lane.batch;
    if (batch.count === 0) return;
    if (lane.ring.writeBatch(batch)) this.stats.batches++;
    else this.stats.ringDropped += batch.count;
    batch.count = 0;
    lane.used = 0;
  }

  /** Pushes every partial batch. */
  flush(): void {
    for (const lane of this.#lanes) this.#push(lane);
  }

  #readStats(handle: LiveHandle): void {
    const counters = handle.stats();
    this.stats.kernelDropped = counters.kernelDropped;
    this.stats.interfaceDropped = counters.interfaceDropped;
  }

  /** Final counters, after {@linkcode flush}. */
  finish(handle: LiveHandle | undefined): CaptureStats {
    if (handle !== undefined) this.#readStats(handle);
    return { ...this.stats };
  }
}

function asLiveCaptureError(error: unknown, iface: string): LiveCaptureError {
  if (error instanceof LiveCaptureError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new LiveCaptureError("capture-failed", `Cannot capture on "${iface}": ${text}`, { cause: error });
}

/** Runs one capture session from its start message to the "stopped" message. */
function runSession(start: StartMessage): void {
  const iface = String(start.options?.iface);
  const rings = (start.rings ?? []).map((buffers) => PacketRing.attach(buffers));
  let loop: CaptureLoop | undefined;
  let handle: LiveHandle | undefined;
  try {
    const options = resolveLiveCaptureOptions(start.options);
    loop = new CaptureLoop(rings, options, (stats) => post({ type: "stats", stats }));
    handle = openLiveHandle(options);
    post({ type: "started", iface: options.iface, linkType: handle.linkType });
    loop.run(handle, new Int32Array(start.control));
  } catch (error) {
    const failure = asLiveCaptureError(error, iface);
    post({ type: "error", code: failure.code, message: failure.message });
  }
  let stats: CaptureStats = {
    iface,
    received: 0,
    kernelDropped: 0,
    interfaceDropped: 0,
    ringDropped: 0,
    batches: 0,
  };
  try {
    if (loop !== undefined) {
      loop.flush();
      stats = loop.finish(handle);
    }
  } finally {
    handle?.close();
    for (const ring of rings) ring.close();
    post({ type: "stopped", stats });
  }
}

// Only as a worker: the benchmark imports CaptureLoop from this module in a main thread.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === "function") {
  self.onmessage = (event) => {
    if (event.data?.type !== "start") return;
    self.onmessage = null;
    try {
      runSession(event.data);
    } finally {
      self.close();
    }
  };
}
