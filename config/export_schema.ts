/**
 * The `[export]` section of the configuration (part of config/schema.ts, which also gives the
 * `NETSENTINEL_EXPORT_<KEY>` environment overrides): the daily encrypted export to S3-compatible
 * object storage, and the residency allow-list its endpoint must be in.
 *
 * @module
 */

import { z } from "zod";

/** The endpoint of the default export: OVH Object Storage in Québec (Beauharnois). */
export const DEFAULT_EXPORT_ENDPOINT = "https://s3.ca-1.cloud.ovh.net";

/** 64 hexadecimal characters, or the base64 of 32 bytes (44 characters ending in `=`). */
const KEY_TEXT = /^([0-9A-Fa-f]{64}|[A-Za-z0-9+/]{43}=)$/;

/** Five cron fields (minute hour day month weekday), or six with seconds first. */
const CRON = /^\s*\S+(\s+\S+){4,5}\s*$/;

/** `[export]`: every key optional; the export is off until enabled and given a bucket and keys. */
export const ExportConfigSchema = z.object({
  /** Run the scheduled export inside the appliance. */
  enabled: z.boolean().default(false),
  /** When the scheduled export runs (cron, UTC). */
  schedule: z.string().regex(CRON, "must be a cron expression such as 0 2 * * *").default("0 2 * * *"),
  /** S3-compatible endpoint (`https://host[:port]`); its host must be in `allowed_endpoints`. */
  s3_endpoint: z.string().url("must be a URL such as https://s3.ca-1.cloud.ovh.net")
    .default(DEFAULT_EXPORT_ENDPOINT),
  /** Signing region; "" derives it from the endpoint (`s3.<region>.…`, else us-east-1). */
  s3_region: z.string().default(""),
  s3_bucket: z.string().default(""),
  s3_access_key: z.string().default(""),
  s3_secret_key: z.string().default(""),
  /** Encrypt every object with AES-256-GCM (export/README.md gives the byte format). */
  encryption_enabled: z.boolean().default(true),
  /** 64 hexadecimal characters or the base64 of 32 bytes; never logged. */
  encryption_key: z.string().refine(
    (text) => text === "" || KEY_TEXT.test(text),
    "must be 64 hexadecimal characters or the base64 of 32 bytes",
  ).default(""),
  /**
   * age X25519 recipients (`age1…`): when set, objects are encrypted to them in the age format
   * instead of AES-256-GCM, and the appliance needs no secret key.
   */
  age_recipients: z.array(z.string().regex(/^age1[0-9a-z]+$/, "must be an age recipient such as age1…"))
    .default([]),
  export_format: z.enum(["json", "csv"]).default("json"),
  /** gzip every object before it is encrypted. */
  compress: z.boolean().default(true),
  /** Residency: the endpoint hosts (`host` or `host:port`) exports may go to; anything else is refused. */
  allowed_endpoints: z.array(z.string().min(1)).default(["s3.ca-1.cloud.ovh.net"]),
  /** Attempts per object upload (with exponential back-off) before the export fails. */
  upload_attempts: z.number().int().min(1).max(20).default(5),
}).strict().default({});

/** A validated `[export]` section. */
export type ExportConfig = z.infer<typeof ExportConfigSchema>;
