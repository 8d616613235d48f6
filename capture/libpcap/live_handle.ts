/**
 * A live libpcap capture handle: opening with precise errors, a per-packet loop without allocation,
 * a wait that never blocks longer than asked, and 64-bit statistics.
 *
 * The loop follows the measured advice of ARCHITECTURE.md: `pcap_next_ex` out-parameters are plain
 * pointers into a preallocated buffer, and libpcap's header and packet memory (for a live Linux
 * handle, the same two addresses call after call) are mapped once. Copying a packet out goes through
 * a cache of views by length, so nothing is allocated per packet. The handle is non-blocking:
 * {@linkcode LiveHandle.next} returns false when nothing is ready, and {@linkcode LiveHandle.wait}
 * sleeps in `poll(2)` on libpcap's selectable descriptor for at most the given time.
 *
 * @module
 */

import { interfaceDown, loadCaptureLibrary, noSuchInterface, requireCapturable } from "../interfaces.ts";
import {
  CAPTURE_PERMISSION_HINT,
  LiveCaptureError,
  type LiveCaptureOptions,
  resolveLiveCaptureOptions,
} from "../live/protocol.ts";
import {
  cString,
  fromCString,
  type LiveLibpcap,
  PCAP_ERRBUF_SIZE,
  PCAP_TSTAMP_PRECISION_NANO,
  PcapStatus,
  PKTHDR_SIZE,
  setFilter,
} from "./ffi.ts";
import { FdWaiter, POLLERR, POLLHUP } from "./libc_poll.ts";
import { linkTypeOfDlt } from "../batch.ts";

/** libpcap's counters, widened to 64 bits (libpcap's own are 32-bit and wrap). */
export interface LiveHandleStats {
  /** Packets the kernel passed to the capture socket (`ps_recv`; on Linux it includes the drops). */
  received: number;
  /** Dropped because the capture buffer was full (`ps_drop`). */
  kernelDropped: number;
  /** Dropped by the interface or its driver (`ps_ifdrop`). */
  interfaceDropped: number;
}

const LARGEST_CACHED_VIEW = 65535;
const [ENXIO, ENODEV, ENETDOWN] = [6, 19, 100];

function pointerAddress(words: Uint32Array, at: number): number {
  return words[at] + words[at + 1] * 4294967296;
}

/** The error for libpcap status `status` (`detail`: what libpcap says). */
function failure(iface: string, status: number, detail: string): LiveCaptureError {
  switch (status) {
    case PcapStatus.NO_SUCH_DEVICE:
      return noSuchInterface(iface);
    case PcapStatus.PERM_DENIED:
    case PcapStatus.PROMISC_PERM_DENIED:
      return new LiveCaptureError(
        "permission-denied",
        `Cannot capture on "${iface}": permission denied (${detail}); ${CAPTURE_PERMISSION_HINT}`,
      );
    case PcapStatus.IFACE_NOT_UP:
      return interfaceDown(iface);
    default:
      return new LiveCaptureError("capture-failed", `Cannot capture on "${iface}": ${detail}`);
  }
}

/**
 * Opens and activates a live capture (needs `--allow-ffi` and CAP_NET_RAW).
 *
 * The interface must be one `pcap_findalldevs` lists, and up.
 *
 * @param options the capture options (defaults applied here)
 * @returns the active handle; call `close()` when done
 * @throws {LiveCaptureError} with code "libpcap-missing", "ffi-denied", "bad-options",
 * "no-such-interface", "permission-denied", "interface-down", "bad-filter" or "capture-failed"
 */
export function openLiveHandle(options: LiveCaptureOptions): LiveHandle {
  const resolved = resolveLiveCaptureOptions(options);
  const iface = resolved.iface;
  const pcap = loadCaptureLibrary();
  if (iface !== "any") requireCapturable(iface);
  const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
  const handle = pcap.pcap_create(cString(iface), errbuf);
  if (handle === null) throw failure(iface, PcapStatus.ERROR, fromCString(errbuf));
  try {
    pcap.pcap_set_snaplen(handle, resolved.snaplen);
    pcap.pcap_set_promisc(handle, resolved.promiscuous ? 1 : 0);
    pcap.pcap_set_timeout(handle, resolved.timeoutMs);
    pcap.pcap_set_buffer_size(handle, resolved.bufferBytes);
    pcap.pcap_set_immediate_mode(handle, resolved.immediate ? 1 : 0);
    const nanosecond = pcap.pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO) === 0;
    const status = pcap.pcap_activate(handle);
    if (status < 0) {
      // pcap_geterr says what failed ("socket: Operation not permitted"); the status text is the fallback.
      const detail = Deno.UnsafePointerView.getCString(pcap.pcap_geterr(handle)!) ||
        Deno.UnsafePointerView.getCString(pcap.pcap_statustostr(status)!);
      throw failure(iface, status, detail);
    }
    const filterError = resolved.filter === "" ? undefined : setFilter(pcap, handle, resolved.filter);
    if (filterError !== undefined) {
      throw new LiveCaptureError(
        "bad-filter",
        `Cannot compile the capture filter "${resolved.filter}" for "${iface}": ${filterError}`,
      );
    }
    if (pcap.pcap_setnonblock(handle, 1, errbuf) !== 0) {
      throw failure(iface, PcapStatus.ERROR, fromCString(errbuf));
    }
    const fd = pcap.pcap_get_selectable_fd(handle);
    if (fd < 0) throw failure(iface, PcapStatus.ERROR, "libpcap gives no selectable file descriptor");
    return new LiveHandle(pcap, handle, { iface, fd, nanosecond, snaplen: resolved.snaplen });
  } catch (error) {
    pcap.pcap_close(handle);
    throw error;
  }
}

/** What {@linkcode LiveHandle} needs besides libpcap and the handle (`fd`: libpcap's selectable one). */
export type LiveHandleInit = { iface: string; fd: number; nanosecond: boolean; snaplen: number };

/** An active, non-blocking libpcap capture. Use {@linkcode openLiveHandle} to make one. */
export class LiveHandle {
  /** The interface. */
  readonly iface: string;
  /** LINKTYPE_* of the frames. */
  readonly linkType: number;
  /** True when time stamps have nanosecond resolution (else microseconds). */
  readonly nanosecond: boolean;
  readonly #pcap: LiveLibpcap;
  #handle: Deno.PointerValue;
  readonly #waiter: FdWaiter;
  // Out-parameters of pcap_next_ex (header address in words 0–1, data address in 2–3); more than
  // 64 bytes so that V8 keeps the backing store off its heap.
  readonly #outs = new Uint32Array(32);
  readonly #headerOut: Deno.PointerValue;
  readonly #dataOut: Deno.PointerValue;
  #headerAddress = -1;
  #header = new Uint32Array(PKTHDR_SIZE / 4);
  #dataAddress = -1;
  #data = new Uint8Array(0);
  /** Views of `#data` by length, so copying a packet allocates nothing. */
  #views: (Uint8Array | undefined)[];
  readonly #stats = new Uint32Array(4);
  readonly #last = [0, 0, 0];
  readonly #total = [0, 0, 0];
  readonly #timeScale: number;

  /**
   * @param pcap the bound libpcap functions
   * @param handle an activated, non-blocking `pcap_t *`, closed by {@linkcode LiveHandle.close}
   * @param init interface, descriptor, time stamp precision, snapshot length
   */
  constructor(pcap: LiveLibpcap, handle: Deno.PointerObject, init: LiveHandleInit) {
    this.#pcap = pcap;
    this.#handle = handle;
    this.iface = init.iface;
    this.nanosecond = init.nanosecond;
    this.#timeScale = init.nanosecond ? 1 : 1000;
    this.linkType = linkTypeOfDlt(pcap.pcap_datalink(handle));
    this.#waiter = new FdWaiter(init.fd);
    const views = Math.min(init.snaplen, LARGEST_CACHED_VIEW) + 1;
    this.#views = new Array<Uint8Array | undefined>(views).fill(undefined);
    const outs = Deno.UnsafePointer.of(this.#outs)!;
    this.#headerOut = outs;
    this.#dataOut = Deno.UnsafePointer.offset(outs, 8);
  }

  /**
   * Takes the next packet from libpcap. Its fields ({@linkcode caplen}, {@linkcode wirelen},
   * {@linkcode tsSec}, {@linkcode tsNsec}) and {@linkcode copyTo} are valid until the next call.
   *
   * @returns true when a packet was taken, false when none is ready
   * @throws {LiveCaptureError} when the capture fails (e.g. code "interface-down")
   */
  next(): boolean {
    if (this.#handle === null) {
      throw new LiveCaptureError("capture-failed", `Cannot read from "${this.iface}": the handle is closed`);
    }
    const rc = this.#pcap.pcap_next_ex(this.#handle, this.#headerOut, this.#dataOut);
    if (rc === 1) {
      const outs = this.#outs;
      const headerAddress = pointerAddress(outs, 0);
      if (headerAddress !== this.#headerAddress) this.#mapHeader(headerAddress);
      const dataAddress = pointerAddress(outs, 2);
      const caplen = this.#header[4];
      if (dataAddress !== this.#dataAddress || caplen > this.#data.length) this.#mapData(dataAddress, caplen);
      return true;
    }
    if (rc === 0) return false;
    throw this.#readError(rc);
  }

  /** Captured length of the current packet. */
  get caplen(): number {
    return this.#header[4];
  }

  /** Length of the current packet on the wire (≥ caplen). */
  get wirelen(): number {
    const len = this.#header[5];
    const caplen = this.#header[4];
    return len < caplen ? caplen : len;
  }

  /** Time stamp of the current packet: whole seconds since the epoch. */
  get tsSec(): number {
    return this.#header[0] + this.#header[1] * 4294967296; // tv_sec, never before 1970 here
  }

  /** Time stamp of the current packet: nanoseconds within the second. */
  get tsNsec(): number {
    return this.#header[2] * this.#timeScale;
  }

  /** libpcap's memory holding the current packet at index 0 (read only; valid until {@linkcode next}). */
  get data(): Uint8Array {
    return this.#data;
  }

  /** Copies the first `length` bytes of the current packet into `target` at `at`. */
  copyTo(target: Uint8Array, at: number, length: number): void {
    if (length < this.#views.length) {
      let view = this.#views[length];
      if (view === undefined) {
        view = this.#data.subarray(0, length);
        this.#views[length] = view;
      }
      target.set(view, at);
    } else {
      target.set(this.#data.subarray(0, length), at);
    }
  }

  /**
   * Sleeps until packets may be ready or `timeoutMs` passes. Packets become ready when the kernel
   * hands over a buffer block (full, or `timeoutMs` of {@linkcode LiveCaptureOptions} after its
   * first packet). libpcap does not report a socket error in non-blocking mode, so it is read here.
   *
   * @throws {LiveCaptureError} code "interface-down" when the interface went down, or
   * "capture-failed" when it disappeared or the socket failed otherwise
   */
  wait(timeoutMs: number): void {
    if ((this.#waiter.wait(timeoutMs) & (POLLERR | POLLHUP)) === 0) return;
    const errno = this.#waiter.takeError();
    if (errno === ENETDOWN) throw failure(this.iface, PcapStatus.IFACE_NOT_UP, "");
    if (errno !== 0) {
      const what = errno === ENODEV || errno === ENXIO
        ? "the interface disappeared"
        : `socket error ${errno}`;
      throw failure(this.iface, PcapStatus.ERROR, what);
    }
  }

  /** libpcap's counters since activation, widened to 64 bits (call at least once an hour at 1 Mpps). */
  stats(): LiveHandleStats {
    if (this.#handle !== null && this.#pcap.pcap_stats(this.#handle, this.#stats) === 0) {
      for (let i = 0; i < 3; i++) {
        this.#total[i] += (this.#stats[i] - this.#last[i]) >>> 0;
        this.#last[i] = this.#stats[i];
      }
    }
    return { received: this.#total[0], kernelDropped: this.#total[1], interfaceDropped: this.#total[2] };
  }

  /** Closes the handle. Safe to call twice. */
  close(): void {
    if (this.#handle === null) return;
    this.#pcap.pcap_close(this.#handle);
    this.#handle = null;
  }

  #mapHeader(address: number): void {
    const memory = Deno.UnsafePointerView.getArrayBuffer(
      Deno.UnsafePointer.create(BigInt(address))!,
      PKTHDR_SIZE,
    );
    this.#headerAddress = address;
    this.#header = new Uint32Array(memory);
  }

  #mapData(address: number, caplen: number): void {
    const length = address === this.#dataAddress ? Math.max(caplen, this.#data.length) : caplen;
    this.#data = length === 0 ? new Uint8Array(0) : new Uint8Array(
      Deno.UnsafePointerView.getArrayBuffer(Deno.UnsafePointer.create(BigInt(address))!, length),
    );
    // Views of a smaller mapping at the same address stay valid; another address voids them all.
    if (address !== this.#dataAddress) this.#views.fill(undefined);
    this.#dataAddress = address;
  }

  #readError(status: number): LiveCaptureError {
    const detail = Deno.UnsafePointerView.getCString(this.#pcap.pcap_geterr(this.#handle)!);
    return failure(this.iface, status, detail || `libpcap status ${status}`);
  }
}
