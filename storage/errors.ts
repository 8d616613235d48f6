/**
 * Storage errors: one clear line for the problems people actually hit (server down, bad
 * `DATABASE_URL`, authentication, missing database, permissions, full disk), and a flag telling the
 * aggregator whether waiting and retrying can help.
 *
 * @module
 */

/** What went wrong, for callers that react differently (retry, exit, tell the user). */
export type StorageErrorKind =
  | "url"
  | "connection"
  | "auth"
  | "database-missing"
  | "permission"
  | "disk-full"
  | "migration"
  | "conflict"
  | "query";

/** Kinds for which waiting and retrying can help (the server may come back, the disk be freed). */
const RETRYABLE: ReadonlySet<StorageErrorKind> = new Set(["connection", "disk-full", "conflict"]);

/** A storage failure with a one-line message meant for the operator. */
export class StorageError extends Error {
  /** What went wrong. */
  readonly kind: StorageErrorKind;
  /** True when retrying later can succeed without anybody changing anything. */
  readonly retryable: boolean;

  constructor(kind: StorageErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StorageError";
    this.kind = kind;
    this.retryable = RETRYABLE.has(kind);
  }
}

/** Fields of the errors thrown by postgres.js, Node sockets and PGlite that we look at. */
interface DriverErrorFields {
  code?: unknown;
  message?: unknown;
  errno?: unknown;
  name?: unknown;
  cause?: unknown;
}

function fieldsOf(error: unknown): DriverErrorFields {
  return typeof error === "object" && error !== null ? error as DriverErrorFields : {};
}

/**
 * PGlite's file system (Emscripten) throws `ErrnoError { errno }` with no message, using WASI
 * errno numbers; these are the ones a data folder meets.
 */
const WASI_ERRNO: Record<number, string> = {
  2: "EACCES",
  19: "EDQUOT",
  29: "EIO",
  44: "ENOENT",
  51: "ENOSPC",
  63: "EPERM",
  69: "EROFS",
};

/** A value with no message, in words ("[object Object]" says nothing). */
function describeValue(value: unknown): string {
  if (typeof value !== "object" || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The code and one-line text of a driver error; a file-system errno may hide in its `cause`. */
function codeAndText(error: unknown): { code: string; text: string } {
  const { code, message } = fieldsOf(error);
  const own = typeof message === "string" && message !== "" ? message.split("\n")[0] : "";
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const { name, errno, cause } = fieldsOf(current);
    if (name === "ErrnoError" && typeof errno === "number") {
      const mapped = WASI_ERRNO[errno] ?? "";
      const fs = `file system error ${mapped || `errno ${errno}`}`;
      return { code: mapped, text: own ? `${own}: ${fs}` : `PGlite ${fs}` };
    }
    current = cause;
  }
  return { code: typeof code === "string" ? code : "", text: own || describeValue(error) };
}

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused (is the server running?)",
  ECONNRESET: "connection reset by the server",
  EPIPE: "connection closed by the server",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed (temporary)",
  CONNECT_TIMEOUT: "connection timed out",
  CONNECTION_CLOSED: "connection closed",
  CONNECTION_ENDED: "connection ended",
  CONNECTION_DESTROYED: "connection destroyed",
};

/**
 * Turns a driver error into a {@linkcode StorageError} whose message starts with `action`
 * ("Cannot connect to PostgreSQL at 127.0.0.1:5432", "Cannot apply batch local/abc/3"…).
 * A {@linkcode StorageError} passes through unchanged.
 */
export function describeStorageError(action: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const { code: codeText, text } = codeAndText(error);
  const connection = CONNECTION_CODES[codeText];
  if (connection) return new StorageError("connection", `${action}: ${connection}`, { cause: error });
  if (codeText === "28P01" || codeText === "28000") {
    return new StorageError("auth", `${action}: authentication failed: ${text}`, { cause: error });
  }
  if (codeText === "3D000") {
    return new StorageError("database-missing", `${action}: ${text}`, { cause: error });
  }
  if (codeText.startsWith("08") || codeText === "57P01" || codeText === "57P02" || codeText === "57P03") {
    return new StorageError("connection", `${action}: ${text}`, { cause: error });
  }
  if (codeText === "53100" || codeText === "ENOSPC" || /no space left on device/i.test(text)) {
    // "could not extend file "base/5/16594": No space left on device": say the cause first, once.
    const detail = text.replace(/^ENOSPC:\s*/, "").replace(/[:,]?\s*no space left on device[:,]?\s*/i, " ")
      .trim();
    return new StorageError(
      "disk-full",
      `${action}: no space left on device${detail ? ` (${detail})` : ""}`,
      { cause: error },
    );
  }
  if (
    codeText === "42501" || codeText === "EACCES" || codeText === "EPERM" ||
    error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable
  ) {
    return new StorageError("permission", `${action}: permission denied (${text})`, { cause: error });
  }
  if (codeText === "40P01" || codeText === "40001") {
    return new StorageError("conflict", `${action}: ${text} (will retry)`, { cause: error });
  }
  const suffix = codeText && /^[0-9A-Z]{5}$/.test(codeText) ? ` (SQLSTATE ${codeText})` : "";
  return new StorageError("query", `${action}: ${text}${suffix}`, { cause: error });
}
