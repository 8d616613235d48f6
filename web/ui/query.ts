/**
 * A page's query string checked with the API's schema for the same list (web/api/routes/), after
 * dropping the empty fields a GET filter form sends (`vlan=`): a bad value is a 400 page naming it.
 * Times from `datetime-local` fields are read as UTC.
 *
 * @module
 */

import type { Context } from "hono";
import type { z } from "zod";
import { invalid } from "../api/errors.ts";

const LOCAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/;

/** The query of the page, parsed by `schema`. */
export function pageQuery<T extends z.ZodTypeAny>(c: Context, schema: T): z.output<T> {
  const values: Record<string, string> = {};
  for (const [key, value] of new URL(c.req.url).searchParams) {
    if (value === "" || key in values) continue;
    // A `datetime-local` field (`2014-08-20T10:05`) is a UTC time: the pages show UTC.
    values[key] = (key === "from" || key === "to") && LOCAL_TIME.test(value) ? `${value}Z` : value;
  }
  const result = schema.safeParse(values);
  if (!result.success) throw invalid(result.error, "query parameter");
  return result.data;
}

/** The raw value of a filter, for the form to show again. */
export function filterValue(c: Context, name: string): string {
  return new URL(c.req.url).searchParams.get(name) ?? "";
}
