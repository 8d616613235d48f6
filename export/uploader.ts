/**
 * The uploader: the only code that holds the encryption key and talks to the object storage. It
 * runs as its own Deno process with `--allow-net=<endpoint host:port>` and no other permission (no
 * file, no environment, no database, no process): the export process hands it each day's plaintext
 * tables and the keys on standard input (frames.ts). It packs each table (gzip, AES-256-GCM),
 * uploads it, then uploads the day's manifest, and prints one JSON line per day done. A failure is
 * one line on standard error and exit status 1.
 *
 * @module
 */

import { aesKey, keyBytes } from "./key.ts";
import { readFrames } from "./frames.ts";
import { buildManifest, manifestBytes, manifestKey } from "./manifest.ts";
import { encryptionOf, pack, type PackedObject, type PackOptions, sha256Hex } from "./objects.ts";
import { putObject, s3Client, type S3Target } from "./s3_put.ts";
import type { DayUploaded, UploaderFrame, UploaderJob } from "./uploader_job.ts";

const CONTENT_TYPES: Record<string, string> = { json: "application/json", csv: "text/csv" };

/** Runs the uploader over `input` frames; prints a line per day to `output`. */
export async function runUploader(
  input: ReadableStream<Uint8Array>,
  output: (line: string) => Promise<void> | void,
): Promise<void> {
  let job: UploaderJob | undefined;
  let target: S3Target | undefined;
  let client: ReturnType<typeof s3Client> | undefined;
  let options: PackOptions = { compress: true };
  let day: PackedObject[] = [];
  for await (const { meta, payload } of readFrames<UploaderFrame>(input)) {
    if (meta.kind === "job") {
      job = meta;
      target = {
        endpoint: new URL(meta.endpoint),
        bucket: meta.bucket,
        region: meta.region,
        accessKey: meta.access_key,
        secretKey: meta.secret_key,
        attempts: meta.attempts,
        retryBaseMs: meta.retry_base_ms,
      };
      client = s3Client(target);
      options = {
        compress: meta.compress,
        key: meta.encryption_key ? await aesKey(keyBytes(meta.encryption_key, "the export job")) : undefined,
        ageRecipients: meta.age_recipients,
      };
      continue;
    }
    if (!job || !target || !client) throw new Error("Cannot upload: the export job was not sent first");
    if (meta.kind === "table") {
      const packed = await pack(
        { day: meta.day, entity: meta.entity, format: job.format, rows: meta.rows, bytes: payload },
        options,
      );
      const type = encryptionOf(options) !== "none"
        ? "application/octet-stream"
        : options.compress
        ? "application/gzip"
        : CONTENT_TYPES[job.format];
      await putObject(client, target, packed.key, packed.bytes, type);
      day.push(packed);
    } else if (meta.kind === "day-end") {
      const manifest = manifestBytes(
        buildManifest(meta.day, day, {
          format: job.format,
          compress: options.compress,
          encryption: encryptionOf(options),
          partial: meta.partial,
        }),
      );
      await putObject(client, target, manifestKey(meta.day), manifest, "application/json");
      const done: DayUploaded = {
        day: meta.day,
        objects: day.length,
        bytes: day.reduce((sum, object) => sum + object.bytes.length, 0),
        manifest_sha256: await sha256Hex(manifest),
      };
      await output(JSON.stringify(done));
      day = [];
    }
  }
}

if (import.meta.main) {
  try {
    await runUploader(Deno.stdin.readable, (line) => console.log(line));
  } catch (error) {
    console.error((error as Error).message.split("\n")[0]);
    Deno.exit(1);
  }
}
