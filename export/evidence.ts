/**
 * The evidence bundle of a folder export, for an auditor to hand to the client: the inventory, the
 * OT assets, the alerts, the OT change audit (write, program, stop… commands heard), what the
 * export covers, and the SHA-256 of every day's manifest — signed with Ed25519. The signing key
 * pair is made once and kept in `<data dir>/export/evidence-signing-key.jwk` (mode 0600); the
 * public key is written next to the bundle (`evidence-public-key.pem`) and can be handed over apart.
 *
 * @module
 */

import { join } from "node:path";
import type { Queryable } from "../storage/database.ts";
import { DEVICE_COLUMNS } from "../storage/read/devices.ts";
import { iso, num } from "../storage/read/sql.ts";
import { sha256Hex } from "./objects.ts";

/** File names of the bundle in the export folder. */
export const EVIDENCE_FILE = "evidence.json";
export const EVIDENCE_SIGNATURE_FILE = "evidence.json.sig";
export const EVIDENCE_PUBLIC_KEY_FILE = "evidence-public-key.pem";

/** Where the signing key pair is kept. */
export function signingKeyPath(dataDir: string): string {
  return join(dataDir, "export", "evidence-signing-key.jwk");
}

/** The Ed25519 key pair of this appliance: read, or made and saved on first use. */
export async function signingKeys(dataDir: string): Promise<CryptoKeyPair> {
  const path = signingKeyPath(dataDir);
  let jwk: JsonWebKey;
  try {
    jwk = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new Error(
        `Cannot read the evidence signing key ${path}: ${(error as Error).message.split("\n")[0]}`,
      );
    }
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    await Deno.mkdir(join(dataDir, "export"), { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(jwk) + "\n", { mode: 0o600, createNew: true });
  }
  const privateKey = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["sign"]);
  const { d: _, ...publicJwk } = jwk;
  const publicKey = await crypto.subtle.importKey(
    "jwk",
    { ...publicJwk, key_ops: ["verify"] },
    { name: "Ed25519" },
    true,
    ["verify"],
  );
  return { privateKey, publicKey };
}

/** A public key as PEM (SubjectPublicKeyInfo). */
export async function publicKeyPem(key: CryptoKey): Promise<string> {
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", key));
  const base64 = btoa(String.fromCharCode(...spki));
  return `-----BEGIN PUBLIC KEY-----\n${base64.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

/** The public key of a PEM file. */
export function importPublicKeyPem(pem: string): Promise<CryptoKey> {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
  const bytes = Uint8Array.from(atob(body), (char) => char.charCodeAt(0));
  return crypto.subtle.importKey("spki", bytes, { name: "Ed25519" }, true, ["verify"]);
}

/** Events that change an OT device: writes, downloads, program and stop commands. */
const OT_CHANGE = "(write|stop|download|upload|program|firmware|set_ip|reset|restart)";

/** Parses the JSON text columns of `rows` in place (both drivers return the same then). */
function parseJson(rows: Record<string, unknown>[], columns: string[]): void {
  for (const row of rows) {
    for (const column of columns) {
      if (typeof row[column] === "string") row[column] = JSON.parse(row[column] as string);
    }
  }
}

/** The bundle's content (without the signature), from the database and the folder's manifests. */
export async function buildEvidence(
  db: Queryable,
  manifests: { day: string; file: string; sha256: string }[],
  now: Date = new Date(),
): Promise<Record<string, unknown>> {
  const inventory = await db.query(`SELECT ${DEVICE_COLUMNS} FROM devices d ORDER BY d.mac_address`);
  const otAssets = await db.query(
    `SELECT d.mac_address::text AS mac_address, d.display_name, d.ot_role, d.purdue_level, d.ot_protocols,
       d.ot_facts::text AS ot_facts, d.ot_children::text AS ot_children FROM devices d
     WHERE d.ot_role IS NOT NULL ORDER BY d.mac_address`,
  );
  parseJson(otAssets, ["ot_facts", "ot_children"]);
  const alerts = await db.query(
    `SELECT a.rule, a.severity, a.status, a.title, d.mac_address::text AS mac_address, a.details::text AS details,
       ${iso("a.first_seen", "first_seen")}, ${iso("a.last_seen", "last_seen")}, ${num("a.count", "count")}
     FROM alerts a LEFT JOIN devices d ON d.id = a.device_id ORDER BY a.first_seen, a.rule`,
  );
  parseJson(alerts, ["details"]);
  const changes = await db.query(
    `SELECT ${iso("e.time", "time")}, e.type, e.severity, e.source, e.src_mac::text AS src_mac,
       host(e.src_ip) AS src_ip, e.dst_mac::text AS dst_mac, host(e.dst_ip) AS dst_ip, e.fields::text AS fields,
       ${num("e.count", "count")}
     FROM protocol_events e WHERE e.type ~ '${OT_CHANGE}' ORDER BY e.time, e.type`,
  );
  parseJson(changes, ["fields"]);
  const sensors = await db.query(
    `SELECT sensor_id, ${iso("first_seen", "first_seen")}, ${iso("last_seen", "last_seen")} FROM sensors
     ORDER BY sensor_id`,
  );
  const [span] = await db.query<{ first: string | null; last: string | null }>(
    `SELECT ${iso("min(first_seen)", "first")}, ${iso("max(last_seen)", "last")} FROM devices`,
  );
  return {
    format_version: 1,
    created_at: now.toISOString(),
    coverage: {
      days: manifests.map((manifest) => manifest.day),
      traffic_first_seen: span?.first ?? null,
      traffic_last_seen: span?.last ?? null,
      sensors,
      devices: inventory.length,
      ot_assets: otAssets.length,
      alerts: alerts.length,
      ot_changes: changes.length,
    },
    inventory,
    ot_assets: otAssets,
    alerts,
    ot_change_audit: changes,
    manifests,
  };
}

/** Signs `bytes` (Ed25519) and returns the signature as base64. */
export async function signBytes(bytes: Uint8Array<ArrayBuffer>, key: CryptoKey): Promise<string> {
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, bytes));
  return btoa(String.fromCharCode(...signature));
}

/** True when `signature` (base64) is `key`'s signature of `bytes`. */
export async function verifySignature(bytes: Uint8Array<ArrayBuffer>, signature: string, key: CryptoKey) {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = Uint8Array.from(atob(signature.trim()), (char) => char.charCodeAt(0));
  } catch {
    return false;
  }
  return await crypto.subtle.verify({ name: "Ed25519" }, key, raw, bytes);
}

/** SHA-256 of a file's bytes. */
export async function fileSha256(path: string): Promise<string> {
  return await sha256Hex(await Deno.readFile(path));
}
