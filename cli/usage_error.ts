/**
 * Errors of the command line: a bad flag or argument. The CLI prints their message on one line
 * (no stack trace) and exits with status 2, like most Unix tools for usage errors.
 *
 * @module
 */

/** A command-line usage error. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit status of a usage error. */
export const EXIT_USAGE = 2;
/** Exit status when the input could not be read or was damaged. */
export const EXIT_INPUT = 1;

/** Parses a positive integer flag value or throws a {@linkcode UsageError} naming the flag. */
export function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number <= 0) {
    throw new UsageError(`Cannot parse --${flag}: "${value}" is not a positive integer`);
  }
  return number;
}

/** Parses a positive number flag value (e.g. seconds) or throws a {@linkcode UsageError} naming the flag. */
export function positiveNumber(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`Cannot parse --${flag}: "${value}" is not a positive number`);
  }
  return number;
}
