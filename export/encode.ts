/**
 * One day's rows of one entity as bytes: JSON (an array, one row per line) or CSV (RFC 4180, a
 * header line, CRLF line ends; lists of plain values joined by `;`, objects as JSON text).
 *
 * @module
 */

import type { Row } from "../storage/database.ts";
import type { ExportFormat } from "./format.ts";

export type { ExportFormat } from "./format.ts";

/** One CSV field, quoted when it holds a comma, a quote or a line break. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== "object")) {
    text = value.join(";");
  } else if (typeof value === "object") {
    text = JSON.stringify(value);
  } else {
    text = String(value);
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The rows as a file of `format`.
 *
 * @param columns the header of a CSV file (the keys of the rows, given for an empty table)
 */
export function encodeRows(
  rows: readonly Row[],
  format: ExportFormat,
  columns: readonly string[],
): Uint8Array<ArrayBuffer> {
  let text: string;
  if (format === "json") {
    text = rows.length === 0 ? "[]\n" : `[\n${rows.map((row) => JSON.stringify(row)).join(",\n")}\n]\n`;
  } else {
    const lines = [columns.map(csvField).join(",")];
    for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(","));
    text = lines.join("\r\n") + "\r\n";
  }
  return new TextEncoder().encode(text);
}
