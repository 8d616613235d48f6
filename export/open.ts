/**
 * The receiving side of one object: decrypt (when it is sealed) and decompress (when it is
 * gzip), back to the table the appliance exported.
 *
 * @module
 */

import { gunzip, isGzip } from "./gzip.ts";
import { aesKey, ExportKeyError, keyBytes } from "./key.ts";
import { isSealed, SealError, unseal } from "./seal.ts";
import { ageDecrypt, isAge } from "./age.ts";

/**
 * The plaintext of an exported object.
 *
 * @param keyText the encryption key (64 hex characters or base64 of 32 bytes); needed for sealed objects
 * @param keyOrigin where the key came from, for messages
 * @param identities age identities (`AGE-SECRET-KEY-1…`), for objects in the age format
 * @throws {SealError} wrong key or damaged object; {@linkcode ExportKeyError} no or bad key
 */
export async function openObject(
  bytes: Uint8Array<ArrayBuffer>,
  keyText: string | undefined,
  keyOrigin: string,
  identities?: readonly string[],
): Promise<Uint8Array<ArrayBuffer>> {
  let plain = bytes;
  if (isAge(plain)) {
    if (!identities || identities.length === 0) {
      throw new ExportKeyError(
        "Cannot decrypt: the object is in the age format and no identity was given (--identity FILE)",
      );
    }
    try {
      plain = await ageDecrypt(plain, identities);
    } catch (error) {
      throw new SealError(`age: ${(error as Error).message.split("\n")[0]}`);
    }
  } else if (isSealed(plain)) {
    if (!keyText) {
      throw new ExportKeyError(
        "Cannot decrypt: the object is encrypted and no key was given (--key or NETSENTINEL_EXPORT_ENCRYPTION_KEY)",
      );
    }
    plain = await unseal(plain, await aesKey(keyBytes(keyText, keyOrigin)));
  }
  if (isGzip(plain)) plain = await gunzip(plain);
  return plain;
}
