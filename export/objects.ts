/**
 * From the plaintext of one day's table to the object that leaves the appliance: gzip, then
 * AES-256-GCM, named `YYYY-MM-DD/<entity>.<format>[.gz][.enc|.age]`, with the SHA-256 of its bytes for the
 * day's manifest.
 *
 * @module
 */

import { gzip } from "./gzip.ts";
import { seal } from "./seal.ts";
import { ageEncrypt } from "./age.ts";

/** How objects are made. */
export interface PackOptions {
  /** gzip before encrypting. */
  compress: boolean;
  /** The AES-256-GCM key; absent: not encrypted (unless `ageRecipients`). */
  key?: CryptoKey;
  /** age recipients: encrypt in the age format to them instead of AES-256-GCM. */
  ageRecipients?: readonly string[];
}

/** How `options` encrypt: `aes-256-gcm`, `age` or `none`. */
export function encryptionOf(options: PackOptions): "aes-256-gcm" | "age" | "none" {
  if (options.ageRecipients && options.ageRecipients.length > 0) return "age";
  return options.key ? "aes-256-gcm" : "none";
}

/** One plaintext table of one day. */
export interface PlainObject {
  day: string;
  entity: string;
  format: "json" | "csv";
  rows: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/** One object as stored, and what the manifest says of it. */
export interface PackedObject {
  /** `YYYY-MM-DD/<entity>.<format>.gz.enc`. */
  key: string;
  entity: string;
  rows: number;
  bytes: Uint8Array<ArrayBuffer>;
  sha256: string;
}

/** Hexadecimal SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The object name of a table: `YYYY-MM-DD/<entity>.<format>[.gz][.enc]`. */
export function objectKey(
  object: Pick<PlainObject, "day" | "entity" | "format">,
  options: PackOptions,
): string {
  const encryption = encryptionOf(options);
  const suffix = encryption === "age" ? ".age" : encryption === "aes-256-gcm" ? ".enc" : "";
  return `${object.day}/${object.entity}.${object.format}${options.compress ? ".gz" : ""}${suffix}`;
}

/** Compresses and encrypts one table as `options` say. */
export async function pack(object: PlainObject, options: PackOptions): Promise<PackedObject> {
  let bytes = object.bytes;
  if (options.compress) bytes = await gzip(bytes);
  const encryption = encryptionOf(options);
  if (encryption === "age") bytes = await ageEncrypt(bytes, options.ageRecipients!);
  else if (encryption === "aes-256-gcm") bytes = await seal(bytes, options.key!);
  return {
    key: objectKey(object, options),
    entity: object.entity,
    rows: object.rows,
    bytes,
    sha256: await sha256Hex(bytes),
  };
}
