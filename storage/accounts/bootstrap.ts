/**
 * First start: when no user exists, an `admin` with a random one-time password, which must be
 * changed at first sign-in. There is no default password.
 *
 * @module
 */

import type { Database } from "../database.ts";
import { recordAudit } from "./audit.ts";
import { hashPassword, type PasswordCost, randomPassword } from "./password.ts";

/** The admin made on first start, with its password (print it once), or null when users exist. */
export async function ensureFirstAdmin(
  db: Database,
  cost?: PasswordCost,
): Promise<{ username: string; password: string } | null> {
  const password = randomPassword(20);
  const hash = await hashPassword(password, cost);
  return await db.transaction(async (tx) => {
    // Two processes starting on one database: the lock makes the second see the first's admin.
    await tx.query("SELECT pg_advisory_xact_lock(1314079053)");
    const rows = await tx.query(
      `INSERT INTO users (username, password_hash, role, must_change_password)
       SELECT 'admin', $1, 'admin', true WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING id`,
      [hash],
    );
    if (rows.length === 0) return null;
    await recordAudit(tx, {
      actor: null,
      action: "user.create",
      target: "user:admin",
      after: { role: "admin" },
      details: { reason: "first start" },
    });
    return { username: "admin", password };
  });
}
