/**
 * The `age` format (age-encryption.org/v1) with X25519 recipients, offered beside AES-256-GCM:
 * with `[export] age_recipients` set, the appliance holds only public keys and cannot decrypt what
 * it sent; the receiving side opens objects with its identity (`export:decrypt --identity FILE`).
 *
 * @module
 */

import { Decrypter, Encrypter } from "age-encryption";

/** The first bytes of an age file (binary, not armored). */
const AGE_MAGIC = "age-encryption.org/v1\n";

/** True when `bytes` is an age file. */
export function isAge(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, AGE_MAGIC.length)) === AGE_MAGIC;
}

/** `plaintext` encrypted to every recipient (`age1…`). */
export async function ageEncrypt(
  plaintext: Uint8Array,
  recipients: readonly string[],
): Promise<Uint8Array<ArrayBuffer>> {
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  return new Uint8Array(await encrypter.encrypt(plaintext));
}

/**
 * The identities (`AGE-SECRET-KEY-1…`) of an identity file: one a line, `#` comments and blank
 * lines ignored.
 */
export function parseIdentities(text: string): string[] {
  return text.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
}

/**
 * The plaintext of an age file.
 *
 * @throws {Error} one line when no identity matches or the file is damaged
 */
export async function ageDecrypt(
  bytes: Uint8Array,
  identities: readonly string[],
): Promise<Uint8Array<ArrayBuffer>> {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  return new Uint8Array(await decrypter.decrypt(bytes));
}
