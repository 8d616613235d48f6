/**
 * One export run: every UTC day with data not exported yet (and today, as a partial day that the
 * next run replaces), to the object storage through the scoped uploader, or to a folder.
 *
 * @module
 */

import { resolve } from "node:path";
import type { ExportConfig } from "../config/export_schema.ts";
import type { Queryable } from "../storage/database.ts";
import { readDayTables } from "./day_tables.ts";
import { daysWithData, EXPORT_ENTITIES } from "./entities.ts";
import { lastCompleteFolderDay, writeEvidence, writeFolderDay } from "./folder.ts";
import { aesKey, keyBytes } from "./key.ts";
import { checkResidency, netScope, signingRegion } from "./residency.ts";
import { lastCompleteDay, recordCompleteDay } from "./state.ts";
import { startUploader } from "./uploader_process.ts";

/** An export that cannot run as configured: one line saying what to set. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

/** Where an export goes. */
export type ExportTarget = { kind: "s3" } | { kind: "dir"; path: string };

/** What {@linkcode runExport} needs. */
export interface ExportRunOptions {
  db: Queryable;
  config: ExportConfig;
  /** The data folder: export state, evidence signing key. */
  dataDir: string;
  target: ExportTarget;
  /** The clock (tests). */
  now?: Date;
  /** Progress lines (never a key). */
  log?: (line: string) => void;
  /**
   * The uploader's `--allow-net` value; default: the endpoint's `host:port`. Tests set another
   * (or null for none) to prove that the uploader can reach nothing else.
   */
  uploaderScope?: string | null;
  /** First retry delay of uploads, ms (default 500). */
  retryBaseMs?: number;
}

/** What a run did. */
export interface ExportSummary {
  target: string;
  days: string[];
  objects: number;
  bytes: number;
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function requireKey(config: ExportConfig): string {
  if (!config.encryption_enabled || config.age_recipients.length > 0) return "";
  if (config.encryption_key === "") {
    throw new ExportError(
      "Cannot export: encryption is on but no key is set ([export] encryption_key or NETSENTINEL_EXPORT_ENCRYPTION_KEY: 64 hexadecimal characters or the base64 of 32 bytes)",
    );
  }
  keyBytes(config.encryption_key, "[export] encryption_key");
  return config.encryption_key;
}

/**
 * Checks the settings a run to `target` needs, from the configuration alone (no database, no
 * network): residency, bucket and keys, the encryption key. Callers run it before they open the
 * database, so a refused endpoint is refused before any connection.
 *
 * @returns the endpoint (S3 target) and the encryption key text ("" for none or age)
 * @throws {ResidencyError} or {@linkcode ExportError}
 */
export function checkExportSettings(
  config: ExportConfig,
  target: ExportTarget,
): { endpoint?: URL; keyText: string } {
  if (target.kind === "dir") return { keyText: requireKey(config) };
  const endpoint = checkResidency(config.s3_endpoint, config.allowed_endpoints);
  for (const key of ["s3_bucket", "s3_access_key", "s3_secret_key"] as const) {
    if (config[key] === "") {
      throw new ExportError(
        `Cannot export to ${endpoint.origin}: [export] ${key} is empty (or NETSENTINEL_EXPORT_${key.toUpperCase()})`,
      );
    }
  }
  return { endpoint, keyText: requireKey(config) };
}

/**
 * Runs one export.
 *
 * @throws {ResidencyError} before anything else when the endpoint is not allowed (S3 target)
 * @throws {ExportError} on a missing setting; {@linkcode UploaderError} when an upload failed
 */
export async function runExport(options: ExportRunOptions): Promise<ExportSummary> {
  const { db, config, target } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? new Date();
  const today = utcDay(now);
  if (target.kind === "s3") {
    const { endpoint: checked, keyText } = checkExportSettings(config, target);
    const endpoint = checked!;
    const name = `s3:${endpoint.origin}/${config.s3_bucket}`;
    const days = await daysWithData(db, await lastCompleteDay(options.dataDir, name), today);
    const scope = options.uploaderScope === undefined ? netScope(endpoint) : options.uploaderScope;
    const uploader = startUploader(scope);
    log(
      `Exporting ${days.length} day(s) to ${endpoint.origin}/${config.s3_bucket} through: ${uploader.commandLine}`,
    );
    await uploader.send({
      kind: "job",
      endpoint: endpoint.origin,
      bucket: config.s3_bucket,
      region: signingRegion(endpoint, config.s3_region),
      access_key: config.s3_access_key,
      secret_key: config.s3_secret_key,
      encryption_key: keyText,
      age_recipients: config.encryption_enabled ? config.age_recipients : [],
      compress: config.compress,
      format: config.export_format,
      attempts: config.upload_attempts,
      retry_base_ms: options.retryBaseMs ?? 500,
    });
    for (const day of days) {
      if (uploader.stopped) break; // it failed: finish() reports why, no need to read more days
      for (const table of await readDayTables(db, day, config.export_format)) {
        await uploader.send({ kind: "table", day, entity: table.entity, rows: table.rows }, table.bytes);
      }
      await uploader.send({ kind: "day-end", day, partial: day === today });
    }
    const uploaded = await uploader.finish();
    const complete = uploaded.map((done) => done.day).filter((day) => day !== today).sort().at(-1);
    if (complete) await recordCompleteDay(options.dataDir, name, complete);
    for (const done of uploaded) {
      log(
        `  ${done.day}: ${done.objects} objects, ${done.bytes} bytes, manifest sha256 ${done.manifest_sha256}`,
      );
    }
    return {
      target: name,
      days: uploaded.map((done) => done.day),
      objects: uploaded.reduce((sum, done) => sum + done.objects + 1, 0),
      bytes: uploaded.reduce((sum, done) => sum + done.bytes, 0),
    };
  }
  const { keyText } = checkExportSettings(config, target);
  const key = keyText ? await aesKey(keyBytes(keyText, "[export] encryption_key")) : undefined;
  const dir = resolve(target.path);
  const days = await daysWithData(db, await lastCompleteFolderDay(dir), today);
  log(`Exporting ${days.length} day(s) to the folder ${dir}`);
  let bytes = 0;
  for (const day of days) {
    bytes += await writeFolderDay(db, dir, day, {
      compress: config.compress,
      key,
      ageRecipients: config.encryption_enabled ? config.age_recipients : [],
      format: config.export_format,
      partial: day === today,
    });
  }
  await writeEvidence(db, dir, options.dataDir);
  return { target: `dir:${dir}`, days, objects: days.length * (EXPORT_ENTITIES.length + 1), bytes };
}
