/**
 * Sign-in sessions: a random 256-bit token in the cookie, its SHA-256 in `sessions`. A session ends
 * after `idleSeconds` without a request or `absoluteSeconds` after sign-in, whichever comes first.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { iso } from "../read/sql.ts";
import { newSecret, secretDigest } from "./secret_token.ts";
import type { User } from "./users.ts";

/** How long sessions last. */
export interface SessionPolicy {
  /** Seconds without a request after which a session ends (default 30 min). */
  idleSeconds: number;
  /** Seconds after sign-in after which a session ends anyway (default 12 h). */
  absoluteSeconds: number;
}

/** OWASP session management: short idle timeout, bounded absolute lifetime. */
export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleSeconds: 1800, absoluteSeconds: 43_200 };

/** Where a session was opened from. */
export interface SessionClient {
  ip?: string | null;
  userAgent?: string | null;
}

/** A new session: the token for the cookie (never stored) and its digest. */
export interface NewSession {
  token: string;
  digest: string;
}

/** Opens a session for `userId`. */
export async function createSession(
  db: Queryable,
  userId: string,
  policy: SessionPolicy,
  client: SessionClient = {},
): Promise<NewSession> {
  const token = newSecret();
  const digest = await secretDigest(token);
  await db.query(
    `INSERT INTO sessions (token_sha256, user_id, expires_at, idle_expires_at, ip_address, user_agent)
     VALUES (decode($1, 'hex'), $2::uuid, now() + $3 * interval '1 second',
             now() + LEAST($4, $3) * interval '1 second', $5::inet, $6)`,
    [
      digest,
      userId,
      policy.absoluteSeconds,
      policy.idleSeconds,
      client.ip ?? null,
      client.userAgent?.slice(0, 512) ?? null,
    ],
  );
  return { token, digest };
}

const USER_COLUMNS =
  `u.id::text AS id, u.username, u.role, u.is_active, u.must_change_password, u.totp_enabled,
  ${iso("u.last_login", "last_login")}, ${iso("u.created_at", "created_at")}`;

/**
 * The user of a live session, its idle deadline pushed back; null when the token is unknown, the
 * session expired (idle or absolute) or the user is disabled.
 */
export async function resolveSession(
  db: Queryable,
  token: string,
  policy: SessionPolicy,
): Promise<{ user: User; digest: string } | null> {
  if (token.length === 0 || token.length > 128) return null;
  const digest = await secretDigest(token);
  const rows = await db.query<User>(
    `UPDATE sessions s SET last_seen = now(),
       idle_expires_at = LEAST(now() + $2 * interval '1 second', s.expires_at)
     FROM users u
     WHERE s.token_sha256 = decode($1, 'hex') AND u.id = s.user_id AND u.is_active
       AND s.expires_at > now() AND s.idle_expires_at > now()
     RETURNING ${USER_COLUMNS}`,
    [digest, policy.idleSeconds],
  );
  return rows[0] ? { user: rows[0], digest } : null;
}

/** Ends the session of `digest` (hex). */
export async function deleteSession(db: Queryable, digest: string): Promise<void> {
  await db.query("DELETE FROM sessions WHERE token_sha256 = decode($1, 'hex')", [digest]);
}

/** Deletes expired sessions; returns how many. */
export async function purgeSessions(db: Queryable): Promise<number> {
  const rows = await db.query(
    "DELETE FROM sessions WHERE expires_at <= now() OR idle_expires_at <= now() RETURNING user_id",
  );
  return rows.length;
}
