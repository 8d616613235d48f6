/**
 * `DATABASE_URL` checking: the scheme, host, port and database are checked before any connection
 * so a typo gets a precise message, and the password never appears in a message or a log.
 *
 * @module
 */

import { StorageError } from "./errors.ts";

/** The parts of a PostgreSQL URL that messages show. */
export interface DatabaseUrl {
  /** The URL as given (with its password): only for the driver. */
  url: string;
  host: string;
  port: number;
  /** Database name, or "(default database)" (postgres.js then uses the user name). */
  database: string;
  user: string;
  /** The URL with its password replaced by `***`, for messages. */
  masked: string;
}

/** The URL with the password of its `user:password@` part replaced by `***`. */
export function maskDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}

function invalid(masked: string, detail: string): StorageError {
  return new StorageError("url", `Cannot use DATABASE_URL "${masked}": ${detail}`);
}

/**
 * Checks a PostgreSQL URL and returns its parts.
 *
 * @throws {StorageError} kind `url` naming what is wrong (the password masked)
 *
 * @example
 * ```ts
 * import { parseDatabaseUrl } from "./database_url.ts";
 * const url = parseDatabaseUrl("postgres://netsentinel:s3cret@db.local/inventory");
 * if (url.masked !== "postgres://netsentinel:***@db.local/inventory" || url.port !== 5432) throw new Error();
 * ```
 */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  const masked = maskDatabaseUrl(url.trim());
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1];
  if (!scheme) return fail(masked, "it is not a URL (expected postgres://user:password@host:5432/database)");
  if (scheme !== "postgres" && scheme !== "postgresql") {
    return fail(masked, `the scheme must be postgres:// or postgresql://, got "${scheme}:"`);
  }
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url.trim())?.[1] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*):(.*)$/.exec(hostPort)?.[1];
  if (
    port !== undefined && port !== "" && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
  ) {
    return fail(masked, `the port must be a number from 1 to 65535, got "${port}"`);
  }
  if (hostPort === "" || hostPort.startsWith(":")) return fail(masked, "it has no host name");
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return fail(masked, "it is not a valid URL (expected postgres://user:password@host:5432/database)");
  }
  if (!parsed.hostname) return fail(masked, "it has no host name");
  const portNumber = parsed.port ? Number(parsed.port) : 5432;
  if (portNumber < 1 || portNumber > 65535) {
    return fail(masked, `the port must be a number from 1 to 65535, got "${parsed.port}"`);
  }
  const user = decodeURIComponent(parsed.username) || "(default user)";
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "(default database)";
  if (database.includes("/")) return fail(masked, `the database name "${database}" contains a "/"`);
  return { url: url.trim(), host: parsed.hostname, port: portNumber, database, user, masked };
}

function fail(masked: string, detail: string): never {
  throw invalid(masked, detail);
}
