/**
 * Rows in the text format of `COPY … FROM STDIN` (both drivers: `Queryable.copyFrom`): one line per
 * row, values separated by a tab, `\N` for NULL, backslash, tab, newline and carriage return
 * escaped in text values. Numbers are written as JavaScript prints them (integers exactly; the
 * values copied are counters and ids, never fractions that need more digits).
 *
 * @example
 * ```ts
 * import { CopyRows } from "./copy_text.ts";
 * const rows = new CopyRows();
 * rows.add([1, "a\tb", null]);
 * if (rows.text() !== "1\ta\\tb\t\\N\n" || rows.count !== 1) throw new Error();
 * ```
 *
 * @module
 */

/** A value of one column of a copied row. */
export type CopyValue = string | number | boolean | null;

const SPECIAL = /[\\\t\n\r]/g;
const HAS_SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** One value as COPY text reads it. */
export function copyValue(value: CopyValue): string {
  if (value === null) return "\\N";
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new RangeError(`Cannot copy the number ${value}`);
      return String(value);
    case "boolean":
      return value ? "t" : "f";
    default:
      return HAS_SPECIAL.test(value) ? value.replace(SPECIAL, (c) => ESCAPES[c]) : value;
  }
}

/** Rows collected for one `COPY`. */
export class CopyRows {
  readonly #lines: string[] = [];

  /** Rows added so far. */
  get count(): number {
    return this.#lines.length;
  }

  /** Adds a row (its values in the order of the COPY's column list). */
  add(values: readonly CopyValue[]): void {
    let line = copyValue(values[0]);
    for (let i = 1; i < values.length; i++) line += "\t" + copyValue(values[i]);
    this.#lines.push(line);
  }

  /** The COPY data: every row, each ended by a newline. */
  text(): string {
    return this.#lines.length === 0 ? "" : this.#lines.join("\n") + "\n";
  }
}
