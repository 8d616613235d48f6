/**
 * Prints an inventory the way the user asked: readable summary, one JSON document, or CSV files.
 * Shared by `analyze FILE`, `analyze --iface` and `start`, so a live capture and a file give the
 * same output.
 *
 * Output failures are one line on stderr and an exit status, never a stack trace: a reader that
 * went away (`… | head`) ends the output quietly with status 141, as a tool killed by SIGPIPE
 * does; a full disk or another write error is reported with the file and the reason, and files
 * (`--csv DIR`, `--out FILE`) are written all or nothing.
 *
 * @module
 */

import type { Inventory } from "../aggregator/inventory.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";
import { formatTextReport } from "./report_text.ts";
import { CSV_FILE_NAMES, writeCsvReport } from "./report_csv.ts";
import {
  checkOutputFiles,
  type FileContent,
  OutputError,
  writeFailureReason,
  writeFileAtomically,
} from "./output_files.ts";
import { writeJson } from "./json_stream.ts";
import { TextSink } from "./text_sink.ts";
import { basename, dirname } from "node:path";
import { EXIT_INPUT } from "./usage_error.ts";

/**
 * Exit status when the reader of standard output closed it early (`analyze F --json | head`):
 * 128 + SIGPIPE, what a shell reports for a Unix tool that SIGPIPE stopped.
 */
export const EXIT_READER_GONE = 141;

/** Output choices. */
export interface OutputOptions {
  json?: boolean;
  csv?: string;
  /** Write the summary or the JSON document to this file (all or nothing) instead of stdout. */
  out?: string;
  /** Replace existing report files (`--force`). */
  force?: boolean;
  /** Leave per-minute metrics out of JSON/CSV. */
  noMetrics?: boolean;
  /** Rows per section of the summary. */
  limit?: number;
  /** DHCP servers allowed on the network (configuration `identify.allowed_dhcp_servers`). */
  allowedDhcpServers?: string[];
}

/** A printed report and how printing went. */
export interface PrintedInventory {
  doc: InventoryDocument;
  /** 0, {@linkcode EXIT_INPUT} when it could not be written (reported on stderr), or {@linkcode EXIT_READER_GONE}. */
  exitStatus: number;
}

/** The reader of standard output closed it: stop writing, say nothing. */
class ReaderGone extends Error {}

/**
 * Checks, before any work, that the report can be written where asked (existing files without
 * `--force`, a file where a folder is expected…).
 *
 * @returns the one-line problem, or null
 */
export async function checkOutputTargets(options: OutputOptions): Promise<string | null> {
  try {
    if (options.csv) await checkOutputFiles(options.csv, [...CSV_FILE_NAMES], options);
    if (options.out) await checkOutputFiles(dirname(options.out), [basename(options.out)], options);
    return null;
  } catch (error) {
    if (error instanceof OutputError) return error.message;
    throw error;
  }
}

/** Builds the document and prints it; returns it (for timing and error messages) and the exit status. */
export async function printInventory(
  inventory: Inventory,
  source: Record<string, unknown>,
  options: OutputOptions,
): Promise<PrintedInventory> {
  // The text summary shows no per-minute metrics: do not derive them.
  const metrics = !options.noMetrics && Boolean(options.json || options.csv);
  const doc = buildInventoryDocument(inventory, {
    source,
    metrics,
    allowedDhcpServers: options.allowedDhcpServers,
  });
  try {
    if (options.csv) {
      const files = await writeCsvReport(doc, options.csv, options);
      console.log(
        `Wrote ${files.length} CSV files to ${options.csv}: ${
          files.map((f) => f.split("/").pop()).join(", ")
        }`,
      );
    } else {
      const text: FileContent = options.json
        ? async (sink) => {
          await writeJson(sink, doc);
          await sink.write("\n");
        }
        : formatTextReport(doc, { limit: options.limit });
      if (options.out) await writeFileAtomically(options.out, text, options);
      else await writeStdout(text, options.json ? "the JSON inventory" : "the summary");
    }
  } catch (error) {
    if (error instanceof ReaderGone) return { doc, exitStatus: EXIT_READER_GONE };
    if (!(error instanceof OutputError)) throw error;
    console.error(`netsentinel: ${error.message}`);
    return { doc, exitStatus: EXIT_INPUT };
  }
  return { doc, exitStatus: 0 };
}

/**
 * Writes what `content` produces to stdout, as it is produced.
 *
 * @param what what is written, for the error message ("the JSON inventory")
 * @throws {OutputError} when stdout cannot take it (full disk…); {@linkcode ReaderGone} when its
 *   reader closed it
 */
async function writeStdout(content: FileContent, what = "the report"): Promise<void> {
  const sink = new TextSink(Deno.stdout);
  try {
    if (typeof content === "string") await sink.write(content);
    else await content(sink);
    await sink.flush();
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) throw new ReaderGone();
    throw new OutputError(
      `Cannot write ${what} to standard output: ${writeFailureReason(error)} ` +
        `(${sink.bytesWritten} bytes written: the output is incomplete; --out FILE writes all or nothing)`,
    );
  }
}
