/**
 * The manifest of one exported day (`YYYY-MM-DD/manifest.json`, stored in clear): every object's
 * name, size, row count and SHA-256, so the receiving side can check what arrived without the key.
 *
 * @module
 */

import type { PackedObject } from "./objects.ts";

/** What the manifest says of one object. */
export interface ManifestEntry {
  key: string;
  entity: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** `YYYY-MM-DD/manifest.json`. */
export interface DayManifest {
  format_version: 1;
  day: string;
  /** When this export of the day was made (ISO 8601, UTC). */
  exported_at: string;
  /** The day was not over when it was exported (a later run replaces it). */
  partial: boolean;
  format: "json" | "csv";
  compression: "gzip" | "none";
  /** `aes-256-gcm` (export/README.md), `age` (age-encryption.org/v1), or `none`. */
  encryption: "aes-256-gcm" | "age" | "none";
  objects: ManifestEntry[];
}

/** The manifest's object name of `day`. */
export function manifestKey(day: string): string {
  return `${day}/manifest.json`;
}

/** Builds the manifest of one day from its packed objects. */
export function buildManifest(
  day: string,
  objects: readonly PackedObject[],
  options: {
    format: "json" | "csv";
    compress: boolean;
    encryption: "aes-256-gcm" | "age" | "none";
    partial: boolean;
    now?: Date;
  },
): DayManifest {
  return {
    format_version: 1,
    day,
    exported_at: (options.now ?? new Date()).toISOString(),
    partial: options.partial,
    format: options.format,
    compression: options.compress ? "gzip" : "none",
    encryption: options.encryption,
    objects: objects.map((object) => ({
      key: object.key,
      entity: object.entity,
      rows: object.rows,
      bytes: object.bytes.length,
      sha256: object.sha256,
    })),
  };
}

/** The manifest as stored: pretty JSON, one final newline. */
export function manifestBytes(manifest: DayManifest): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n");
}
