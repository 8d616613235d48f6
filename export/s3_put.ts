/**
 * One object PUT to S3-compatible storage, signed with Signature V4 (aws4fetch), path-style
 * (`https://host/bucket/key`), the payload's SHA-256 signed too, retried with exponential back-off on network errors, 429 and 5xx.
 * A refusal (403 wrong key, 404 no bucket…) is not retried: it fails at once with the server's code.
 *
 * @module
 */

import { AwsClient } from "aws4fetch";
import { sha256Hex } from "./objects.ts";

/** An upload that failed: the message is one line, with the storage's error code when it gave one. */
export class UploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadError";
  }
}

/** Where and how to upload. */
export interface S3Target {
  endpoint: URL;
  bucket: string;
  region: string;
  accessKey: string;
  secretKey: string;
  /** Attempts per object. */
  attempts: number;
  /** First back-off delay, ms (doubled after each failed attempt, at most 30 s). */
  retryBaseMs: number;
}

/** The signing client of a target. */
export function s3Client(target: S3Target): AwsClient {
  return new AwsClient({
    accessKeyId: target.accessKey,
    secretAccessKey: target.secretKey,
    service: "s3",
    region: target.region,
    retries: 0,
  });
}

function xmlTag(text: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]{0,300})</${tag}>`).exec(text)?.[1];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * PUTs `bytes` as `key` in the target's bucket.
 *
 * @throws {UploadError} when the storage refuses it, or when every attempt failed
 */
export async function putObject(
  client: AwsClient,
  target: S3Target,
  key: string,
  bytes: Uint8Array<ArrayBuffer>,
  contentType: string,
): Promise<void> {
  const url = new URL(
    `/${encodeURIComponent(target.bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`,
    target.endpoint,
  );
  const payloadHash = await sha256Hex(bytes);
  let last = "";
  for (let attempt = 1; attempt <= target.attempts; attempt++) {
    let response: Response;
    try {
      response = await client.fetch(url.href, {
        method: "PUT",
        body: bytes,
        headers: {
          "content-type": contentType,
          "content-length": String(bytes.length),
          "x-amz-content-sha256": payloadHash,
        },
      });
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
        throw new UploadError(
          `Cannot upload ${key} to ${target.endpoint.origin}: this process may not connect there (${
            (error as Error).message.split("\n")[0]
          })`,
        );
      }
      last = `cannot connect to ${target.endpoint.host}: ${(error as Error).message.split("\n")[0]}`;
      if (attempt < target.attempts) await sleep(Math.min(30_000, target.retryBaseMs * 2 ** (attempt - 1)));
      continue;
    }
    const text = await response.text();
    if (response.ok) return;
    const code = xmlTag(text, "Code");
    const message = xmlTag(text, "Message");
    last = `the storage answered ${response.status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`;
    if (response.status !== 429 && response.status < 500) {
      throw new UploadError(`Cannot upload ${key} to ${target.endpoint.origin}/${target.bucket}: ${last}`);
    }
    if (attempt < target.attempts) await sleep(Math.min(30_000, target.retryBaseMs * 2 ** (attempt - 1)));
  }
  throw new UploadError(
    `Cannot upload ${key} to ${target.endpoint.origin}/${target.bucket} after ${target.attempts} attempts: ${last}`,
  );
}
