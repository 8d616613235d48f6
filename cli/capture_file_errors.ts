/**
 * One line for a capture file that cannot be opened or read: what `analyze FILE` and
 * `start --pcap FILE` print instead of a stack trace.
 *
 * @module
 */

import { CaptureFileError } from "../capture/capture_error.ts";

/**
 * The message for `error` met while opening capture file `path`, or undefined when `error` is
 * not about the file (a bug, to be thrown on).
 */
export function captureFileProblem(error: unknown, path: string): string | undefined {
  if (error instanceof CaptureFileError) return error.message;
  if (error instanceof Deno.errors.NotFound) return `Cannot open capture file "${path}": no such file`;
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.IsADirectory) {
    return `Cannot open capture file "${path}": ${error.message}`;
  }
  return undefined;
}

/**
 * Checks that `path` can be opened for reading, before a database is opened for it.
 *
 * @returns the one-line problem, or undefined when the file opens
 */
export async function checkCaptureFile(path: string): Promise<string | undefined> {
  try {
    const file = await Deno.open(path, { read: true });
    const info = await file.stat();
    file.close();
    if (info.isDirectory) return `Cannot open capture file "${path}": it is a folder`;
    return undefined;
  } catch (error) {
    const problem = captureFileProblem(error, path);
    if (problem === undefined) throw error;
    return problem;
  }
}
