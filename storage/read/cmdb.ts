/**
 * The CMDB export: every device of the inventory (the fields of a device list item: the seed
 * spec's `DeviceResponse` plus display name, OS family, OT role, Purdue level, addresses and
 * VLANs) as CSV (RFC 4180) or as a JSON array, **streamed**: a `ReadableStream` that reads
 * {@linkcode CMDB_PAGE_ROWS} devices per query (keyset paging on the id, so each query is an index
 * range scan and the table is never held in memory) and only when the reader asks for more.
 *
 * CSV cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
 * carriage return) get a leading `'`; a reader that wants the stored value strips it
 * ({@linkcode csvCellValue}).
 *
 * @example A CSV download
 * ```ts ignore
 * return new Response(cmdbStream(db, "csv"), { headers: { "content-type": CMDB_CONTENT_TYPES.csv } });
 * ```
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { DEVICE_COLUMNS, type DeviceSummary } from "./devices.ts";

/** Devices read per query. */
export const CMDB_PAGE_ROWS = 1000;

/** The formats of the export. */
export type CmdbFormat = "csv" | "json";

/** Content types of the formats. */
export const CMDB_CONTENT_TYPES: Record<CmdbFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
};

/** The CSV columns, in order (lists are joined with a space). */
export const CMDB_COLUMNS: readonly (keyof DeviceSummary)[] = [
  "id",
  "mac_address",
  "oui_vendor",
  "device_type",
  "detected_type",
  "device_name",
  "display_name",
  "os_family",
  "ot_role",
  "purdue_level",
  "first_seen",
  "last_seen",
  "is_active",
  "is_flagged",
  "is_gateway",
  "total_packets_sent",
  "total_packets_received",
  "total_bytes_sent",
  "total_bytes_received",
  "ip_addresses",
  "vlans",
];

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: lists joined with a space, a formula-like start neutralised with `'`, quoted when it
 * holds a comma, a quote or a line break (RFC 4180 section 2, quotes doubled).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = Array.isArray(value) ? value.join(" ") : String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The stored text of a parsed CSV cell: the formula guard `'` removed. */
export function csvCellValue(cell: string): string {
  return cell.length > 1 && cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** One CSV record of a device, CRLF-terminated. */
export function cmdbCsvRow(device: DeviceSummary): string {
  return CMDB_COLUMNS.map((column) => csvCell(device[column])).join(",") + "\r\n";
}

/** The devices with an id above `afterId`, by id, at most `limit`. */
export async function cmdbPage(
  db: Queryable,
  afterId: number,
  limit = CMDB_PAGE_ROWS,
): Promise<DeviceSummary[]> {
  return await db.query<DeviceSummary>(
    `SELECT ${DEVICE_COLUMNS} FROM devices d WHERE d.id > $1 ORDER BY d.id LIMIT $2`,
    [afterId, limit],
  );
}

/** Options of {@linkcode cmdbStream}. */
export interface CmdbStreamOptions {
  /** Devices per query (default {@linkcode CMDB_PAGE_ROWS}). */
  pageRows?: number;
  /** Called when a query fails mid-stream (the stream is then errored: the download is cut short). */
  onError?: (error: unknown) => void;
}

/** The whole inventory in `format`, read a page at a time as the stream is consumed. */
export function cmdbStream(
  db: Queryable,
  format: CmdbFormat,
  options: CmdbStreamOptions = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pageRows = options.pageRows ?? CMDB_PAGE_ROWS;
  let afterId = 0;
  let started = false;
  let written = 0;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = "";
      if (!started) {
        started = true;
        chunk = format === "csv" ? `${CMDB_COLUMNS.join(",")}\r\n` : "[";
      }
      if (done) return;
      let page: DeviceSummary[];
      try {
        page = await cmdbPage(db, afterId, pageRows);
      } catch (error) {
        options.onError?.(error);
        controller.error(error);
        return;
      }
      for (const device of page) {
        if (format === "csv") chunk += cmdbCsvRow(device);
        else chunk += `${written === 0 ? "\n" : ",\n"}${JSON.stringify(device)}`;
        afterId = device.id;
        written++;
      }
      if (page.length < pageRows) {
        done = true;
        if (format === "json") chunk += written === 0 ? "]\n" : "\n]\n";
      }
      if (chunk.length > 0) controller.enqueue(encoder.encode(chunk));
      if (done) controller.close();
    },
  }, { highWaterMark: 0 });
}
