/**
 * Random bearer secrets (session cookies, API tokens) and the SHA-256 the database keeps instead of
 * them: a copy of the tables opens no session.
 *
 * @module
 */

/** 32 random bytes (256 bits) as base64url, with an optional prefix (`nst_` for API tokens). */
export function newSecret(prefix = ""): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return prefix + base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** SHA-256 of `secret`, hex (passed to SQL as `decode($n, 'hex')`). */
export async function secretDigest(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
