/**
 * Plain-text tables for terminal reports.
 *
 * @module
 */

/** Formats rows under a header, columns padded to their widest cell; numbers right-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [
    header,
    ...rows.map((row) => row.map((cell) => typeof cell === "number" ? formatCount(cell) : cell)),
  ];
  const numeric = header.map((_, column) =>
    rows.length > 0 && rows.every((row) => typeof row[column] === "number")
  );
  const widths = header.map((_, column) => Math.max(...cells.map((row) => String(row[column] ?? "").length)));
  return cells.map((row) =>
    row.map((cell, column) => {
      const text = String(cell ?? "");
      return numeric[column] ? text.padStart(widths[column]) : text.padEnd(widths[column]);
    }).join("  ").trimEnd()
  ).join("\n");
}

/** A count with thin grouping, e.g. 1 234 567. */
export function formatCount(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** Bytes in human units (B, kB, MB, GB; powers of 1000). */
export function formatBytes(value: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let unit = 0;
  let scaled = value;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${scaled.toFixed(1)} ${units[unit]}`;
}
