/**
 * The error thrown when a capture file is not a capture file, is truncated or is corrupt.
 *
 * Readers deliver every good packet before the damage first, then throw this error on the following
 * call, so the caller can analyse everything up to the damage and report exactly where it stopped.
 *
 * @module
 */

/** What went wrong and where, for {@linkcode CaptureFileError}. */
export interface CaptureFileErrorDetails {
  /** File byte offset of the damage (start of the damaged header, record or block); -1 when unknown. */
  offset: number;
  /** What the reader expected to find there, e.g. `"a 16-byte record header"`. */
  expected: string;
  /** Why the bytes are refused, e.g. `"record header is truncated: 7 of 16 bytes present"`. */
  reason: string;
  /** Underlying error, if any. */
  cause?: unknown;
}

/**
 * A capture file cannot be read: not a pcap/pcapng file, empty, truncated or corrupt.
 *
 * The message follows the Deno standard library style: sentence case, no final period, the file
 * and the offset first, then the reason with the values found.
 *
 * @example Usage
 * ```ts
 * import { CaptureFileError } from "./capture_error.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new CaptureFileError("x.pcap", {
 *   offset: 4096,
 *   expected: "a captured length of at most 65535 bytes",
 *   reason: "record header announces 70000 captured bytes, larger than the snapshot length 65535",
 * });
 * assert.equal(
 *   error.message,
 *   'Cannot read capture file "x.pcap" at offset 4096: record header announces 70000 captured bytes, ' +
 *     "larger than the snapshot length 65535",
 * );
 * ```
 */
export class CaptureFileError extends Error {
  /** Path of the capture file, as given to the reader. */
  readonly path: string;
  /** File byte offset of the damage; -1 when the problem concerns no particular place (or is unknown). */
  readonly offset: number;
  /** What the reader expected at {@linkcode CaptureFileError.offset}. */
  readonly expected: string;
  /** The reason alone, without the file and offset prefix. */
  readonly reason: string;

  /**
   * @param path the capture file path
   * @param details where and why
   */
  constructor(path: string, details: CaptureFileErrorDetails) {
    const where = details.offset >= 0 ? ` at offset ${details.offset}` : "";
    super(`Cannot read capture file "${path}"${where}: ${details.reason}`, { cause: details.cause });
    this.name = "CaptureFileError";
    this.path = path;
    this.offset = details.offset;
    this.expected = details.expected;
    this.reason = details.reason;
  }
}
