/**
 * The appliance's capture imports: files given with `--pcap` and files uploaded through the API,
 * read one at a time at full speed through the sandboxed dissector workers, their observations
 * published on the appliance's bus like live traffic. Each import is followed from `queued` to
 * `importing` (with its progress) to `done` or `failed`; `done` comes once its last batch is
 * committed, with the number of devices added meanwhile.
 *
 * @module
 */

import { CaptureFileError } from "../capture/capture_error.ts";
import type { CaptureRecord } from "../model/capture_status.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import type { Database } from "../storage/database.ts";
import { analyzeCaptureFile, type OfflineAnalysisOptions } from "../sensor/offline_analysis.ts";
import type { ApplianceActivity } from "./activity.ts";

/** A file to import. */
export interface CaptureFile {
  path: string;
  /** Name to show (the uploaded name, or the path). */
  name: string;
  size_bytes: number;
  uploaded_by: string;
}

/** Options of {@linkcode CaptureImports}. */
export interface CaptureImportsOptions {
  db: Database;
  /** Folder uploads are written to. */
  uploadDir: string;
  /** Hands a flush record to the appliance's bus. */
  publish: (record: FlushRecord) => void;
  /** Resolves once every batch published so far is committed. */
  whenCommitted: () => Promise<void>;
  activity: ApplianceActivity;
  /** Plugins, ports, workers of the dissectors. */
  dissection: Pick<OfflineAnalysisOptions, "pluginFiles" | "registry" | "maxErrors" | "workers">;
  log: (line: string) => void;
}

/** Imports kept in the list (the oldest finished ones are forgotten first). */
const KEPT = 200;

/** The import queue; see the module documentation. */
export class CaptureImports {
  readonly uploadDir: string;
  readonly #options: CaptureImportsOptions;
  readonly #records: CaptureRecord[] = [];
  readonly #paths = new Map<string, string>();
  readonly #stop = new AbortController();
  #queue: Promise<void> = Promise.resolve();
  #next = 1;

  /** @param options database, bus, dissectors and where uploads go */
  constructor(options: CaptureImportsOptions) {
    this.uploadDir = options.uploadDir;
    this.#options = options;
  }

  /** Queues `file` and returns (a copy of) its record, `queued`. */
  add(file: CaptureFile): CaptureRecord {
    const record: CaptureRecord = {
      id: String(this.#next++),
      name: file.name,
      size_bytes: file.size_bytes,
      status: "queued",
      progress: 0,
      frames: 0,
      devices_new: null,
      error: null,
      uploaded_by: file.uploaded_by,
      uploaded_at: new Date().toISOString(),
      finished_at: null,
    };
    this.#records.unshift(record);
    this.#paths.set(record.id, file.path);
    this.#forgetOld();
    this.#queue = this.#queue.then(() => this.#import(record, file.path));
    return { ...record };
  }

  /** Every import, newest first (copies). */
  list(): CaptureRecord[] {
    return this.#records.map((record) => ({ ...record }));
  }

  get(id: string): CaptureRecord | undefined {
    const record = this.#records.find((r) => r.id === id);
    return record && { ...record };
  }

  /** Resolves when every queued import has ended. */
  async idle(): Promise<void> {
    let queue;
    do {
      queue = this.#queue;
      await queue;
    } while (queue !== this.#queue);
  }

  /** Stops the import under way (what it read is kept) and fails the queued ones. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.idle();
  }

  #forgetOld(): void {
    while (this.#records.length > KEPT) {
      const index = this.#records.findLastIndex((r) => r.status === "done" || r.status === "failed");
      if (index < 0) break;
      this.#paths.delete(this.#records[index].id);
      this.#records.splice(index, 1);
    }
  }

  async #import(record: CaptureRecord, path: string): Promise<void> {
    const options = this.#options;
    if (this.#stop.signal.aborted) {
      this.#finish(record, "failed", "the appliance stopped before this capture was imported");
      return;
    }
    record.status = "importing";
    const source = `import-${record.id}`;
    try {
      const [{ n: before }] = await options.db.query<{ n: number }>(
        "SELECT COALESCE(max(id), 0)::float8 AS n FROM devices",
      );
      const analysis = await analyzeCaptureFile(path, {
        ...options.dissection,
        signal: this.#stop.signal,
        onFlush: (flushed, worker) => {
          options.activity.flushed(source, worker, flushed);
          options.publish(flushed);
        },
        onBatch: (packets, bytes) => {
          record.frames += packets;
          options.activity.counted(packets, bytes);
        },
        onProgress: (read, size) => record.progress = size > 0 ? Math.min(1, read / size) : 1,
      });
      await options.whenCommitted();
      const [{ n }] = await options.db.query<{ n: number }>(
        "SELECT count(*)::float8 AS n FROM devices WHERE id > $1",
        [before],
      );
      record.devices_new = n;
      record.progress = 1;
      const stopped = this.#stop.signal.aborted ? "the appliance stopped during the import" : null;
      this.#finish(record, "done", analysis.error?.message ?? stopped);
      options.log(
        `imported ${record.name}: ${record.frames} frames, ${n} new device${n === 1 ? "" : "s"}` +
          (record.error ? ` (${record.error})` : ""),
      );
    } catch (error) {
      const message = error instanceof CaptureFileError || error instanceof Deno.errors.NotFound
        ? error.message.split("\n")[0]
        : `Cannot import the capture: ${(error as Error).message.split("\n")[0]}`;
      this.#finish(record, "failed", message);
      options.log(`Cannot import ${record.name}: ${message}`);
    }
  }

  #finish(record: CaptureRecord, status: "done" | "failed", error: string | null): void {
    record.status = status;
    record.error = error;
    record.finished_at = new Date().toISOString();
  }
}
