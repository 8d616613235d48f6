/**
 * PostgreSQL array literals. Both drivers receive arrays as one text parameter (`{1,2,NULL}`), cast
 * in SQL (`$1::bigint[]`): postgres.js would otherwise type a boolean array as a boolean, and the
 * two drivers would serialise arrays differently. One string per column is also the cheapest way to
 * ship 50 000 values.
 *
 * @module
 */

function element(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  switch (typeof value) {
    case "number":
      if (Number.isFinite(value)) return String(value);
      return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    case "boolean":
      return value ? "t" : "f";
    case "bigint":
      return value.toString();
    default: {
      const text = String(value);
      return `"${text.replace(/[\\"]/g, "\\$&")}"`;
    }
  }
}

/**
 * The array literal of `values` (one dimension; null and undefined become NULL).
 *
 * @example
 * ```ts
 * import { pgArray } from "./pg_array.ts";
 * if (pgArray([1, null, "a\"b", true]) !== '{1,NULL,"a\\"b",t}') throw new Error();
 * ```
 */
export function pgArray(values: readonly unknown[]): string {
  let numbers = true;
  for (let i = 0; i < values.length && numbers; i++) {
    numbers = typeof values[i] === "number" && Number.isFinite(values[i]);
  }
  // Finite numbers only: the native join prints each one as String() does.
  if (numbers) return `{${values.join(",")}}`;
  let text = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ",";
    text += element(values[i]);
  }
  return text + "}";
}

/** A statement parameter as the drivers get it: arrays as literals, the rest unchanged. */
export function toParam(value: unknown): unknown {
  return Array.isArray(value) ? pgArray(value) : value;
}
