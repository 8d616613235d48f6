/**
 * Login rate limit: failed sign-ins counted per client address and per user name in a fixed
 * window; past the limit the next attempt is refused (429) until the window ends. In memory: a
 * restart forgives, which is acceptable for a limit measured in minutes.
 *
 * @module
 */

/** Limits of {@linkcode LoginRateLimiter}. */
export interface RateLimitOptions {
  /** Failed attempts from one address per window (default 20). */
  perAddress?: number;
  /** Failed attempts for one user name per window (default 5). */
  perUser?: number;
  /** Window length, seconds (default 900). */
  windowSeconds?: number;
  /** Clock, ms (tests). */
  now?: () => number;
  /** Most windows kept (default 100 000): past it, expired ones go, then the oldest. */
  maxEntries?: number;
}

interface Window {
  start: number;
  failures: number;
}

/** Counts failed sign-ins and says when to refuse. */
export class LoginRateLimiter {
  readonly #perAddress: number;
  readonly #perUser: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #windows = new Map<string, Window>();

  constructor(options: RateLimitOptions = {}) {
    this.#perAddress = options.perAddress ?? 20;
    this.#perUser = options.perUser ?? 5;
    this.#windowMs = (options.windowSeconds ?? 900) * 1000;
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  #keys(ip: string | null, username: string): [string, number][] {
    return [[`ip:${ip ?? "unknown"}`, this.#perAddress], [`user:${username.toLowerCase()}`, this.#perUser]];
  }

  #live(key: string): Window | null {
    const window = this.#windows.get(key);
    if (!window) return null;
    if (this.#now() - window.start >= this.#windowMs) {
      this.#windows.delete(key);
      return null;
    }
    return window;
  }

  /**
   * Seconds until an attempt for `username` from `ip` is allowed again, and which limit holds it
   * (`address` or `user`); null when it is allowed now.
   */
  blocked(ip: string | null, username: string): { retryAfter: number; by: "address" | "user" } | null {
    for (const [key, limit] of this.#keys(ip, username)) {
      const window = this.#live(key);
      if (window && window.failures >= limit) {
        const retryAfter = Math.max(1, Math.ceil((window.start + this.#windowMs - this.#now()) / 1000));
        return { retryAfter, by: key.startsWith("ip:") ? "address" : "user" };
      }
    }
    return null;
  }

  /** Counts one failed attempt. */
  fail(ip: string | null, username: string): void {
    if (this.#windows.size >= this.#maxEntries) this.#prune();
    for (const [key] of this.#keys(ip, username)) {
      const window = this.#live(key);
      if (window) window.failures++;
      else this.#windows.set(key, { start: this.#now(), failures: 1 });
    }
  }

  /** A successful sign-in clears the user's count (not the address's). */
  succeed(username: string): void {
    this.#windows.delete(`user:${username.toLowerCase()}`);
  }

  /** Windows kept now (tests). */
  get size(): number {
    return this.#windows.size;
  }

  /**
   * Drops expired windows, then the oldest down to 90 % of the bound: a flood of made-up user names
   * can neither grow the map nor make every attempt scan it (at most one scan per 10 % of entries).
   */
  #prune(): void {
    for (const key of [...this.#windows.keys()]) this.#live(key);
    const target = Math.floor(this.#maxEntries * 0.9);
    for (const key of this.#windows.keys()) {
      if (this.#windows.size <= target) break;
      this.#windows.delete(key);
    }
  }
}
