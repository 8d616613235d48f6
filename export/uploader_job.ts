/**
 * What the export process tells its uploader (the first frame on the uploader's standard input),
 * and the frames that follow: each day's plaintext tables, then the end of the day.
 *
 * @module
 */

import type { ExportFormat } from "./format.ts";

/** The first frame: where to upload, the keys, how to pack. */
export interface UploaderJob {
  kind: "job";
  endpoint: string;
  bucket: string;
  region: string;
  access_key: string;
  secret_key: string;
  /** The encryption key text; "" for no AES-256-GCM. */
  encryption_key: string;
  /** age recipients: when not empty, objects are encrypted to them instead. */
  age_recipients: string[];
  compress: boolean;
  format: ExportFormat;
  attempts: number;
  retry_base_ms: number;
}

/** One plaintext table (its bytes are the payload). */
export interface TableFrame {
  kind: "table";
  day: string;
  entity: string;
  rows: number;
}

/** Every table of the day was sent: upload its manifest. */
export interface DayEndFrame {
  kind: "day-end";
  day: string;
  partial: boolean;
}

/** A frame of the uploader's input. */
export type UploaderFrame = UploaderJob | TableFrame | DayEndFrame;

/** One line of the uploader's output: a day uploaded, with its manifest's SHA-256. */
export interface DayUploaded {
  day: string;
  objects: number;
  bytes: number;
  manifest_sha256: string;
}
