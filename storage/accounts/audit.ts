/**
 * The audit log: who changed what, when, from where, with the value before and after. Written in
 * the transaction of the change it records, so one is never without the other.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { Conditions, iso, num, type Page, pageOf, type PageRequest } from "../read/sql.ts";

/** Who did it (null: the system, e.g. the first start). */
export interface Actor {
  id: string | null;
  username: string;
}

/** One change to record. */
export interface AuditEntry {
  actor: Actor | null;
  /** Dotted verb, e.g. `user.create`, `device.update`, `login.failed`. */
  action: string;
  /** What it is about: `user:<name>`, `device:<id>`, `token:<id>`. */
  target?: string | null;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
  ip?: string | null;
}

/** A recorded entry. */
export interface AuditRecord {
  id: number;
  time: string;
  user_id: string | null;
  username: string | null;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  details: Record<string, unknown>;
  ip_address: string | null;
}

/** Appends an entry. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (user_id, username, action, target, before, after, details, ip_address)
     VALUES ($1::uuid, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7::text::jsonb, $8::inet)`,
    [
      entry.actor?.id ?? null,
      entry.actor?.username ?? null,
      entry.action,
      entry.target ?? null,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      JSON.stringify(entry.details ?? {}),
      entry.ip ?? null,
    ],
  );
}

/** Filters of {@linkcode listAudit}. */
export interface AuditQuery extends PageRequest {
  action?: string;
  username?: string;
}

/** Entries newest first, one page. */
export async function listAudit(db: Queryable, query: AuditQuery): Promise<Page<AuditRecord>> {
  const where = new Conditions();
  if (query.action) where.add(query.action, (p) => `action = ${p}`);
  if (query.username) where.add(query.username, (p) => `username = ${p}`);
  const total = (await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM audit_log ${where.where()}`,
    where.params,
  ))[0].n;
  const limit = where.param(query.page_size);
  const offset = where.param((query.page - 1) * query.page_size);
  const rows = await db.query<AuditRecord & { before: string | null; after: string | null; details: string }>(
    `SELECT ${num("id", "id")}, ${iso("time", "time")}, user_id::text AS user_id, username, action, target,
       before::text AS before, after::text AS after, details::text AS details, host(ip_address) AS ip_address
     FROM audit_log ${where.where()} ORDER BY time DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
    where.params,
  );
  const items = rows.map((row) => ({
    ...row,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
    details: JSON.parse(row.details),
  }));
  return pageOf(items, total, query);
}
