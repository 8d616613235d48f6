/**
 * Minimal Deno FFI binding of libpcap for reading capture files.
 *
 * Only five functions are bound: `pcap_open_offline`, `pcap_next_ex`, `pcap_datalink`, `pcap_geterr`
 * and `pcap_close`. NetSentinel is passive by construction: the functions that send frames
 * (`pcap_inject`, `pcap_sendpacket`) are never bound, here or anywhere else.
 *
 * @module
 */

/** Library names tried in order by {@linkcode loadLibpcap}. */
export const LIBPCAP_NAMES: readonly string[] = ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"];

/** Size of the error buffer that `pcap_open_offline` fills (PCAP_ERRBUF_SIZE). */
export const PCAP_ERRBUF_SIZE = 256;

/** `pcap_next_ex` result: a packet was read. */
export const PCAP_NEXT_OK = 1;
/** `pcap_next_ex` result: no more packets in the file. */
export const PCAP_NEXT_EOF = -2;

/**
 * Layout of `struct pcap_pkthdr` on 64-bit Linux, in 32-bit words: `ts.tv_sec` (64-bit) at words 0–1,
 * `ts.tv_usec` (64-bit) at 2–3, `caplen` at 4, `len` at 5.
 */
export const PKTHDR_SIZE = 24;

const SYMBOLS = {
  /** `pcap_t *pcap_open_offline(const char *fname, char *errbuf)` */
  pcap_open_offline: { parameters: ["buffer", "buffer"], result: "pointer" },
  /** `int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **header, const u_char **data)` */
  pcap_next_ex: { parameters: ["pointer", "pointer", "pointer"], result: "i32" },
  /** `int pcap_datalink(pcap_t *p)` */
  pcap_datalink: { parameters: ["pointer"], result: "i32" },
  /** `char *pcap_geterr(pcap_t *p)` */
  pcap_geterr: { parameters: ["pointer"], result: "pointer" },
  /** `void pcap_close(pcap_t *p)` */
  pcap_close: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The bound libpcap functions. */
export type Libpcap = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** libpcap could not be loaded. The message names the Debian package that provides it. */
export class LibpcapUnavailableError extends Error {
  /**
   * @param names the library names tried
   * @param options the last loading error as `cause`
   */
  constructor(names: readonly string[], options?: ErrorOptions) {
    super(
      `Cannot load libpcap: none of ${names.join(", ")} could be opened; ` +
        "install the Debian package libpcap0.8 (apt-get install libpcap0.8)",
      options,
    );
    this.name = "LibpcapUnavailableError";
  }
}

const loaded = new Map<string, Libpcap>();

/**
 * Opens libpcap once per process (needs `--allow-ffi`) and returns its bound functions.
 *
 * @param names library names to try in order; default {@linkcode LIBPCAP_NAMES}
 * @returns the bound functions
 * @throws {LibpcapUnavailableError} when no name can be opened
 *
 * @example Usage
 * ```ts ignore
 * import { loadLibpcap } from "./ffi.ts";
 *
 * const pcap = loadLibpcap();
 * ```
 */
export function loadLibpcap(names: readonly string[] = LIBPCAP_NAMES): Libpcap {
  const key = names.join("\0");
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  let lastError: unknown;
  for (const name of names) {
    try {
      const symbols = Deno.dlopen(name, SYMBOLS).symbols;
      loaded.set(key, symbols);
      return symbols;
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
        throw error;
      }
      lastError = error;
    }
  }
  throw new LibpcapUnavailableError(names, { cause: lastError });
}

/**
 * Encodes a string as a NUL-terminated C string.
 *
 * @param text the string
 * @returns its UTF-8 bytes followed by a NUL byte
 */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const encoded = new TextEncoder().encode(text);
  const bytes = new Uint8Array(encoded.length + 1);
  bytes.set(encoded);
  return bytes;
}

/**
 * Decodes the NUL-terminated C string at the start of a buffer.
 *
 * @param bytes the buffer
 * @returns the text before the first NUL byte
 */
export function fromCString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul === -1 ? bytes : bytes.subarray(0, nul));
}
