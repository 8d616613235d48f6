/**
 * AES-256-GCM sealing of one export object, in chunks so a large object never needs one huge
 * encryption call and a damaged chunk is found where it is. The byte format (export/README.md):
 *
 * ```
 * header  "NSX1" | 0x01 (AES-256-GCM) | chunk size, uint32 big-endian (plaintext bytes per chunk)
 * chunk*  nonce (12 random bytes) | ciphertext | GCM tag (16 bytes)
 * ```
 *
 * Every chunk but the last holds exactly `chunk size` plaintext bytes; the last holds the rest (0
 * to chunk size; an empty object is one empty chunk). Each chunk's additional data is the 9-byte
 * header, its index (uint32 big-endian) and a final flag (1 for the last chunk, else 0): chunks
 * cannot be reordered, dropped from the end, or moved between objects with another header.
 *
 * @module
 */

/** The first bytes of a sealed object. */
export const SEAL_MAGIC = "NSX1";
/** Algorithm byte: AES-256-GCM with a 96-bit random nonce per chunk and a 128-bit tag. */
export const SEAL_AES_256_GCM = 1;
/** Plaintext bytes per chunk (1 MiB). */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

const HEADER_BYTES = 9;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed object that cannot be opened: wrong key, damaged or not a sealed object. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SealError";
  }
}

function header(chunkSize: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(HEADER_BYTES);
  bytes.set(new TextEncoder().encode(SEAL_MAGIC), 0);
  bytes[4] = SEAL_AES_256_GCM;
  new DataView(bytes.buffer).setUint32(5, chunkSize);
  return bytes;
}

function additionalData(head: Uint8Array, index: number, final: boolean): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(HEADER_BYTES + 5);
  bytes.set(head, 0);
  new DataView(bytes.buffer).setUint32(HEADER_BYTES, index);
  bytes[HEADER_BYTES + 4] = final ? 1 : 0;
  return bytes;
}

/**
 * Seals `plaintext` with `key` (AES-256-GCM, a fresh random nonce per chunk).
 *
 * @param chunkSize plaintext bytes per chunk (default {@linkcode DEFAULT_CHUNK_SIZE})
 */
export async function seal(
  plaintext: Uint8Array,
  key: CryptoKey,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
): Promise<Uint8Array<ArrayBuffer>> {
  const head = header(chunkSize);
  const chunks = Math.max(1, Math.ceil(plaintext.length / chunkSize));
  const out = new Uint8Array(HEADER_BYTES + plaintext.length + chunks * (NONCE_BYTES + TAG_BYTES));
  out.set(head, 0);
  let at = HEADER_BYTES;
  for (let index = 0; index < chunks; index++) {
    const part = plaintext.slice(index * chunkSize, (index + 1) * chunkSize);
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: nonce, additionalData: additionalData(head, index, index === chunks - 1) },
        key,
        part,
      ),
    );
    out.set(nonce, at);
    out.set(sealed, at + NONCE_BYTES);
    at += NONCE_BYTES + sealed.length;
  }
  return out;
}

/** True when `bytes` starts like a sealed object. */
export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_BYTES && new TextDecoder().decode(bytes.subarray(0, 4)) === SEAL_MAGIC;
}

/**
 * Opens a sealed object.
 *
 * @throws {SealError} with one line: not a sealed object, truncated, or a chunk that does not
 *   authenticate (wrong key or damaged bytes)
 */
export async function unseal(sealed: Uint8Array, key: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  if (!isSealed(sealed)) throw new SealError("not an encrypted NetSentinel export object (no NSX1 header)");
  const head = sealed.slice(0, HEADER_BYTES);
  if (head[4] !== SEAL_AES_256_GCM) throw new SealError(`unknown encryption algorithm ${head[4]}`);
  const chunkSize = new DataView(head.buffer).getUint32(5);
  const stride = chunkSize + NONCE_BYTES + TAG_BYTES;
  const body = sealed.length - HEADER_BYTES;
  const chunks = Math.max(1, Math.ceil(body / stride));
  const lastLength = body - (chunks - 1) * stride;
  if (chunkSize === 0 || lastLength < NONCE_BYTES + TAG_BYTES) {
    throw new SealError("the object is truncated (its last chunk is shorter than a nonce and a tag)");
  }
  const out = new Uint8Array(body - chunks * (NONCE_BYTES + TAG_BYTES));
  for (let index = 0; index < chunks; index++) {
    const start = HEADER_BYTES + index * stride;
    const chunk = sealed.subarray(start, Math.min(start + stride, sealed.length));
    try {
      const plain = await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: chunk.slice(0, NONCE_BYTES),
          additionalData: additionalData(head, index, index === chunks - 1),
        },
        key,
        chunk.slice(NONCE_BYTES),
      );
      out.set(new Uint8Array(plain), index * chunkSize);
    } catch {
      throw new SealError(
        `chunk ${index} does not authenticate: wrong key, or the file was changed or cut short`,
      );
    }
  }
  return out;
}
