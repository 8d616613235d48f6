/**
 * "Did you mean…": the known names closest to a misspelt one, for error messages.
 *
 * @module
 */

/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours). */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/**
 * The names of `known` closest to `name` (case-insensitive; within a third of its length, at
 * least 1, or sharing its first four letters), best first, at most `limit`.
 *
 * @example
 * ```ts
 * import { closeNames } from "./close_names.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * deepStrictEqual(closeNames("modbsu", ["modbus", "dnp3", "mdns"]), ["modbus"]);
 * ```
 */
export function closeNames(name: string, known: readonly string[], limit = 3): string[] {
  const wanted = name.toLowerCase();
  const allowed = Math.max(1, Math.floor(wanted.length / 3));
  return known
    .map((candidate) => ({ candidate, d: distance(wanted, candidate.toLowerCase()) }))
    .filter(({ candidate, d }) =>
      d <= allowed || (wanted.length >= 4 && candidate.toLowerCase().startsWith(wanted.slice(0, 4)))
    )
    .sort((x, y) => x.d - y.d || x.candidate.localeCompare(y.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}

/** " (did you mean a, b?)", or the known names when none is close (cut to `max` characters). */
export function suggestion(name: string, known: readonly string[], max = 300): string {
  const close = closeNames(name, known);
  if (close.length > 0) return ` (did you mean ${close.join(", ")}?)`;
  const all = [...known].sort().join(", ");
  return ` (known: ${all.length > max ? `${all.slice(0, max)}…` : all})`;
}
