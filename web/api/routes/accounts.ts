/**
 * Admin routes: `/users` (list, create, change role or state or password, delete), `/tokens`
 * (list, create, revoke) and `/audit` (the log, newest first). Every change is audited in its own
 * transaction, with the value before and after.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { listAudit, recordAudit } from "../../../storage/accounts/audit.ts";
import { MAX_PASSWORD_LENGTH } from "../../../storage/accounts/password.ts";
import { createToken, listTokens, revokeToken } from "../../../storage/accounts/tokens.ts";
import {
  createUser,
  deleteUser,
  findUserWithSecrets,
  getUser,
  listUsers,
  ROLES,
  setPassword,
  updateUser,
  type User,
} from "../../../storage/accounts/users.ts";
import { principalOf, requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { paging, parseQuery, pathUuid, readBody, text } from "../validate.ts";

/** Body of POST /users. */
export const NewUserBody = z.object({
  username: text(64),
  password: text(MAX_PASSWORD_LENGTH),
  role: z.enum(ROLES),
}).strict();

/** Body of PATCH /users/{id}. */
export const UserPatchBody = z.object({
  role: z.enum(ROLES).optional(),
  is_active: z.boolean().optional(),
  /** A password set by an admin must be changed by the user at next sign-in. */
  password: text(MAX_PASSWORD_LENGTH).optional(),
}).strict();

/** Body of POST /tokens. */
export const NewTokenBody = z.object({
  name: text(64).pipe(z.string().min(1)),
  scope: z.enum(["read", "write"]),
  /** Whose token (default: the admin creating it). */
  username: text(64).optional(),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
}).strict();

/** Query of GET /audit. */
export const AuditQuery = z.object({ ...paging, action: text(64).optional(), username: text(64).optional() })
  .strict();

function shown(user: User) {
  return { username: user.username, role: user.role, is_active: user.is_active };
}

/** The admin routes, mounted at `/api/v1`. */
export const accountRoutes = new Hono<ApiEnv>();
accountRoutes.use("/users/*", requireRole("admin"));
accountRoutes.use("/users", requireRole("admin"));
accountRoutes.use("/tokens/*", requireRole("admin"));
accountRoutes.use("/tokens", requireRole("admin"));
accountRoutes.use("/audit", requireRole("admin"));

accountRoutes.get("/users", async (c) => c.json({ items: await listUsers(c.get("deps").db) }));

accountRoutes.post("/users", async (c) => {
  const deps = c.get("deps");
  const { user: actor } = principalOf(c);
  const body = await readBody(c, NewUserBody);
  const user = await deps.db.transaction(async (tx) => {
    const user = await createUser(tx, { ...body, mustChangePassword: true }, deps.passwordCost);
    await recordAudit(tx, {
      actor,
      action: "user.create",
      target: `user:${user.username}`,
      after: shown(user),
      ip: c.get("clientIp"),
    });
    return user;
  });
  return c.json(user, 201);
});

accountRoutes.get("/users/:id", async (c) => {
  const user = await getUser(c.get("deps").db, pathUuid(c));
  if (!user) throw notFound("this user");
  return c.json(user);
});

accountRoutes.patch("/users/:id", async (c) => {
  const deps = c.get("deps");
  const { user: actor } = principalOf(c);
  const id = pathUuid(c);
  const body = await readBody(c, UserPatchBody);
  const after = await deps.db.transaction(async (tx) => {
    const before = await getUser(tx, id);
    if (!before) throw notFound("this user");
    let after = await updateUser(tx, id, { role: body.role, is_active: body.is_active });
    if (body.password !== undefined) {
      await setPassword(tx, id, body.password, { mustChange: true, cost: deps.passwordCost });
      after = (await getUser(tx, id))!;
    }
    await recordAudit(tx, {
      actor,
      action: "user.update",
      target: `user:${before.username}`,
      before: { ...shown(before), must_change_password: before.must_change_password },
      after: { ...shown(after), must_change_password: after.must_change_password },
      details: body.password !== undefined ? { password: "reset" } : {},
      ip: c.get("clientIp"),
    });
    return after;
  });
  return c.json(after);
});

accountRoutes.delete("/users/:id", async (c) => {
  const deps = c.get("deps");
  const { user: actor } = principalOf(c);
  const id = pathUuid(c);
  if (id === actor.id) throw new ApiError(409, "conflict", "Cannot delete your own account");
  await deps.db.transaction(async (tx) => {
    const before = await deleteUser(tx, id);
    await recordAudit(tx, {
      actor,
      action: "user.delete",
      target: `user:${before.username}`,
      before: shown(before),
      ip: c.get("clientIp"),
    });
  });
  return c.body(null, 204);
});

accountRoutes.get("/tokens", async (c) => c.json({ items: await listTokens(c.get("deps").db) }));

accountRoutes.post("/tokens", async (c) => {
  const deps = c.get("deps");
  const { user: actor } = principalOf(c);
  const body = await readBody(c, NewTokenBody);
  const owner = body.username === undefined ? actor : await findUserWithSecrets(deps.db, body.username);
  if (!owner) {
    throw new ApiError(404, "not_found", `Cannot create a token for "${body.username}": no such user`, {
      field: "username",
    });
  }
  const created = await deps.db.transaction(async (tx) => {
    const created = await createToken(tx, {
      userId: owner.id,
      name: body.name,
      scope: body.scope,
      expiresInDays: body.expires_in_days,
    });
    const { token } = created;
    await recordAudit(tx, {
      actor,
      action: "token.create",
      target: `token:${token.id}`,
      after: { name: token.name, username: token.username, scope: token.scope, expires_at: token.expires_at },
      ip: c.get("clientIp"),
    });
    return created;
  });
  return c.json({ ...created.token, token: created.secret }, 201);
});

accountRoutes.delete("/tokens/:id", async (c) => {
  const deps = c.get("deps");
  const { user: actor } = principalOf(c);
  const id = pathUuid(c);
  await deps.db.transaction(async (tx) => {
    const before = await revokeToken(tx, id);
    await recordAudit(tx, {
      actor,
      action: "token.revoke",
      target: `token:${id}`,
      before: { name: before.name, username: before.username, scope: before.scope, revoked_at: null },
      ip: c.get("clientIp"),
    });
  });
  return c.body(null, 204);
});

accountRoutes.get("/audit", async (c) => {
  const query = parseQuery(c, AuditQuery);
  return c.json(await listAudit(c.get("deps").db, query));
});
