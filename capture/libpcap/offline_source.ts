/**
 * Capture file reader backed by libpcap's own reader (`pcap_open_offline` + `pcap_next_ex`), for
 * comparison with the TypeScript readers of `file_source.ts` (see `bench/readers.ts`).
 *
 * libpcap owns the memory of the packet it returns and reuses it on the next call, so each packet is
 * copied into the batch buffer (one `memcpy` through a sub-view per packet): unlike the TypeScript
 * readers, this source is not zero-copy. Following the measured advice of ARCHITECTURE.md, the
 * out-parameters of `pcap_next_ex` are plain pointers into a preallocated buffer, and libpcap's header
 * and data memory are mapped once and re-mapped only when their address changes or a packet is longer
 * than the mapping.
 *
 * Limits of this minimal binding: libpcap gives microsecond time stamps (nanosecond files are
 * truncated to µs), no interface id (always 0), no snapshot length (reported as 0), and `bytesRead` is
 * an estimate until the end of the file.
 *
 * @module
 */

import { type CaptureInterface, linkTypeOfDlt, type PacketBatch } from "../batch.ts";
import { CaptureFileError } from "../capture_error.ts";
import type { CaptureFileSource } from "../file_source.ts";
import { isPcapMagic } from "../pcap_reader.ts";
import {
  cString,
  fromCString,
  type Libpcap,
  loadLibpcap,
  PCAP_ERRBUF_SIZE,
  PCAP_NEXT_EOF,
  PKTHDR_SIZE,
} from "./ffi.ts";

/** Options of {@linkcode openLibpcapOffline}. */
export interface OpenLibpcapOfflineOptions {
  /** Initial size of the batch buffer the packets are copied into. Default 4 MiB. */
  bufferSize?: number;
  /** Library names to try; default those of `ffi.ts`. */
  libraryNames?: readonly string[];
}

/**
 * Opens a capture file with libpcap (needs `--allow-ffi` and `--allow-read`).
 *
 * @param path the file to read
 * @param options buffer size and library names
 * @returns the open source; call `close()` when done
 * @throws {LibpcapUnavailableError} when libpcap is not installed
 * @throws {CaptureFileError} when libpcap refuses the file
 *
 * @example Usage
 * ```ts ignore
 * import { openLibpcapOffline } from "./offline_source.ts";
 * import { PacketBatch } from "../batch.ts";
 *
 * const source = await openLibpcapOffline("capture.pcap");
 * const batch = new PacketBatch(4096);
 * while (await source.next(batch)) console.log(batch.count);
 * source.close();
 * ```
 */
export async function openLibpcapOffline(
  path: string,
  options: OpenLibpcapOfflineOptions = {},
): Promise<LibpcapOfflineSource> {
  const pcap = loadLibpcap(options.libraryNames);
  const head = new Uint8Array(4);
  using file = await Deno.open(path, { read: true });
  const fileSize = (await file.stat()).size;
  const got = await file.read(head);
  const magic = got === 4 ? new DataView(head.buffer).getUint32(0, true) : 0;
  const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
  const handle = pcap.pcap_open_offline(cString(path), errbuf);
  if (handle === null) {
    throw new CaptureFileError(path, {
      offset: -1,
      expected: "a capture file libpcap can read",
      reason: `libpcap cannot open it: ${fromCString(errbuf)}`,
    });
  }
  return new LibpcapOfflineSource(pcap, handle, {
    path,
    fileSize,
    format: isPcapMagic(magic) ? "pcap" : "pcapng",
    bufferSize: options.bufferSize ?? 4 * 1024 * 1024,
  });
}

/** What {@linkcode LibpcapOfflineSource} needs besides the handle. */
export interface LibpcapOfflineSourceInit {
  /** The file path, for messages. */
  path: string;
  /** File size in bytes. */
  fileSize: number;
  /** Format found by the magic number. */
  format: "pcap" | "pcapng";
  /** Initial size of the batch buffer. */
  bufferSize: number;
}

/** A capture file read through libpcap; see the module documentation for its limits. */
export class LibpcapOfflineSource implements CaptureFileSource {
  /** Format found by the magic number. */
  readonly format: "pcap" | "pcapng";
  /** The single interface libpcap reports (snaplen unknown: 0). */
  readonly interfaces: readonly CaptureInterface[];
  /** File size in bytes. */
  readonly fileSize: number;
  readonly #pcap: Libpcap;
  readonly #path: string;
  readonly #linkType: number;
  readonly #overhead: number;
  #handle: Deno.PointerValue;
  #estimate: number;
  #buffer: Uint8Array;
  // Out-parameters of pcap_next_ex: words 0–1 receive the header address, 2–3 the data address. More
  // than 64 bytes so that V8 keeps the backing store off its heap (it must not move).
  readonly #outs = new Uint32Array(32);
  readonly #headerOut: Deno.PointerValue;
  readonly #dataOut: Deno.PointerValue;
  #headerAddress = -1;
  #header = new Uint32Array(6);
  #headerSigned = new Int32Array(6);
  #dataAddress = -1;
  #data = new Uint8Array(0);
  #pending = false;
  #eof = false;
  #error: CaptureFileError | undefined;

  /**
   * @param pcap the bound libpcap functions
   * @param handle a `pcap_t *` from `pcap_open_offline`, closed by {@linkcode LibpcapOfflineSource.close}
   * @param init path, size, format and buffer size
   */
  constructor(pcap: Libpcap, handle: Deno.PointerObject, init: LibpcapOfflineSourceInit) {
    this.#pcap = pcap;
    this.#handle = handle;
    this.#path = init.path;
    this.format = init.format;
    this.fileSize = init.fileSize;
    this.#linkType = linkTypeOfDlt(pcap.pcap_datalink(handle));
    this.interfaces = [{ index: 0, linkType: this.#linkType, snaplen: 0 }];
    this.#overhead = init.format === "pcap" ? 16 : 32;
    this.#estimate = init.format === "pcap" ? 24 : 0;
    this.#buffer = new Uint8Array(init.bufferSize);
    const outs = Deno.UnsafePointer.of(this.#outs)!;
    this.#headerOut = outs;
    this.#dataOut = Deno.UnsafePointer.offset(outs, 8);
  }

  /** Estimated bytes consumed (exact at the end of the file). */
  /** libpcap itself refuses or cuts such frames, so none reach this reader. */
  get overSnaplen(): number {
    return 0;
  }

  get bytesRead(): number {
    return this.#eof ? this.fileSize : Math.min(this.#estimate, this.fileSize);
  }

  /** See {@linkcode CaptureFileSource.next}. Packets are copied into the source's own buffer. */
  next(batch: PacketBatch): Promise<boolean> {
    try {
      return Promise.resolve(this.#fill(batch));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #fill(batch: PacketBatch): boolean {
    if (this.#handle === null) {
      throw new Error(`Cannot read capture file "${this.#path}": the source is closed`);
    }
    if (this.#error !== undefined) throw this.#error;
    const cap = batch.capacity;
    const outs = this.#outs;
    let n = 0;
    let used = 0;
    while (n < cap && !this.#eof) {
      if (!this.#pending) {
        const rc = this.#pcap.pcap_next_ex(this.#handle, this.#headerOut, this.#dataOut);
        if (rc === PCAP_NEXT_EOF) {
          this.#eof = true;
          break;
        }
        if (rc !== 1) {
          this.#error = this.#libpcapError();
          if (n > 0) break;
          throw this.#error;
        }
        const headerAddress = outs[0] + outs[1] * 4294967296;
        if (headerAddress !== this.#headerAddress) this.#mapHeader(headerAddress);
        this.#pending = true;
      }
      const header = this.#header;
      const caplen = header[4];
      if (used + caplen > this.#buffer.length) {
        if (n > 0) break;
        this.#buffer = new Uint8Array(Math.max(caplen, this.#buffer.length * 2));
      }
      const dataAddress = outs[2] + outs[3] * 4294967296;
      if (dataAddress !== this.#dataAddress || caplen > this.#data.length) this.#mapData(dataAddress, caplen);
      this.#buffer.set(caplen === this.#data.length ? this.#data : this.#data.subarray(0, caplen), used);
      batch.offset[n] = used;
      batch.caplen[n] = caplen;
      batch.wirelen[n] = header[5] < caplen ? caplen : header[5];
      batch.tsSec[n] = header[0] + this.#headerSigned[1] * 4294967296;
      batch.tsNsec[n] = header[2] * 1000;
      batch.linkType[n] = this.#linkType;
      batch.ifIndex[n] = 0;
      this.#estimate += this.#overhead + caplen;
      this.#pending = false;
      used += caplen;
      n++;
    }
    batch.count = n;
    batch.bytes = this.#buffer;
    return n > 0;
  }

  /** Closes the libpcap handle. Safe to call twice. */
  close(): void {
    if (this.#handle === null) return;
    this.#pcap.pcap_close(this.#handle);
    this.#handle = null;
  }

  #mapHeader(address: number): void {
    const pointer = Deno.UnsafePointer.create(BigInt(address))!;
    const memory = Deno.UnsafePointerView.getArrayBuffer(pointer, PKTHDR_SIZE);
    this.#headerAddress = address;
    this.#header = new Uint32Array(memory);
    this.#headerSigned = new Int32Array(memory);
  }

  #mapData(address: number, caplen: number): void {
    const length = address === this.#dataAddress ? Math.max(caplen, this.#data.length) : caplen;
    this.#data = length === 0 ? new Uint8Array(0) : new Uint8Array(
      Deno.UnsafePointerView.getArrayBuffer(Deno.UnsafePointer.create(BigInt(address))!, length),
    );
    this.#dataAddress = address;
  }

  #libpcapError(): CaptureFileError {
    const message = Deno.UnsafePointerView.getCString(this.#pcap.pcap_geterr(this.#handle)!);
    return new CaptureFileError(this.#path, {
      offset: -1,
      expected: "a complete packet record",
      reason: `libpcap stopped after about ${this.bytesRead} bytes: ${message}`,
    });
  }
}
