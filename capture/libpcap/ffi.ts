/**
 * Minimal Deno FFI binding of libpcap: the one place where libpcap's functions are declared.
 *
 * Two sets, each bound only by the code that needs it: {@linkcode loadLibpcap} binds the five
 * functions that read a capture file (`pcap_open_offline`, `pcap_next_ex`, `pcap_datalink`,
 * `pcap_geterr`, `pcap_close`); {@linkcode loadLiveLibpcap} binds what live capture needs (listing
 * interfaces, creating, configuring and activating a handle, filters, reading, statistics, closing).
 * NetSentinel is passive by construction: the functions that send frames (`pcap_inject`,
 * `pcap_sendpacket`) are never bound, here or anywhere else.
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

/** The bound libpcap functions for reading capture files. */
export type Libpcap = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const LIVE_SYMBOLS = {
  /** `int pcap_findalldevs(pcap_if_t **alldevsp, char *errbuf)` */
  pcap_findalldevs: { parameters: ["buffer", "buffer"], result: "i32" },
  /** `void pcap_freealldevs(pcap_if_t *alldevs)` */
  pcap_freealldevs: { parameters: ["pointer"], result: "void" },
  /** `pcap_t *pcap_create(const char *source, char *errbuf)` */
  pcap_create: { parameters: ["buffer", "buffer"], result: "pointer" },
  /** `int pcap_set_snaplen(pcap_t *p, int snaplen)` */
  pcap_set_snaplen: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_set_promisc(pcap_t *p, int promisc)` */
  pcap_set_promisc: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_set_timeout(pcap_t *p, int to_ms)` */
  pcap_set_timeout: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_set_buffer_size(pcap_t *p, int buffer_size)` */
  pcap_set_buffer_size: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_set_immediate_mode(pcap_t *p, int immediate_mode)` */
  pcap_set_immediate_mode: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_set_tstamp_precision(pcap_t *p, int tstamp_precision)` */
  pcap_set_tstamp_precision: { parameters: ["pointer", "i32"], result: "i32" },
  /** `int pcap_activate(pcap_t *p)` */
  pcap_activate: { parameters: ["pointer"], result: "i32" },
  /** `const char *pcap_statustostr(int error)` */
  pcap_statustostr: { parameters: ["i32"], result: "pointer" },
  /** `int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize, bpf_u_int32 netmask)` */
  pcap_compile: { parameters: ["pointer", "buffer", "buffer", "i32", "u32"], result: "i32" },
  /** `int pcap_setfilter(pcap_t *p, struct bpf_program *fp)` */
  pcap_setfilter: { parameters: ["pointer", "buffer"], result: "i32" },
  /** `void pcap_freecode(struct bpf_program *fp)` */
  pcap_freecode: { parameters: ["buffer"], result: "void" },
  /** `int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **header, const u_char **data)` */
  pcap_next_ex: { parameters: ["pointer", "pointer", "pointer"], result: "i32" },
  /** `int pcap_stats(pcap_t *p, struct pcap_stat *ps)` */
  pcap_stats: { parameters: ["pointer", "buffer"], result: "i32" },
  /** `void pcap_breakloop(pcap_t *p)` */
  pcap_breakloop: { parameters: ["pointer"], result: "void" },
  /** `void pcap_close(pcap_t *p)` */
  pcap_close: { parameters: ["pointer"], result: "void" },
  /** `char *pcap_geterr(pcap_t *p)` */
  pcap_geterr: { parameters: ["pointer"], result: "pointer" },
  /** `int pcap_datalink(pcap_t *p)` */
  pcap_datalink: { parameters: ["pointer"], result: "i32" },
  /** `int pcap_setnonblock(pcap_t *p, int nonblock, char *errbuf)` */
  pcap_setnonblock: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  /** `int pcap_get_selectable_fd(pcap_t *p)` */
  pcap_get_selectable_fd: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The bound libpcap functions for live capture. */
export type LiveLibpcap = Deno.DynamicLibrary<typeof LIVE_SYMBOLS>["symbols"];

/** Status codes of `pcap_activate` and friends (pcap/pcap.h). */
export const PcapStatus = {
  /** Generic error. */
  ERROR: -1,
  /** The loop was broken by `pcap_breakloop`. */
  BREAK: -2,
  /** The interface does not exist. */
  NO_SUCH_DEVICE: -5,
  /** No permission to open the capture source. */
  PERM_DENIED: -8,
  /** The interface is not up. */
  IFACE_NOT_UP: -9,
  /** No permission to put the interface in promiscuous mode. */
  PROMISC_PERM_DENIED: -11,
  /** The requested time stamp precision is not supported. */
  TSTAMP_PRECISION_NOTSUP: -12,
} as const;

/** `pcap_set_tstamp_precision` argument: nanosecond time stamps. */
export const PCAP_TSTAMP_PRECISION_NANO = 1;
/** `pcap_compile` netmask when it is unknown (only matters for IPv4 broadcast tests). */
export const PCAP_NETMASK_UNKNOWN = 0xffffffff;
/** Size of `struct bpf_program` on 64-bit Linux (`u_int bf_len`, padding, `struct bpf_insn *bf_insns`). */
export const BPF_PROGRAM_SIZE = 16;

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

const loaded = new Map<string, unknown>();

function bind<S extends Deno.ForeignLibraryInterface>(
  names: readonly string[],
  symbols: S,
  set: string,
): Deno.DynamicLibrary<S>["symbols"] {
  const key = set + "\0" + names.join("\0");
  const cached = loaded.get(key);
  if (cached !== undefined) return cached as Deno.DynamicLibrary<S>["symbols"];
  let lastError: unknown;
  for (const name of names) {
    try {
      const bound = Deno.dlopen(name, symbols).symbols;
      loaded.set(key, bound);
      return bound;
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
 * Opens libpcap once per process (needs `--allow-ffi`) and returns the functions that read files.
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
  return bind(names, SYMBOLS, "offline");
}

/**
 * Opens libpcap once per process (needs `--allow-ffi`) and returns the functions of live capture.
 *
 * @param names library names to try in order; default {@linkcode LIBPCAP_NAMES}
 * @returns the bound functions
 * @throws {LibpcapUnavailableError} when no name can be opened
 *
 * @example Usage
 * ```ts ignore
 * import { loadLiveLibpcap } from "./ffi.ts";
 *
 * const pcap = loadLiveLibpcap();
 * ```
 */
export function loadLiveLibpcap(names: readonly string[] = LIBPCAP_NAMES): LiveLibpcap {
  return bind(names, LIVE_SYMBOLS, "live");
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

/**
 * Compiles a BPF filter expression and attaches it to an activated live handle.
 *
 * @param pcap the bound live functions
 * @param handle the activated `pcap_t *`
 * @param expression the filter, in tcpdump syntax
 * @returns undefined when the filter is set, else libpcap's error message
 */
export function setFilter(
  pcap: LiveLibpcap,
  handle: Deno.PointerObject,
  expression: string,
): string | undefined {
  const program = new Uint8Array(BPF_PROGRAM_SIZE);
  if (pcap.pcap_compile(handle, program, cString(expression), 1, PCAP_NETMASK_UNKNOWN) !== 0) {
    return Deno.UnsafePointerView.getCString(pcap.pcap_geterr(handle)!);
  }
  const set = pcap.pcap_setfilter(handle, program);
  pcap.pcap_freecode(program);
  return set === 0 ? undefined : Deno.UnsafePointerView.getCString(pcap.pcap_geterr(handle)!);
}
