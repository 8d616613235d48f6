/**
 * Checks an export folder on the receiving side: the evidence bundle's Ed25519 signature, the
 * SHA-256 of every day's manifest against the bundle, and every object against its manifest (size
 * and SHA-256); a file in a day folder that no manifest lists is a problem too. Needs no key.
 *
 * @module
 */

import { join } from "node:path";
import {
  EVIDENCE_FILE,
  EVIDENCE_PUBLIC_KEY_FILE,
  EVIDENCE_SIGNATURE_FILE,
  fileSha256,
  importPublicKeyPem,
  verifySignature,
} from "./evidence.ts";
import type { DayManifest } from "./manifest.ts";
import { manifestKey } from "./manifest.ts";

/** The outcome: what was checked and every problem found (empty: the folder verifies). */
export interface VerifyReport {
  days: number;
  objects: number;
  problems: string[];
}

async function readOrNull(path: string): Promise<Uint8Array<ArrayBuffer> | null> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function checkEvidence(dir: string, publicKeyFile: string | undefined, problems: string[]) {
  const bundle = await readOrNull(join(dir, EVIDENCE_FILE));
  if (bundle === null) {
    problems.push(`${EVIDENCE_FILE} is missing: the folder is not signed`);
    return null;
  }
  const signature = await readOrNull(join(dir, EVIDENCE_SIGNATURE_FILE));
  const keyPath = publicKeyFile ?? join(dir, EVIDENCE_PUBLIC_KEY_FILE);
  const pem = await readOrNull(keyPath);
  if (signature === null) problems.push(`${EVIDENCE_SIGNATURE_FILE} is missing`);
  if (pem === null) problems.push(`the public key ${keyPath} is missing`);
  if (signature !== null && pem !== null) {
    let key: CryptoKey | null = null;
    try {
      key = await importPublicKeyPem(new TextDecoder().decode(pem));
    } catch {
      problems.push(`${keyPath} is not an Ed25519 public key (PEM)`);
    }
    if (key && !(await verifySignature(bundle, new TextDecoder().decode(signature), key))) {
      problems.push(
        `${EVIDENCE_FILE}: the signature does not match (the bundle or its signature was changed)`,
      );
    }
  }
  try {
    return JSON.parse(new TextDecoder().decode(bundle)) as {
      manifests?: { day: string; file: string; sha256: string }[];
    };
  } catch {
    problems.push(`${EVIDENCE_FILE} is not JSON`);
    return null;
  }
}

/**
 * Verifies the export folder `dir`.
 *
 * @param publicKeyFile the signer's public key (PEM) handed over apart; default: the one in `dir`
 */
export async function verifyExportFolder(dir: string, publicKeyFile?: string): Promise<VerifyReport> {
  const problems: string[] = [];
  const evidence = await checkEvidence(dir, publicKeyFile, problems);
  const listed = new Map((evidence?.manifests ?? []).map((entry) => [entry.day, entry]));
  const days = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory && /^\d{4}-\d{2}-\d{2}$/.test(e.name))
    .map((e) => e.name).sort();
  let objects = 0;
  for (const day of days) {
    const file = manifestKey(day);
    const bytes = await readOrNull(join(dir, file));
    if (bytes === null) {
      problems.push(`${file} is missing`);
      continue;
    }
    const expected = listed.get(day);
    if (evidence && !expected) problems.push(`${file} is not in ${EVIDENCE_FILE}`);
    if (expected && expected.sha256 !== await fileSha256(join(dir, file))) {
      problems.push(`${file}: SHA-256 differs from ${EVIDENCE_FILE} (the manifest was changed)`);
    }
    listed.delete(day);
    let manifest: DayManifest;
    try {
      manifest = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      problems.push(`${file} is not JSON`);
      continue;
    }
    const names = new Set(["manifest.json"]);
    for (const object of manifest.objects) {
      objects++;
      names.add(object.key.slice(day.length + 1));
      const data = await readOrNull(join(dir, object.key));
      if (data === null) problems.push(`${object.key} is missing`);
      else if (data.length !== object.bytes) {
        problems.push(`${object.key}: ${data.length} bytes, the manifest says ${object.bytes}`);
      } else if (await fileSha256(join(dir, object.key)) !== object.sha256) {
        problems.push(`${object.key}: SHA-256 differs from the manifest (the file was changed)`);
      }
    }
    for (const entry of Deno.readDirSync(join(dir, day))) {
      if (!names.has(entry.name)) problems.push(`${day}/${entry.name} is not in the manifest`);
    }
  }
  for (const day of listed.keys()) {
    problems.push(`${manifestKey(day)} is listed in ${EVIDENCE_FILE} but missing`);
  }
  return { days: days.length, objects, problems };
}
