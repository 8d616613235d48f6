/**
 * The contract between the sensor (main thread) and the capture worker (`capture_worker.ts`, the only
 * code with FFI): options, messages, the stop word, statistics, errors, and how frames are routed
 * to the rings. This module itself uses no FFI and may be imported anywhere.
 *
 * Session, in order:
 * 1. main → worker: {@linkcode StartMessage} (once).
 * 2. worker → main: {@linkcode StartedMessage} once libpcap is capturing, or {@linkcode ErrorMessage}.
 * 3. worker → main: {@linkcode StatsMessage} about every second while capturing.
 * 4. main sets word {@linkcode ControlWord.STOP} of `control` to 1 (see {@linkcode requestStop});
 *    the worker sees it within about 50 ms (its longest `poll(2)` wait), even on a silent interface.
 * 5. worker → main: {@linkcode ErrorMessage} if the capture failed, then always exactly one
 *    {@linkcode StoppedMessage}, the last message: the partial batches were pushed, every ring was
 *    closed (`PacketRing.drained` becomes true on the consumer side) and the worker closes itself.
 *
 * @module
 */

import type { RingBuffers } from "../ring.ts";

/** Options of one live capture. Only `iface` is required. */
export interface LiveCaptureOptions {
  /** Interface to capture on, e.g. `eth0` (or `any`). */
  iface: string;
  /** Bytes kept of each frame. Default 262144 (whole frames). */
  snaplen?: number;
  /** Promiscuous mode (a mirror port needs it). Default true. */
  promiscuous?: boolean;
  /** Kernel capture buffer (the TPACKET ring) in bytes. Default 32 MiB. */
  bufferBytes?: number;
  /** BPF capture filter (tcpdump syntax). Default: none. */
  filter?: string;
  /** Longest time libpcap holds packets before handing them over, in ms. Default 50. */
  timeoutMs?: number;
  /** libpcap immediate mode (per-packet delivery, more CPU). Default false. */
  immediate?: boolean;
  /** Stop after this many packets. Default: never. */
  maxPackets?: number;
  /** Packets per batch pushed to a ring. Default 1024. */
  batchPackets?: number;
  /** A partial batch is pushed this long after its first packet, in ms. Default 10. */
  batchLatencyMs?: number;
}

/** {@linkcode LiveCaptureOptions} with every default applied (`maxPackets` is Infinity when unset). */
export type ResolvedLiveCaptureOptions = Required<Omit<LiveCaptureOptions, "filter">> & { filter: string };

/** Default values of {@linkcode LiveCaptureOptions}. */
export const LIVE_CAPTURE_DEFAULTS = {
  snaplen: 262144,
  promiscuous: true,
  bufferBytes: 32 * 1024 * 1024,
  timeoutMs: 50,
  immediate: false,
  batchPackets: 1024,
  batchLatencyMs: 10,
} as const;

/** Largest `batchPackets` (what a dissector worker's batch holds, `WORKER_BATCH_CAPACITY`). */
export const MAX_BATCH_PACKETS = 8192;

/** Counters of one interface, in {@linkcode StatsMessage} and {@linkcode StoppedMessage}. */
export interface CaptureStats {
  /** The interface. */
  iface: string;
  /** Packets the capture loop took from libpcap (pushed to a ring or refused by it). */
  received: number;
  /** Packets the kernel dropped because libpcap's buffer was full (`ps_drop`). */
  kernelDropped: number;
  /** Packets the interface or its driver dropped (`ps_ifdrop`). */
  interfaceDropped: number;
  /** Packets in batches a full ring refused (the consumers were too slow). */
  ringDropped: number;
  /** Batches written to the rings. */
  batches: number;
}

/** main → worker: start capturing. */
export interface StartMessage {
  /** Message kind. */
  type: "start";
  /** What to capture and how to batch it. */
  options: LiveCaptureOptions;
  /** One or more rings; with several, each frame goes to `rings[ringIndexForFrame(...)]`. */
  rings: RingBuffers[];
  /** Int32 words; see {@linkcode ControlWord}. Make it with {@linkcode createControl}. */
  control: SharedArrayBuffer;
}

/** worker → main: libpcap is capturing. */
export interface StartedMessage {
  /** Message kind. */
  type: "started";
  /** The interface. */
  iface: string;
  /** LINKTYPE_* of the frames (1 = Ethernet). */
  linkType: number;
}

/** worker → main: the capture could not start or failed; rebuild it with {@linkcode LiveCaptureError.from}. */
export interface ErrorMessage {
  /** Message kind. */
  type: "error";
  /** What failed. */
  code: LiveCaptureErrorCode;
  /** The one-line message for the user. */
  message: string;
}

/** worker → main: counters so far, about every second. */
export interface StatsMessage {
  /** Message kind. */
  type: "stats";
  /** Counters since the start. */
  stats: CaptureStats;
}

/** worker → main: the last message; final counters. */
export interface StoppedMessage {
  /** Message kind. */
  type: "stopped";
  /** Final counters. */
  stats: CaptureStats;
}

/** Every message the capture worker posts. */
export type WorkerMessage = StartedMessage | ErrorMessage | StatsMessage | StoppedMessage;

/** Words of the `control` buffer of {@linkcode StartMessage}. */
export const ControlWord = {
  /** Set to 1 by the main thread to stop the capture. */
  STOP: 0,
} as const;

/** A new control buffer for {@linkcode StartMessage}. */
export function createControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * 4);
}

/** Asks the capture worker owning `control` to stop (it answers with a "stopped" message). */
export function requestStop(control: SharedArrayBuffer): void {
  const words = new Int32Array(control);
  Atomics.store(words, ControlWord.STOP, 1);
  Atomics.notify(words, ControlWord.STOP);
}

/** URL of the capture worker module. */
export const CAPTURE_WORKER_URL: URL = new URL("./capture_worker.ts", import.meta.url);

/**
 * Deno permissions of the capture worker (`new Worker(url, { type: "module", deno: { permissions } })`,
 * which needs `--unstable-worker-options`): FFI for libpcap and libc, nothing else (interface
 * names and states come from `pcap_findalldevs`: Deno 2 opens /sys only to `--allow-all`). The
 * process itself also needs `--allow-ffi` and CAP_NET_RAW.
 */
export const CAPTURE_WORKER_PERMISSIONS: Deno.PermissionOptionsObject = {
  ffi: true,
  read: false,
  write: false,
  net: false,
  env: false,
  run: false,
  sys: false,
  import: false,
};

/** What failed, in {@linkcode LiveCaptureError.code}. */
export type LiveCaptureErrorCode =
  | "libpcap-missing"
  | "ffi-denied"
  | "permission-denied"
  | "no-such-interface"
  | "interface-down"
  | "bad-filter"
  | "bad-options"
  | "capture-failed";

/** How to get the permission to capture, as printed in "permission-denied" errors. */
export const CAPTURE_PERMISSION_HINT: string =
  "capturing needs root or the CAP_NET_RAW capability: run as root, " +
  'or grant it to Deno with setcap cap_net_raw+ep "$(readlink -f "$(command -v deno)")", ' +
  "or run it as the systemd service that deno task install sets up (AmbientCapabilities=CAP_NET_RAW)";

/**
 * A live capture cannot start or has failed. The message is one line, in Deno-std style, and says
 * what to do (e.g. `Cannot capture on "eth9": no such interface (available: eth0, lo, any)`).
 */
export class LiveCaptureError extends Error {
  /** What failed. */
  readonly code: LiveCaptureErrorCode;

  /**
   * @param code what failed
   * @param message the one-line message
   * @param options the underlying error as `cause`
   */
  constructor(code: LiveCaptureErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LiveCaptureError";
    this.code = code;
  }

  /** The error an {@linkcode ErrorMessage} carries. */
  static from(message: ErrorMessage): LiveCaptureError {
    return new LiveCaptureError(message.code, message.message);
  }
}

function integerIn(iface: string, name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new LiveCaptureError(
      "bad-options",
      `Cannot capture on "${iface}": ${name} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * Applies the defaults of {@linkcode LIVE_CAPTURE_DEFAULTS} and checks every value.
 *
 * @throws {LiveCaptureError} code "bad-options", naming the option and the value
 */
export function resolveLiveCaptureOptions(options: LiveCaptureOptions): ResolvedLiveCaptureOptions {
  const iface = options.iface;
  if (typeof iface !== "string" || iface.length === 0) {
    throw new LiveCaptureError(
      "bad-options",
      `Cannot start a capture: iface must be an interface name, got ${iface}`,
    );
  }
  const d = LIVE_CAPTURE_DEFAULTS;
  const maxPackets = options.maxPackets ?? Infinity;
  if (maxPackets !== Infinity) integerIn(iface, "maxPackets", maxPackets, 1, Number.MAX_SAFE_INTEGER);
  return {
    iface,
    snaplen: integerIn(iface, "snaplen", options.snaplen ?? d.snaplen, 1, 262144),
    promiscuous: options.promiscuous ?? d.promiscuous,
    bufferBytes: integerIn(iface, "bufferBytes", options.bufferBytes ?? d.bufferBytes, 65536, 2 ** 31 - 1),
    filter: options.filter ?? "",
    timeoutMs: integerIn(iface, "timeoutMs", options.timeoutMs ?? d.timeoutMs, 1, 60000),
    immediate: options.immediate ?? d.immediate,
    maxPackets,
    batchPackets: integerIn(
      iface,
      "batchPackets",
      options.batchPackets ?? d.batchPackets,
      1,
      MAX_BATCH_PACKETS,
    ),
    batchLatencyMs: integerIn(iface, "batchLatencyMs", options.batchLatencyMs ?? d.batchLatencyMs, 1, 60000),
  };
}

/**
 * Which of `ringCount` rings an Ethernet frame goes to: a hash of its two MAC addresses (bytes
 * 0–11) that is symmetric, so both directions of a conversation meet in the same dissector worker.
 * Frames of other link types, and frames shorter than 12 bytes, go to ring 0.
 */
export function ringIndexForFrame(
  bytes: Uint8Array,
  offset: number,
  caplen: number,
  linkType: number,
  ringCount: number,
): number {
  if (ringCount <= 1 || linkType !== 1 || caplen < 12) return 0;
  const high = ((bytes[offset] ^ bytes[offset + 6]) << 24) | ((bytes[offset + 1] ^ bytes[offset + 7]) << 16) |
    ((bytes[offset + 2] ^ bytes[offset + 8]) << 8) | (bytes[offset + 3] ^ bytes[offset + 9]);
  const low = ((bytes[offset + 4] ^ bytes[offset + 10]) << 8) | (bytes[offset + 5] ^ bytes[offset + 11]);
  let hash = Math.imul(high ^ Math.imul(low, 0x85ebca6b), 0x9e3779b1);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return (hash >>> 0) % ringCount;
}
