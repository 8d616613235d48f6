/**
 * API tokens for scripts (`Authorization: Bearer nst_…`): named, scoped `read` or `write`,
 * optionally expiring, revocable; the SHA-256 is stored, the token is shown once.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { iso } from "../read/sql.ts";
import { AccountError } from "./account_error.ts";
import { newSecret, secretDigest } from "./secret_token.ts";
import type { User } from "./users.ts";

/** What a token may do: `read` (GET) or `write` (also changes, within its user's role). */
export type TokenScope = "read" | "write";

/** Prefix of every API token (lets a secret scanner recognise a leaked one). */
export const TOKEN_PREFIX = "nst_";

/** A token as listed (never the secret). */
export interface ApiToken {
  id: string;
  user_id: string;
  username: string;
  name: string;
  scope: TokenScope;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
}

const COLUMNS = `t.id::text AS id, t.user_id::text AS user_id, u.username, t.name, t.scope,
  ${iso("t.created_at", "created_at")}, ${iso("t.expires_at", "expires_at")},
  ${iso("t.revoked_at", "revoked_at")}, ${iso("t.last_used_at", "last_used_at")},
  host(t.last_used_ip) AS last_used_ip`;

/** Every token, newest first. */
export function listTokens(db: Queryable): Promise<ApiToken[]> {
  return db.query<ApiToken>(
    `SELECT ${COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id`,
  );
}

/** One token, or null. */
export async function getToken(db: Queryable, id: string): Promise<ApiToken | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const rows = await db.query<ApiToken>(
    `SELECT ${COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1::uuid`,
    [id],
  );
  return rows[0] ?? null;
}

/** What a new token is. */
export interface NewToken {
  userId: string;
  name: string;
  scope: TokenScope;
  /** Days until it expires; absent: never. */
  expiresInDays?: number;
}

/** Creates a token; returns the secret (show it once) and what is listed. */
export async function createToken(
  db: Queryable,
  token: NewToken,
): Promise<{ secret: string; token: ApiToken }> {
  const secret = newSecret(TOKEN_PREFIX);
  const rows = await db.query<{ id: string }>(
    `INSERT INTO api_tokens (user_id, name, token_sha256, scope, expires_at)
     VALUES ($1::uuid, $2, decode($3, 'hex'), $4, now() + $5 * interval '1 day') RETURNING id::text AS id`,
    [token.userId, token.name, await secretDigest(secret), token.scope, token.expiresInDays ?? null],
  );
  return { secret, token: (await getToken(db, rows[0].id))! };
}

/**
 * Revokes a token (it stays listed, with its revocation time) and returns it as it was before.
 *
 * @throws {AccountError} `not-found`, `conflict` (already revoked)
 */
export async function revokeToken(db: Queryable, id: string): Promise<ApiToken> {
  const before = await getToken(db, id);
  if (!before) throw new AccountError("not-found", `Cannot revoke token ${id}: no such token`);
  if (before.revoked_at) {
    throw new AccountError("conflict", `Cannot revoke token "${before.name}": already revoked`);
  }
  await db.query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1::uuid", [id]);
  return before;
}

const USER_COLUMNS =
  `u.id::text AS id, u.username, u.role, u.is_active, u.must_change_password, u.totp_enabled,
  ${iso("u.last_login", "last_login")}, ${iso("u.created_at", "created_at")}`;

/**
 * The user and scope of a valid token (not revoked, not expired, user active), its last use
 * recorded; null otherwise.
 */
export async function resolveToken(
  db: Queryable,
  secret: string,
  ip: string | null,
): Promise<{ user: User; scope: TokenScope; tokenId: string } | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 128) return null;
  const rows = await db.query<User & { scope: TokenScope; token_id: string }>(
    `UPDATE api_tokens t SET last_used_at = now(), last_used_ip = $2::inet
     FROM users u
     WHERE t.token_sha256 = decode($1, 'hex') AND u.id = t.user_id AND u.is_active
       AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
     RETURNING ${USER_COLUMNS}, t.scope, t.id::text AS token_id`,
    [await secretDigest(secret), ip],
  );
  const row = rows[0];
  if (!row) return null;
  const { scope, token_id, ...user } = row;
  return { user, scope, tokenId: token_id };
}
