/**
 * `poll(2)` from the C library, bound through Deno FFI, so that the capture loop can sleep on
 * libpcap's selectable file descriptor with a timeout instead of blocking inside `pcap_next_ex`.
 *
 * Why: with TPACKET_V3 (libpcap ≥ 1.9 on Linux ≥ 3.19) a blocking `pcap_next_ex` waits in `poll`
 * with no timeout and relies on the kernel retiring a ring block after the capture timeout; an
 * empty block is never retired, so on a silent interface the call never returns and a stop request
 * would never be seen. The capture loop therefore puts the handle in non-blocking mode and waits
 * here, for at most a few tens of milliseconds at a time.
 *
 * @module
 */

/** Library names tried in order by {@linkcode loadPoll}. */
export const LIBC_NAMES: readonly string[] = ["libc.so.6", "libc.so"];

/** `POLLIN`: data to read. */
export const POLLIN = 0x001;
/** `POLLERR`: error condition (e.g. the interface went down). */
export const POLLERR = 0x008;
/** `POLLHUP`: hang-up. */
export const POLLHUP = 0x010;

const SYMBOLS = {
  /** `int poll(struct pollfd *fds, nfds_t nfds, int timeout)` */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  /** `int getsockopt(int fd, int level, int name, void *value, socklen_t *length)` (to read SO_ERROR) */
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const SOL_SOCKET = 1;
const SO_ERROR = 4;

/** The bound C library functions. */
export type LibcPoll = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let bound: LibcPoll | undefined;

/**
 * Opens the C library once per process (needs `--allow-ffi`) and returns `poll`.
 *
 * @returns the bound function
 * @throws {Error} when no C library name can be opened
 */
export function loadPoll(): LibcPoll {
  if (bound !== undefined) return bound;
  let lastError: unknown;
  for (const name of LIBC_NAMES) {
    try {
      bound = Deno.dlopen(name, SYMBOLS).symbols;
      return bound;
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
        throw error;
      }
      lastError = error;
    }
  }
  throw new Error(`Cannot load the C library: none of ${LIBC_NAMES.join(", ")} could be opened`, {
    cause: lastError,
  });
}

/**
 * Waits for one file descriptor to become readable.
 *
 * @example Usage
 * ```ts ignore
 * import { FdWaiter } from "./libc_poll.ts";
 *
 * const waiter = new FdWaiter(fd);
 * if (waiter.wait(50) > 0) console.log("readable");
 * ```
 */
export class FdWaiter {
  readonly #poll: LibcPoll;
  /** `struct pollfd`: `int fd`, `short events`, `short revents`. */
  readonly #pollfd = new Int32Array(2);
  readonly #events: Int16Array;

  /** @param fd the file descriptor to watch (for libpcap, `pcap_get_selectable_fd`) */
  constructor(fd: number) {
    this.#poll = loadPoll();
    this.#pollfd[0] = fd;
    this.#events = new Int16Array(this.#pollfd.buffer);
    this.#events[2] = POLLIN;
  }

  /**
   * Sleeps until the descriptor is readable, has an error, or `timeoutMs` passes.
   *
   * @param timeoutMs the longest wait in milliseconds (0: do not wait)
   * @returns the `revents` bits (0 on time-out or when interrupted by a signal)
   */
  wait(timeoutMs: number): number {
    this.#events[3] = 0;
    const ready = this.#poll.poll(this.#pollfd, 1n, timeoutMs);
    return ready > 0 ? this.#events[3] : 0;
  }

  /**
   * Reads and clears the socket's pending error (`getsockopt(SO_ERROR)`), which keeps `poll`
   * reporting POLLERR until read.
   *
   * @returns the errno value, 0 when there is none
   */
  takeError(): number {
    const value = new Int32Array(2);
    if (this.#poll.getsockopt(this.#pollfd[0], SOL_SOCKET, SO_ERROR, value, Uint32Array.of(4)) !== 0) {
      return -1;
    }
    return value[0];
  }
}
