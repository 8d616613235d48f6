/**
 * The appliance's capture imports: files given with `--pcap` and files uploaded through the API,
 * read one at a time at full speed through the sandboxed dissector workers, their observations
 * published on the appliance's bus like live traffic. Each import is followed from `queued` to
 * `importing` (with its progress) to `done` or `failed`; `done` comes once its last batch is
 * committed, with the number of devices added meanwhile.
 *
 * The list is kept in `captures.json` in the uploads folder, so it outlives a restart; an import that
 * a stop interrupted is marked failed (importing it again would count its traffic twice).
 *
 * @module
 */

import { join } from "node:path";
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

/** File of the list, in the uploads folder. */
export const CAPTURE_LIST_FILE = "captures.json";

const INTERRUPTED = "the appliance stopped before this capture was imported";

function isRecord(value: unknown): value is CaptureRecord {
  const r = value as CaptureRecord;
  return typeof r === "object" && r !== null && typeof r.id === "string" && typeof r.name === "string" &&
    typeof r.size_bytes === "number" && ["queued", "importing", "done", "failed"].includes(r.status);
}

/** The import queue; see the module documentation. */
export class CaptureImports {
  readonly uploadDir: string;
  readonly #options: CaptureImportsOptions;
  readonly #records: CaptureRecord[] = [];
  readonly #paths = new Map<string, string>();
  readonly #stop = new AbortController();
  #queue: Promise<void> = Promise.resolve();
  #saving: Promise<void> = Promise.resolve();
  #next = 1;

  /** @param options database, bus, dissectors and where uploads go */
  constructor(options: CaptureImportsOptions) {
    this.uploadDir = options.uploadDir;
    this.#options = options;
  }

  /** Reads the list a previous run left (imports it interrupted are marked failed). */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await Deno.readTextFile(join(this.uploadDir, CAPTURE_LIST_FILE));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    let saved: unknown;
    try {
      saved = JSON.parse(text);
    } catch {
      this.#options.log(
        `Cannot read the list of imported captures in ${this.uploadDir}: not JSON; starting anew`,
      );
      return;
    }
    const records = Array.isArray(saved) ? saved.filter(isRecord) : [];
    for (const record of records) {
      if (record.status === "queued" || record.status === "importing") {
        record.status = "failed";
        record.error = INTERRUPTED;
        record.finished_at = new Date().toISOString();
      }
    }
    this.#records.push(...records.slice(0, KEPT));
    this.#next = Math.max(0, ...records.map((r) => Number(r.id)).filter(Number.isSafeInteger)) + 1;
    this.#save();
  }

  /** Writes the list (each write after the previous one; a failure is logged, not thrown). */
  #save(): void {
    const list = JSON.stringify(this.#records, null, 1) + "\n";
    const path = join(this.uploadDir, CAPTURE_LIST_FILE);
    this.#saving = this.#saving.then(async () => {
      try {
        await Deno.mkdir(this.uploadDir, { recursive: true });
        await Deno.writeTextFile(`${path}.tmp`, list);
        await Deno.rename(`${path}.tmp`, path);
      } catch (error) {
        this.#options.log(`Cannot save the list of imported captures ${path}: ${(error as Error).message}`);
      }
    });
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
    this.#save();
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
    await this.#saving;
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
      this.#finish(record, "failed", INTERRUPTED);
      return;
    }
    record.status = "importing";
    this.#save();
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
    this.#save();
  }
}
