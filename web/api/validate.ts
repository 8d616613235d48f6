/**
 * Input checking for the routes: query strings, JSON bodies (strict UTF-8), path ids, all through
 * zod schemas, so a bad value is a 400 that names it and never reaches SQL.
 *
 * @module
 */

import type { Context } from "hono";
import { z } from "zod";
import { ApiError, invalid } from "./errors.ts";

/** Text a user may send: no NUL (PostgreSQL text cannot hold it), no lone surrogate. */
export function text(max: number) {
  return z.string().max(max).refine((value) => !value.includes("\0"), "must not contain NUL characters")
    .refine((value) => value.isWellFormed(), "must be well-formed Unicode");
}

/** A whole number from a query string, in [min, max]. */
export function queryInt(min: number, max: number) {
  return z.string().regex(/^-?\d{1,16}$/, "must be a whole number").transform(Number).pipe(
    z.number().int().min(min).max(max),
  );
}

/** `true`/`false` (also `1`/`0`) from a query string. */
export const queryBool = z.enum(["true", "false", "1", "0"]).transform((value) =>
  value === "true" || value === "1"
);

/** An ISO 8601 time from a query string. */
export const queryTime = z.string().max(40).refine(
  (value) => !Number.isNaN(Date.parse(value)),
  "must be an ISO 8601 time",
)
  .transform((value) => new Date(value).toISOString());

/** `page` and `page_size` (default 1 and 50, at most 500 a page). */
export const paging = {
  page: queryInt(1, 1_000_000).default("1"),
  page_size: queryInt(1, 500).default("50"),
};

/** Parses the query string with a strict schema (an unknown parameter is a 400). */
export function parseQuery<T extends z.ZodTypeAny>(c: Context, schema: T): z.output<T> {
  const url = new URL(c.req.url);
  const values: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in values) {
      throw new ApiError(400, "invalid", `Cannot accept query parameter "${key}": given twice`, {
        field: key,
      });
    }
    values[key] = value;
  }
  const result = schema.safeParse(values);
  if (!result.success) throw invalid(result.error, "query parameter");
  return result.data;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Reads a JSON body (strict UTF-8, an object) and checks it against `schema`. */
export async function readBody<T extends z.ZodTypeAny>(c: Context, schema: T): Promise<z.output<T>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      "Cannot read the body: Content-Type must be application/json",
    );
  }
  let text: string;
  try {
    text = STRICT_UTF8.decode(await c.req.arrayBuffer());
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(400, "invalid_body", "Cannot read the body: it is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_body", "Cannot read the body: it is not valid JSON");
  }
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(result.error, "field");
  return result.data;
}

/** A numeric path id (1 to 2^53 - 1), else a 400 naming `name`. */
export function pathId(c: Context, name = "id"): number {
  const raw = c.req.param(name) ?? "";
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ApiError(
      400,
      "invalid",
      `Cannot accept path parameter "${name}": must be a positive whole number`,
      {
        field: name,
      },
    );
  }
  return value;
}

/** A UUID path id, else a 400 naming `name`. */
export function pathUuid(c: Context, name = "id"): string {
  const raw = c.req.param(name) ?? "";
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) {
    throw new ApiError(400, "invalid", `Cannot accept path parameter "${name}": must be a UUID`, {
      field: name,
    });
  }
  return raw.toLowerCase();
}
