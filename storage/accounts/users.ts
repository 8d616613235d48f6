/**
 * Users of the web appliance (table `users`, 003 + 010): created with an argon2id hash, listed,
 * changed, deleted. The last active admin can be neither deleted, demoted nor disabled.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { iso } from "../read/sql.ts";
import { AccountError } from "./account_error.ts";
import { hashPassword, type PasswordCost, passwordProblem } from "./password.ts";

/** Roles, weakest first: viewer reads; operator also edits devices; admin also manages accounts. */
export const ROLES = ["viewer", "operator", "admin"] as const;
/** One of {@linkcode ROLES}. */
export type Role = typeof ROLES[number];

/** True when `role` has at least the rights of `needed`. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** A user as the API shows it (no hash, no TOTP secret). */
export interface User {
  id: string;
  username: string;
  role: Role;
  is_active: boolean;
  must_change_password: boolean;
  totp_enabled: boolean;
  last_login: string | null;
  created_at: string;
}

/** A user with the secrets login needs. */
export interface UserWithSecrets extends User {
  password_hash: string;
  totp_secret: string | null;
}

/** User names: letters, digits, `.`, `_`, `-`, 1 to 64 characters, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const COLUMNS = `id::text AS id, username, role, is_active, must_change_password, totp_enabled,
  ${iso("last_login", "last_login")}, ${iso("created_at", "created_at")}`;

function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new AccountError(
      "invalid",
      `Cannot use user name ${JSON.stringify(username)}: letters, digits, ".", "_", "-", at most 64`,
      "username",
    );
  }
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AccountError("invalid", `Cannot use this password: it ${problem}`, "password");
}

/** Every user, by name. */
export function listUsers(db: Queryable): Promise<User[]> {
  return db.query<User>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
}

/** How many users exist. */
export async function countUsers(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users"))[0].n;
}

/** The user with this id, or null (a malformed id is no user). */
export async function getUser(db: Queryable, id: string): Promise<User | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  return (await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1::uuid`, [id]))[0] ?? null;
}

/** The user of this name with the hash and TOTP secret, or null. */
export async function findUserWithSecrets(db: Queryable, username: string): Promise<UserWithSecrets | null> {
  const rows = await db.query<UserWithSecrets>(
    `SELECT ${COLUMNS}, password_hash, totp_secret FROM users WHERE username = $1`,
    [username],
  );
  return rows[0] ?? null;
}

/** What a new user is made of. */
export interface NewUser {
  username: string;
  password: string;
  role: Role;
  /** The user must choose a new password at first sign-in (default true: someone else chose this one). */
  mustChangePassword?: boolean;
}

/**
 * Creates a user.
 *
 * @throws {AccountError} `invalid` (name, password), `conflict` (the name is taken)
 */
export async function createUser(db: Queryable, user: NewUser, cost?: PasswordCost): Promise<User> {
  checkUsername(user.username);
  checkPassword(user.password);
  const hash = await hashPassword(user.password, cost);
  const rows = await db.query<User>(
    `INSERT INTO users (username, password_hash, role, must_change_password) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
    [user.username, hash, user.role, user.mustChangePassword ?? true],
  );
  if (!rows[0]) {
    throw new AccountError(
      "conflict",
      `Cannot create user "${user.username}": the name is taken`,
      "username",
    );
  }
  return rows[0];
}

async function activeAdminsBesides(db: Queryable, id: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND is_active AND id <> $1::uuid",
    [id],
  );
  return rows[0].n;
}

/** Changes to a user (absent: unchanged). */
export interface UserChanges {
  role?: Role;
  is_active?: boolean;
}

/**
 * Changes a user's role or state and returns it; a disabled user's sessions are closed.
 *
 * @throws {AccountError} `not-found`, `conflict` (it would leave no active admin)
 */
export async function updateUser(db: Queryable, id: string, changes: UserChanges): Promise<User> {
  const user = await getUser(db, id);
  if (!user) throw new AccountError("not-found", `Cannot change user ${id}: no such user`);
  const losesAdmin = user.role === "admin" && user.is_active &&
    ((changes.role !== undefined && changes.role !== "admin") || changes.is_active === false);
  if (losesAdmin && await activeAdminsBesides(db, id) === 0) {
    throw new AccountError("conflict", `Cannot change user "${user.username}": it is the last active admin`);
  }
  const rows = await db.query<User>(
    `UPDATE users SET role = COALESCE($2, role), is_active = COALESCE($3, is_active), updated_at = now()
     WHERE id = $1::uuid RETURNING ${COLUMNS}`,
    [id, changes.role ?? null, changes.is_active ?? null],
  );
  if (changes.is_active === false) await db.query("DELETE FROM sessions WHERE user_id = $1::uuid", [id]);
  return rows[0];
}

/**
 * Sets a user's password; every session of the user but `keepSessionDigest` (hex) is closed.
 *
 * @throws {AccountError} `not-found`, `invalid` (password)
 */
export async function setPassword(
  db: Queryable,
  id: string,
  password: string,
  options: { mustChange?: boolean; keepSessionDigest?: string; cost?: PasswordCost } = {},
): Promise<void> {
  checkPassword(password);
  const hash = await hashPassword(password, options.cost);
  const rows = await db.query(
    `UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = now(),
       failed_logins = 0, updated_at = now() WHERE id = $1::uuid RETURNING id`,
    [id, hash, options.mustChange ?? false],
  );
  if (rows.length === 0) {
    throw new AccountError("not-found", `Cannot set the password of ${id}: no such user`);
  }
  await db.query(
    "DELETE FROM sessions WHERE user_id = $1::uuid AND token_sha256 <> decode($2, 'hex')",
    [id, options.keepSessionDigest ?? ""],
  );
}

/**
 * Deletes a user (its sessions and tokens go with it) and returns what it was.
 *
 * @throws {AccountError} `not-found`, `conflict` (the last active admin)
 */
export async function deleteUser(db: Queryable, id: string): Promise<User> {
  const user = await getUser(db, id);
  if (!user) throw new AccountError("not-found", `Cannot delete user ${id}: no such user`);
  if (user.role === "admin" && user.is_active && await activeAdminsBesides(db, id) === 0) {
    throw new AccountError("conflict", `Cannot delete user "${user.username}": it is the last active admin`);
  }
  await db.query("DELETE FROM users WHERE id = $1::uuid", [id]);
  return user;
}

/** Records a successful sign-in (last_login, failed attempts reset). */
export async function recordLogin(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE users SET last_login = now(), failed_logins = 0 WHERE id = $1::uuid", [id]);
}

/** Counts a failed sign-in of an existing user. */
export async function recordFailedLogin(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1::uuid", [id]);
}

/** Stores a TOTP secret (`enabled` false while the user has not proved a code yet), or removes it. */
/**
 * Records that `id` used the TOTP code of time step `step`, unless a code of that step or a later one
 * was used already (RFC 6238 §5.2: a code is accepted once).
 *
 * @returns true when the step was claimed, false for a replayed code
 */
export async function claimTotpStep(db: Queryable, id: string, step: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE users SET totp_last_step = $2 WHERE id = $1::uuid
       AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
    [id, step],
  );
  return rows.length === 1;
}

export async function setTotp(
  db: Queryable,
  id: string,
  secret: string | null,
  enabled: boolean,
): Promise<void> {
  await db.query(
    "UPDATE users SET totp_secret = $2, totp_enabled = $3, updated_at = now() WHERE id = $1::uuid",
    [id, secret, enabled],
  );
}
