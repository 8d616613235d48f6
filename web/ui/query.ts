/**
 * A page's query string checked with the API's schema for the same list (web/api/routes/), after
 * dropping the empty fields a GET filter form sends (`vlan=`): a bad value is a 400 page naming it.
 *
 * @module
 */

import type { Context } from "hono";
import type { z } from "zod";
import { invalid } from "../api/errors.ts";

/** The query of the page, parsed by `schema`. */
export function pageQuery<T extends z.ZodTypeAny>(c: Context, schema: T): z.output<T> {
  const values: Record<string, string> = {};
  for (const [key, value] of new URL(c.req.url).searchParams) {
    if (value !== "" && !(key in values)) values[key] = value;
  }
  const result = schema.safeParse(values);
  if (!result.success) throw invalid(result.error, "query parameter");
  return result.data;
}

/** The raw value of a filter, for the form to show again. */
export function filterValue(c: Context, name: string): string {
  return new URL(c.req.url).searchParams.get(name) ?? "";
}
