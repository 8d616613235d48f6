/**
 * The export's encryption key: 32 bytes written as 64 hexadecimal characters or as base64, read
 * into a WebCrypto AES-256-GCM key that cannot be extracted again. Messages never quote the key.
 *
 * @module
 */

/** A key that cannot be used: the message says why, without the key. */
export class ExportKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportKeyError";
  }
}

/**
 * The 32 bytes of a key written as 64 hexadecimal characters or as the base64 of 32 bytes.
 *
 * @param text the key text (surrounding white space ignored)
 * @param origin where it came from, for the message (e.g. "NETSENTINEL_EXPORT_ENCRYPTION_KEY")
 * @throws {ExportKeyError} naming the origin and the expected forms, never the key
 */
export function keyBytes(text: string, origin: string): Uint8Array<ArrayBuffer> {
  const trimmed = text.trim();
  if (trimmed === "") throw new ExportKeyError(`Cannot use the encryption key from ${origin}: it is empty`);
  if (/^[0-9A-Fa-f]{64}$/.test(trimmed)) {
    const bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i++) bytes[i] = parseInt(trimmed.slice(i * 2, i * 2 + 2), 16);
    return bytes;
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    const binary = atob(trimmed);
    if (binary.length === 32) return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  }
  throw new ExportKeyError(
    `Cannot use the encryption key from ${origin}: it must be 64 hexadecimal characters or the base64 of 32 bytes (got ${trimmed.length} characters)`,
  );
}

/** An AES-256-GCM key (encrypt and decrypt, not extractable) from its 32 bytes. */
export function aesKey(bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

/** A new random key as 64 hexadecimal characters (for a first setup). */
export function newKeyText(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
