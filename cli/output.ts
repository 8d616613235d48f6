/**
 * Prints an inventory the way the user asked: readable summary, one JSON document, or CSV files.
 * Shared by `analyze FILE`, `analyze --iface` and `start`, so a live capture and a file give the
 * same output.
 *
 * @module
 */

import type { Inventory } from "../aggregator/inventory.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";
import { formatTextReport } from "./report_text.ts";
import { writeCsvReport } from "./report_csv.ts";

/** Output choices. */
export interface OutputOptions {
  json?: boolean;
  csv?: string;
  /** Leave per-minute metrics out of JSON/CSV. */
  noMetrics?: boolean;
  /** Rows per section of the summary. */
  limit?: number;
  /** DHCP servers allowed on the network (configuration `identify.allowed_dhcp_servers`). */
  allowedDhcpServers?: string[];
}

/** Builds the document and prints it; returns it (for timing and error messages). */
export async function printInventory(
  inventory: Inventory,
  source: Record<string, unknown>,
  options: OutputOptions,
): Promise<InventoryDocument> {
  // The text summary shows no per-minute metrics: do not derive them.
  const metrics = !options.noMetrics && Boolean(options.json || options.csv);
  const doc = buildInventoryDocument(inventory, {
    source,
    metrics,
    allowedDhcpServers: options.allowedDhcpServers,
  });
  if (options.json) {
    await writeStdout(JSON.stringify(doc, null, 2) + "\n");
  } else if (options.csv) {
    const files = await writeCsvReport(doc, options.csv);
    console.log(
      `Wrote ${files.length} CSV files to ${options.csv}: ${files.map((f) => f.split("/").pop()).join(", ")}`,
    );
  } else {
    await writeStdout(formatTextReport(doc, { limit: options.limit }));
  }
  return doc;
}

/** Writes all of `text` to stdout. */
export async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}
