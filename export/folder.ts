/**
 * The folder target (`export --dir PATH`), for air-gapped audits: the same objects and manifests
 * as the object storage gets, under `PATH/YYYY-MM-DD/`, plus the signed evidence bundle at the top
 * of the folder. Each file is written to a temporary name and renamed, so a crash leaves no half file.
 *
 * @module
 */

import { dirname, join } from "node:path";
import type { Queryable } from "../storage/database.ts";
import { readDayTables } from "./day_tables.ts";
import type { ExportFormat } from "./encode.ts";
import {
  buildEvidence,
  EVIDENCE_FILE,
  EVIDENCE_PUBLIC_KEY_FILE,
  EVIDENCE_SIGNATURE_FILE,
  fileSha256,
  publicKeyPem,
  signBytes,
  signingKeys,
} from "./evidence.ts";
import { buildManifest, type DayManifest, manifestBytes, manifestKey } from "./manifest.ts";
import { encryptionOf, pack, type PackOptions } from "./objects.ts";

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeFile(temporary, bytes);
  await Deno.rename(temporary, path);
}

/** The manifests already in `dir`, by day. */
export async function folderManifests(dir: string): Promise<Map<string, DayManifest>> {
  const found = new Map<string, DayManifest>();
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return found;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isDirectory || !/^\d{4}-\d{2}-\d{2}$/.test(entry.name)) continue;
    try {
      found.set(entry.name, JSON.parse(await Deno.readTextFile(join(dir, manifestKey(entry.name)))));
    } catch {
      // no readable manifest: the day is exported again
    }
  }
  return found;
}

/** The last day whose complete (not partial) manifest is in `dir`, or null. */
export async function lastCompleteFolderDay(dir: string): Promise<string | null> {
  const days = [...(await folderManifests(dir)).values()].filter((m) => !m.partial).map((m) => m.day).sort();
  return days.at(-1) ?? null;
}

/** Writes one day's objects and manifest into `dir`; returns the number of bytes written. */
export async function writeFolderDay(
  db: Queryable,
  dir: string,
  day: string,
  options: PackOptions & { format: ExportFormat; partial: boolean },
): Promise<number> {
  const packed = [];
  for (const table of await readDayTables(db, day, options.format)) {
    const object = await pack(table, options);
    await writeAtomically(join(dir, object.key), object.bytes);
    packed.push(object);
  }
  const manifest = buildManifest(day, packed, {
    format: options.format,
    compress: options.compress,
    encryption: encryptionOf(options),
    partial: options.partial,
  });
  await writeAtomically(join(dir, manifestKey(day)), manifestBytes(manifest));
  return packed.reduce((sum, object) => sum + object.bytes.length, 0);
}

/**
 * Writes the evidence bundle of `dir` (every day manifest in it), its Ed25519 signature and the
 * public key, signing with the key pair kept in `dataDir`.
 */
export async function writeEvidence(db: Queryable, dir: string, dataDir: string): Promise<void> {
  const manifests = [];
  for (const day of [...(await folderManifests(dir)).keys()].sort()) {
    const file = manifestKey(day);
    manifests.push({ day, file, sha256: await fileSha256(join(dir, file)) });
  }
  const evidence = await buildEvidence(db, manifests);
  const bytes = new TextEncoder().encode(JSON.stringify(evidence, null, 2) + "\n");
  const keys = await signingKeys(dataDir);
  await writeAtomically(join(dir, EVIDENCE_FILE), bytes);
  await writeAtomically(
    join(dir, EVIDENCE_SIGNATURE_FILE),
    new TextEncoder().encode(await signBytes(bytes, keys.privateKey) + "\n"),
  );
  await writeAtomically(
    join(dir, EVIDENCE_PUBLIC_KEY_FILE),
    new TextEncoder().encode(await publicKeyPem(keys.publicKey)),
  );
}
