/**
 * `deno task user:add|user:passwd|user:del|user:list`: the appliance's accounts from the shell
 * (also when nobody can sign in any more). The database is the PostgreSQL server of
 * `DATABASE_URL`, else the embedded database in `<data-dir>/pglite`; it is migrated first.
 *
 * @module
 */

import { join } from "node:path";
import { parseCommandArgs } from "./parse.ts";
import { EXIT_INPUT, EXIT_USAGE, UsageError } from "./usage_error.ts";
import { openDatabase } from "../storage/database.ts";
import { migrate } from "../storage/migrate.ts";
import { StorageError } from "../storage/errors.ts";
import { AccountError } from "../storage/accounts/account_error.ts";
import { recordAudit } from "../storage/accounts/audit.ts";
import { randomPassword } from "../storage/accounts/password.ts";
import {
  createUser,
  deleteUser,
  findUserWithSecrets,
  listUsers,
  type Role,
  ROLES,
  setPassword,
} from "../storage/accounts/users.ts";
import { formatTable } from "./table.ts";

/** Help text of the user commands. */
export const USER_HELP = `Usage:
  deno task user:add NAME --role admin|operator|viewer [--password-stdin] [--data-dir DIR]
  deno task user:passwd NAME [--password-stdin] [--data-dir DIR]
  deno task user:del NAME [--data-dir DIR]
  deno task user:list [--data-dir DIR]

Manages the web appliance's accounts. Without --password-stdin, a random one-time password is
printed, which the user must change at first sign-in; with it, the password is read from standard
input (one line) and kept. Passwords are hashed with argon2id; every change is in the audit log.

The database is the PostgreSQL server named by DATABASE_URL, else the embedded database in
DIR/pglite (default data/pglite). Stop the appliance first when it uses the embedded database.

Options:
  --role ROLE         viewer (reads), operator (also edits devices), admin (also manages accounts)
  --password-stdin    read the password from standard input
  --data-dir DIR      data folder (default data)
  -h, --help          show this help`;

/** Where {@linkcode runUser} reads and prints. */
export interface UserIo {
  log(line: string): void;
  error(line: string): void;
  /** All of standard input. */
  readStdin(): Promise<string>;
  /** PostgreSQL URL (default `DATABASE_URL`). */
  databaseUrl?: string;
}

const CONSOLE: UserIo = {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
  readStdin: () => new Response(Deno.stdin.readable).text(),
};

const CLI_ACTOR = { id: null, username: "cli" };

async function passwordFrom(
  values: Record<string, unknown>,
  io: UserIo,
): Promise<{ password: string; chosen: boolean }> {
  if (!values["password-stdin"]) return { password: randomPassword(20), chosen: false };
  const text = await io.readStdin();
  const password = text.replace(/\r?\n$/, "");
  if (password.includes("\n")) {
    throw new UsageError("Cannot read the password: standard input has more than one line");
  }
  return { password, chosen: true };
}

/**
 * Runs `user <add|passwd|del|list> …` and returns the exit status: 0 done, 1 refused (a taken
 * name, a weak password, a database error), 2 usage.
 */
export async function runUser(args: string[], io: UserIo = CONSOLE): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseCommandArgs(`user:${action ?? ""}`, rest, {
    role: { type: "string" },
    "password-stdin": { type: "boolean" },
    "data-dir": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help || action === undefined) {
    io.log(USER_HELP);
    return values.help ? 0 : EXIT_USAGE;
  }
  if (!["add", "passwd", "del", "list"].includes(action)) {
    throw new UsageError(`Cannot run "user:${action}": the user commands are add, passwd, del, list`);
  }
  const name = positionals[0];
  if (action !== "list" && (name === undefined || positionals.length > 1)) {
    throw new UsageError(`Cannot run "user:${action}": give one user name (see --help)`);
  }
  const role = values.role as string | undefined;
  if (action === "add" && !ROLES.includes(role as Role)) {
    throw new UsageError(
      `Cannot run "user:add": --role must be admin, operator or viewer, got ${JSON.stringify(role ?? "")}`,
    );
  }
  const dataDir = (values["data-dir"] as string | undefined) ?? "data";
  try {
    const db = await openDatabase({
      url: io.databaseUrl ?? (Deno.env.get("DATABASE_URL") || undefined),
      dataDir: join(dataDir, "pglite"),
    });
    try {
      await migrate(db);
      return await perform(action, name, role as Role, values, db, io);
    } finally {
      await db.close();
    }
  } catch (error) {
    if (error instanceof StorageError || error instanceof AccountError) {
      io.error(`netsentinel: ${error.message}`);
      return EXIT_INPUT;
    }
    throw error;
  }
}

async function perform(
  action: string,
  name: string,
  role: Role,
  values: Record<string, unknown>,
  db: Awaited<ReturnType<typeof openDatabase>>,
  io: UserIo,
): Promise<number> {
  if (action === "list") {
    const users = await listUsers(db);
    const rows = users.map((user) => [
      user.username,
      user.role,
      user.is_active ? "active" : "disabled",
      user.must_change_password ? "yes" : "no",
      user.totp_enabled ? "yes" : "no",
      user.last_login ?? "never",
    ]);
    io.log(formatTable(["user", "role", "state", "must change password", "TOTP", "last sign-in"], rows));
    return 0;
  }
  if (action === "del") {
    const user = await findUserWithSecrets(db, name);
    if (!user) throw new AccountError("not-found", `Cannot delete user "${name}": no such user`);
    await db.transaction(async (tx) => {
      const before = await deleteUser(tx, user.id);
      await recordAudit(tx, {
        actor: CLI_ACTOR,
        action: "user.delete",
        target: `user:${name}`,
        before: { username: name, role: before.role, is_active: before.is_active },
      });
    });
    io.log(`Deleted user "${name}"`);
    return 0;
  }
  const { password, chosen } = await passwordFrom(values, io);
  if (action === "add") {
    await db.transaction(async (tx) => {
      const user = await createUser(tx, { username: name, password, role, mustChangePassword: !chosen });
      await recordAudit(tx, {
        actor: CLI_ACTOR,
        action: "user.create",
        target: `user:${name}`,
        after: { username: name, role: user.role, is_active: true },
      });
    });
    io.log(
      chosen
        ? `Created user "${name}" (${role})`
        : `Created user "${name}" (${role}) with the one-time password ${password} (change it at first sign-in)`,
    );
    return 0;
  }
  const user = await findUserWithSecrets(db, name);
  if (!user) throw new AccountError("not-found", `Cannot set the password of "${name}": no such user`);
  await db.transaction(async (tx) => {
    await setPassword(tx, user.id, password, { mustChange: !chosen });
    await recordAudit(tx, {
      actor: CLI_ACTOR,
      action: "user.password",
      target: `user:${name}`,
      before: { must_change_password: user.must_change_password },
      after: { must_change_password: !chosen },
    });
  });
  io.log(
    chosen
      ? `Set the password of "${name}" (its sessions are closed)`
      : `Set the one-time password of "${name}": ${password} (change it at first sign-in)`,
  );
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await runUser(Deno.args));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`netsentinel: ${error.message}`);
      Deno.exit(EXIT_USAGE);
    }
    throw error;
  }
}
