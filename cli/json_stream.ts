/**
 * `JSON.stringify(value, null, 2)`, written piece by piece to a {@linkcode TextSink}: the same bytes,
 * without ever holding the whole text. Large arrays and objects are walked member by member; small
 * ones (at most {@linkcode WHOLE_UP_TO} nested members) are stringified whole and re-indented, which
 * gives the same text because a JSON string never holds a raw newline.
 *
 * @example
 * ```ts ignore
 * const sink = new TextSink(Deno.stdout);
 * await writeJson(sink, doc);
 * await sink.write("\n");
 * await sink.flush();
 * ```
 *
 * @module
 */

import type { TextSink } from "./text_sink.ts";

/** Values with at most this many nested members are stringified in one call. */
export const WHOLE_UP_TO = 256;

function indentOf(depth: number): string {
  return "  ".repeat(depth);
}

/** `JSON.stringify(value, null, 2)` as it appears nested at `depth`. */
function whole(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2);
  return depth === 0 ? text : text.replaceAll("\n", `\n${indentOf(depth)}`);
}

/** True for what `JSON.stringify` leaves out of an object (and writes as null in an array). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function isContainer(value: unknown): value is unknown[] | Record<string, unknown> {
  return value !== null && typeof value === "object" &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

/**
 * How many members `value` holds at every depth, counting at most up to `budget` (the walk stops
 * there, so deciding costs at most `budget` steps whatever the size).
 */
function members(value: unknown, budget: number): number {
  if (!isContainer(value)) return 0;
  let count = 0;
  for (const member of Array.isArray(value) ? value : Object.values(value)) {
    count += 1 + members(member, budget - count - 1);
    if (count > budget) break;
  }
  return count;
}

function isLarge(value: unknown): value is unknown[] | Record<string, unknown> {
  return isContainer(value) && members(value, WHOLE_UP_TO) > WHOLE_UP_TO;
}

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` would, nested at `depth`.
 *
 * @param sink where the text goes
 * @param value plain JSON data (objects, arrays, strings, numbers, booleans, null)
 * @param depth nesting level of `value` (0 at the top)
 */
export async function writeJson(sink: TextSink, value: unknown, depth = 0): Promise<void> {
  if (!isLarge(value)) {
    await sink.write(omitted(value) ? "null" : whole(value, depth));
    return;
  }
  const inner = indentOf(depth + 1);
  if (Array.isArray(value)) {
    await sink.write("[\n");
    for (let i = 0; i < value.length; i++) {
      await sink.write(inner);
      await writeJson(sink, value[i], depth + 1);
      await sink.write(i + 1 < value.length ? ",\n" : "\n");
    }
    await sink.write(`${indentOf(depth)}]`);
    return;
  }
  const keys = Object.keys(value).filter((key) => !omitted(value[key]));
  if (keys.length === 0) {
    await sink.write("{}");
    return;
  }
  await sink.write("{\n");
  for (let i = 0; i < keys.length; i++) {
    await sink.write(`${inner}${JSON.stringify(keys[i])}: `);
    await writeJson(sink, value[keys[i]], depth + 1);
    await sink.write(i + 1 < keys.length ? ",\n" : "\n");
  }
  await sink.write(`${indentOf(depth)}}`);
}
