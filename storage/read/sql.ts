/**
 * SQL fragments shared by the read queries: values both drivers return alike (postgres.js gives
 * bigint as text and timestamptz as Date, PGlite bigint as a number), and LIKE patterns.
 *
 * @module
 */

/** A timestamptz column as ISO 8601 text in UTC with milliseconds (`2026-12-03T14:00:00.000Z`), or NULL. */
export function iso(column: string, alias: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${alias}`;
}

/** A bigint column as a JavaScript number (exact below 2^53: counters and ids stay far below). */
export function num(column: string, alias: string): string {
  return `${column}::float8 AS ${alias}`;
}

/** `text` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** A page of a list, as the API returns it. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

/** Page and size asked for (1-based page). */
export interface PageRequest {
  page: number;
  page_size: number;
}

/** The page envelope of `items` out of `total`. */
export function pageOf<T>(items: T[], total: number, request: PageRequest): Page<T> {
  return {
    items,
    total,
    page: request.page,
    page_size: request.page_size,
    pages: Math.ceil(total / request.page_size),
  };
}

/** Collects WHERE conditions and their `$n` parameters. */
export class Conditions {
  readonly #clauses: string[] = [];
  readonly params: unknown[] = [];

  /** Adds a parameter and returns its placeholder (`$3`). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds a condition; `build` receives the placeholder of `value`. */
  add(value: unknown, build: (placeholder: string) => string): void {
    this.#clauses.push(build(this.param(value)));
  }

  /** `WHERE a AND b`, or "" when there is no condition. */
  where(): string {
    return this.#clauses.length === 0 ? "" : `WHERE ${this.#clauses.join(" AND ")}`;
  }
}
