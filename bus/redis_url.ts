/**
 * Checks a Redis URL before anything connects, so a bad `REDIS_URL` gets one precise line (with
 * the password masked) instead of a reconnect loop.
 *
 * Accepted: `redis[s]://[[user][:password]@]host[:port][/db]` (the IANA `redis` and `rediss`
 * schemes, as node-redis reads them).
 *
 * @module
 */

/** A checked Redis URL. */
export interface RedisTarget {
  /** The URL as given, for the client. */
  url: string;
  /** The URL with its password replaced by `***`, for messages. */
  display: string;
  /** `host:port`, for messages. */
  address: string;
}

/** A Redis URL that cannot be used. */
export class RedisUrlError extends TypeError {
  /** @param message the whole message */
  constructor(message: string) {
    super(message);
    this.name = "RedisUrlError";
  }
}

/**
 * The URL with any password replaced by `***` (works on text that is not a valid URL too).
 *
 * @example Masking
 * ```ts ignore
 * maskRedisUrl("redis://app:s3cret@db:6379"); // "redis://app:***@db:6379"
 * ```
 */
export function maskRedisUrl(text: string): string {
  // Up to the last "@": a password may hold "@" or "/" (over-masking beats leaking).
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/@]*:).*@/, "$1***@");
}

/**
 * Checks a Redis URL.
 *
 * @param text the URL
 * @param source what the URL came from, for the message (default `Redis URL`)
 * @returns the URL, its masked form and `host:port`
 * @throws {RedisUrlError} naming what is wrong, e.g.
 * `Cannot use REDIS_URL "http://h:6379": scheme is "http:", expected "redis:" or "rediss:"`
 */
export function parseRedisUrl(text: string, source = "Redis URL"): RedisTarget {
  const display = maskRedisUrl(text);
  const fail = (detail: string) => new RedisUrlError(`Cannot use ${source} "${display}": ${detail}`);
  if (text.trim().length === 0) throw fail("it is empty");
  if (!text.includes("://")) throw fail("it has no scheme (expected redis://host:port)");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail("it is not a URL (expected redis://[user[:password]@]host[:port][/db])");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw fail(`scheme is "${url.protocol}", expected "redis:" or "rediss:"`);
  }
  if (url.hostname.length === 0) throw fail("it has no host name");
  if (url.pathname.length > 1) {
    const db = url.pathname.slice(1);
    if (!/^\d+$/.test(db)) throw fail(`database is "${db}", expected a number such as /0`);
  }
  if (url.search.length > 0 || url.hash.length > 0) {
    throw fail(`"${url.search}${url.hash}" is not understood (no query or fragment is read)`);
  }
  const port = url.port.length > 0 ? url.port : "6379";
  const host = url.hostname.includes(":") && !url.hostname.startsWith("[")
    ? `[${url.hostname}]`
    : url.hostname;
  return { url: text, display, address: `${host}:${port}` };
}
