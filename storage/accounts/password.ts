/**
 * Password hashing with argon2id (hash-wasm: WebAssembly, no native build). The hash is a PHC string
 * (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that carries its own parameters, so a stored hash
 * stays verifiable when the cost is raised.
 *
 * @module
 */

import { argon2id, argon2Verify } from "hash-wasm";

/** argon2id cost parameters. */
export interface PasswordCost {
  /** Memory, KiB. */
  memoryKiB: number;
  /** Passes over the memory. */
  iterations: number;
  /** Lanes. */
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 iterations, 1 lane (about 250 ms here). */
export const OWASP_COST: PasswordCost = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

/** Shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted (argon2 takes any length; a bound keeps a request from costing more). */
export const MAX_PASSWORD_LENGTH = 256;

/** Why `password` is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

/** The argon2id PHC string of `password`, with a fresh 16-byte salt. */
export function hashPassword(password: string, cost: PasswordCost = OWASP_COST): Promise<string> {
  return argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    memorySize: cost.memoryKiB,
    iterations: cost.iterations,
    parallelism: cost.parallelism,
    hashLength: 32,
    outputType: "encoded",
  });
}

/** True when `password` matches `hash`; false for a wrong password or a hash that is not argon2. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!hash.startsWith("$argon2")) return false;
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;

/**
 * Verifies against a hash of a random password: spends the time of a real check when the user does
 * not exist, so the answer's delay does not tell which user names exist.
 */
export async function verifyNobody(password: string, cost: PasswordCost = OWASP_COST): Promise<false> {
  dummy ??= hashPassword(crypto.randomUUID(), cost);
  await verifyPassword(password, await dummy);
  return false;
}

/** A random password of `length` characters from an alphabet without look-alikes (0/O, 1/l/I). */
export function randomPassword(length = 20): string {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
  let out = "";
  // Rejection sampling: 256 is not a multiple of the alphabet's size.
  const limit = 256 - (256 % alphabet.length);
  for (const byte of bytes) {
    if (byte < limit) out += alphabet[byte % alphabet.length];
    if (out.length === length) return out;
  }
  return out + randomPassword(length - out.length);
}
