/**
 * How numbers and times are written on the pages and in the islands (the same text on the server
 * and in the browser): bytes with binary-free SI units, bits per second, grouped counts, UTC times.
 *
 * @module
 */

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** `1.2 MB`: bytes in powers of 1000. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${Math.round(bytes || 0)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** `12.3 Mbit/s` from bits per second. */
export function formatBits(bitsPerSecond: number): string {
  const units = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
  let value = Math.max(0, bitsPerSecond || 0);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** `1 234 567`: a count with thin groups (the same in English and French). */
export function formatCount(value: number): string {
  return Math.round(value || 0).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
}

/** `2026-12-04 18:56:29` (UTC) from an ISO time; an em dash when absent. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/** `18:56` (UTC): a chart's axis label. */
export function formatClock(iso: string): string {
  return new Date(iso).toISOString().slice(11, 16);
}

/** `85 %` from a 0–1 ratio (a value above 1 is taken as already a percentage). */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${Math.round(ratio > 1 ? ratio : ratio * 100)} %`;
}
