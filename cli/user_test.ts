import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import postgres from "postgres";
import { DRIVERS, TEST_DATABASE_URL } from "../storage/_testing.ts";
import { openDatabase } from "../storage/database.ts";
import { verifyPassword } from "../storage/accounts/password.ts";
import { runUser, type UserIo } from "./user.ts";
import { UsageError } from "./usage_error.ts";

const server = DRIVERS.find((driver) => driver.name === "postgres")!;

function io(url: string, stdin = ""): UserIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    log: (line) => lines.push(line),
    error: (line) => errors.push(line),
    readStdin: () => Promise.resolve(stdin),
    databaseUrl: url,
  };
}

Deno.test({
  name: `user:add / passwd / list / del on a real database [postgres]${
    server.skip ? ` (${server.skip})` : ""
  }`,
  ignore: server.skip !== null,
  async fn(t) {
    const name = `ns_test_${Math.floor(Date.now() / 1000)}_${
      crypto.randomUUID().replaceAll("-", "").slice(0, 12)
    }`;
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const dbUrl = url.toString();
    try {
      await t.step(
        "add with --password-stdin keeps the password; without, a one-time one is printed",
        async () => {
          const out = io(dbUrl, "correct horse battery\n");
          strictEqual(await runUser(["add", "alice", "--role", "operator", "--password-stdin"], out), 0);
          deepStrictEqual(out.lines, ['Created user "alice" (operator)']);
          const other = io(dbUrl);
          strictEqual(await runUser(["add", "bob", "--role", "viewer"], other), 0);
          const password = /one-time password (\S+)/.exec(other.lines[0])![1];
          const db = await openDatabase({ url: dbUrl });
          try {
            const rows = await db.query<{ username: string; hash: string; must: boolean }>(
              "SELECT username, password_hash AS hash, must_change_password AS must FROM users ORDER BY username",
            );
            deepStrictEqual(rows.map((row) => [row.username, row.must]), [["alice", false], ["bob", true]]);
            ok(rows[0].hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), "OWASP argon2id parameters");
            ok(await verifyPassword("correct horse battery", rows[0].hash));
            ok(await verifyPassword(password, rows[1].hash));
          } finally {
            await db.close();
          }
        },
      );
      await t.step("refusals: taken name, weak password, bad role, unknown user: one line each", async () => {
        const taken = io(dbUrl, "another good password");
        strictEqual(await runUser(["add", "alice", "--role", "viewer", "--password-stdin"], taken), 1);
        deepStrictEqual(taken.errors, ['netsentinel: Cannot create user "alice": the name is taken']);
        const weak = io(dbUrl, "short");
        strictEqual(await runUser(["add", "carol", "--role", "viewer", "--password-stdin"], weak), 1);
        deepStrictEqual(weak.errors, [
          "netsentinel: Cannot use this password: it must be at least 12 characters",
        ]);
        await rejects(runUser(["add", "carol", "--role", "root"], io(dbUrl)), UsageError);
        await rejects(runUser(["add"], io(dbUrl)), UsageError);
        await rejects(runUser(["rename", "x"], io(dbUrl)), UsageError);
        const missing = io(dbUrl);
        strictEqual(await runUser(["del", "nobody"], missing), 1);
        deepStrictEqual(missing.errors, ['netsentinel: Cannot delete user "nobody": no such user']);
      });
      await t.step("passwd, list, del; every change audited", async () => {
        const passwd = io(dbUrl, "a brand new password\n");
        strictEqual(await runUser(["passwd", "bob", "--password-stdin"], passwd), 0);
        const list = io(dbUrl);
        strictEqual(await runUser(["list"], list), 0);
        ok(
          /alice\s+operator\s+active\s+no/.test(list.lines[0]) &&
            /bob\s+viewer\s+active\s+no/.test(list.lines[0]),
          list.lines[0],
        );
        strictEqual(await runUser(["del", "bob"], io(dbUrl)), 0);
        const db = await openDatabase({ url: dbUrl });
        try {
          const audit = await db.query<{ action: string; target: string; username: string }>(
            "SELECT action, target, username FROM audit_log ORDER BY id",
          );
          deepStrictEqual(audit.map((row) => `${row.username} ${row.action} ${row.target}`), [
            "cli user.create user:alice",
            "cli user.create user:bob",
            "cli user.password user:bob",
            "cli user.delete user:bob",
          ]);
        } finally {
          await db.close();
        }
      });
      await t.step("the task runs as a process: password on standard input", async () => {
        const child = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            new URL("./user.ts", import.meta.url).pathname,
            "add",
            "dave",
            "--role",
            "admin",
            "--password-stdin",
          ],
          env: { DATABASE_URL: dbUrl },
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const writer = child.stdin.getWriter();
        await writer.write(new TextEncoder().encode("process password 42\n"));
        await writer.close();
        const done = await child.output();
        strictEqual(
          new TextDecoder().decode(done.stdout).trim(),
          'Created user "dave" (admin)',
          new TextDecoder().decode(done.stderr),
        );
        strictEqual(done.code, 0);
      });
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    }
  },
});
