import { rejects, strictEqual, throws } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDatabaseUrl } from "./database_url.ts";
import { openDatabase } from "./database.ts";
import { describeStorageError, StorageError, type StorageErrorKind } from "./errors.ts";
import { PGLITE_LOCK_FILE, PgliteDatabase } from "./pglite.ts";
import { DRIVERS, flushRecordsOf, POSTGRES, TEST_DATABASE_URL } from "./_testing.ts";
import { Persistence } from "./persistence.ts";
import { readTotals } from "./totals.ts";
import { SHARED_PCAPS, sharedCapture } from "../tests/shared_pcaps.ts";
import { notes } from "../tests/requirements.ts";

function storageError(kind: StorageErrorKind, message: string | RegExp) {
  return (error: unknown) => {
    strictEqual(error instanceof StorageError, true, String(error));
    strictEqual((error as StorageError).kind, kind, (error as Error).message);
    if (typeof message === "string") strictEqual((error as Error).message, message);
    else strictEqual(message.test((error as Error).message), true, (error as Error).message);
    strictEqual((error as Error).message.includes("\n"), false, "one line");
    return true;
  };
}

Deno.test("parseDatabaseUrl() names what is wrong and masks the password", async (t) => {
  const cases: [string, string][] = [
    ["mysql://app:s3cret@db:3306/x", 'the scheme must be postgres:// or postgresql://, got "mysql:"'],
    ["postgres://app:s3cret@db:54x2/x", 'the port must be a number from 1 to 65535, got "54x2"'],
    ["postgres://app:s3cret@db:99999/x", 'the port must be a number from 1 to 65535, got "99999"'],
    ["postgres://app:s3cret@/x", "it has no host name"],
    ["db.local:5432", 'the scheme must be postgres:// or postgresql://, got "db.local:"'],
    ["just some text", "it is not a URL (expected postgres://user:password@host:5432/database)"],
  ];
  for (const [url, detail] of cases) {
    await t.step(url, () => {
      const masked = url.replace("s3cret", "***");
      throws(
        () => parseDatabaseUrl(url),
        storageError("url", `Cannot use DATABASE_URL "${masked}": ${detail}`),
      );
    });
  }
  await t.step("a good URL", () => {
    const url = parseDatabaseUrl("postgresql://app:p%40ss@[::1]:6543/inventory?sslmode=disable");
    strictEqual(url.masked, "postgresql://app:***@[::1]:6543/inventory?sslmode=disable");
    strictEqual(url.host, "[::1]");
    strictEqual(url.port, 6543);
    strictEqual(url.database, "inventory");
    strictEqual(url.user, "app");
  });
});

/** A TCP port nothing listens on (bound then released). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function serverUrl(user: string, database: string, port?: number): string {
  const url = new URL(TEST_DATABASE_URL);
  url.username = user;
  url.password = "";
  url.pathname = `/${database}`;
  if (port !== undefined) url.port = String(port);
  return url.toString();
}

const postgres = DRIVERS.find((driver) => driver.name === "postgres")!;

Deno.test("openDatabase() says why it cannot connect, in one line", async (t) => {
  await t.step("server down: connection refused, host:port, no password", async () => {
    const port = closedPort();
    const url = `postgres://app:s3cret@127.0.0.1:${port}/netsentinel`;
    await rejects(
      openDatabase({ url, connectTimeoutSeconds: 2 }),
      storageError(
        "connection",
        `Cannot connect to PostgreSQL at 127.0.0.1:${port} (database "netsentinel"): connection refused (is the server running?)`,
      ),
    );
    const error = await openDatabase({ url }).catch((caught) => caught);
    strictEqual(error.retryable, true);
    strictEqual(error.message.includes("s3cret"), false);
  });
  await t.step("bad URL: no connection attempted", async () => {
    await rejects(
      openDatabase({ url: "postgres://app:s3cret@db:port/x" }),
      storageError(
        "url",
        'Cannot use DATABASE_URL "postgres://app:***@db:port/x": the port must be a number from 1 to 65535, got "port"',
      ),
    );
  });
  await t.step({
    name: `database missing${POSTGRES.note}`,
    ignore: POSTGRES.skip,
    fn() {
      POSTGRES.check();
      return rejects(
        openDatabase({ url: serverUrl("postgres", "ns_no_such_database") }),
        storageError(
          "database-missing",
          /\(database "ns_no_such_database"\): database "ns_no_such_database" does not exist$/,
        ),
      );
    },
  });
  await t.step({
    name: `authentication failed (unknown role)${POSTGRES.note}`,
    ignore: POSTGRES.skip,
    fn() {
      POSTGRES.check();
      return rejects(
        openDatabase({ url: serverUrl("ns_no_such_role", "postgres") }),
        storageError("auth", /: authentication failed: role "ns_no_such_role" does not exist$/),
      );
    },
  });
});

Deno.test("describeStorageError() maps the errors of both drivers", async (t) => {
  const cases: [string, unknown, StorageErrorKind, string][] = [
    [
      "PostgreSQL disk full",
      { code: "53100", message: 'could not extend file "base/16384/2619": No space left on device' },
      "disk-full",
      'X: no space left on device (could not extend file "base/16384/2619")',
    ],
    [
      "Node file system disk full",
      { code: "ENOSPC", message: "ENOSPC: no space left on device, write" },
      "disk-full",
      "X: no space left on device (write)",
    ],
    [
      "PGlite file system disk full (an Emscripten ErrnoError has no message)",
      { name: "ErrnoError", errno: 51 },
      "disk-full",
      "X: no space left on device (PGlite file system error ENOSPC)",
    ],
    [
      "PGlite start-up failure caused by a full disk",
      new Error("PGlite failed to initialize properly", { cause: { name: "ErrnoError", errno: 51 } }),
      "disk-full",
      "X: no space left on device (PGlite failed to initialize properly: file system error ENOSPC)",
    ],
    [
      "an error object without a message is shown as data, not [object Object]",
      { name: "ErrnoError", errno: 1234 },
      "query",
      "X: PGlite file system error errno 1234",
    ],
    [
      "no privilege",
      { code: "42501", message: "permission denied for table devices" },
      "permission",
      "X: permission denied (permission denied for table devices)",
    ],
    [
      "folder not writable",
      new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
      "permission",
      "X: permission denied (Permission denied (os error 13))",
    ],
    [
      "server restarting",
      { code: "57P03", message: "the database system is starting up" },
      "connection",
      "X: the database system is starting up",
    ],
    [
      "deadlock",
      { code: "40P01", message: "deadlock detected" },
      "conflict",
      "X: deadlock detected (will retry)",
    ],
    [
      "SQL error",
      { code: "42601", message: 'syntax error at or near "SELEC"' },
      "query",
      'X: syntax error at or near "SELEC" (SQLSTATE 42601)',
    ],
  ];
  for (const [name, error, kind, message] of cases) {
    await t.step(name, () => {
      storageError(kind, message)(describeStorageError("X", error));
    });
  }
});

Deno.test("PgliteDatabase.open() refuses a folder in use, or one it may not write", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-pglite-" });
  try {
    await t.step("in use by another process (its lock is held)", async () => {
      const lock = await Deno.open(join(dir, PGLITE_LOCK_FILE), { create: true, write: true });
      try {
        strictEqual(await lock.tryLock(true), true);
        await rejects(
          PgliteDatabase.open(dir),
          storageError("connection", /: another process has it open \(lock /),
        );
      } finally {
        lock.close();
      }
    });
    await t.step("no permission to write the data folder", async () => {
      const probe = join(dir, "probe.ts");
      const database = new URL("./database.ts", import.meta.url).href;
      await Deno.writeTextFile(
        probe,
        `import { openDatabase } from "${database}";
         await openDatabase({ dataDir: Deno.args[0] }).catch((error) => console.log(error.kind, error.message));`,
      );
      const config = fileURLToPath(new URL("../deno.json", import.meta.url));
      const target = join(dir, "data");
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--config", config, "--allow-read", "--allow-env", probe, target],
        stdout: "piped",
        stderr: "piped",
      }).output();
      strictEqual(
        new TextDecoder().decode(output.stdout).trim(),
        `permission Cannot open the embedded database in ${target}: permission denied (Requires write access to "${target}", run again with the --allow-write flag)`,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: `Persistence.apply() after the server dropped its connections: a retryable error, then a clean retry${
    notes(POSTGRES, SHARED_PCAPS)
  }`,
  ignore: POSTGRES.skip || SHARED_PCAPS.skip,
  async fn() {
    const scratch = await postgres.open();
    const killer = await openDatabase({ url: TEST_DATABASE_URL });
    try {
      const records = await flushRecordsOf(sharedCapture("dns_mdns_llmnr_mix.pcap"), 50);
      const persistence = new Persistence(scratch.db);
      const database =
        (await scratch.db.query<{ name: string }>("SELECT current_database() AS name"))[0].name;
      const failures: StorageError[] = [];
      for (const [seq, record] of records.entries()) {
        if (seq % 3 === 1) {
          // What a server restart does to the pool's connections.
          await killer.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [database],
          );
        }
        // Retried as the aggregator does, but a few times at most: a retry that never succeeds fails.
        for (let attempt = 1;; attempt++) {
          try {
            await persistence.apply({ sensor: "s", boot: "b", seq, record });
            break;
          } catch (error) {
            strictEqual(error instanceof StorageError && error.retryable, true, String(error));
            failures.push(error as StorageError);
            if (attempt === 5) {
              throw new Error(`Cannot apply batch ${seq}: 5 retryable failures`, { cause: error });
            }
          }
        }
      }
      strictEqual(failures.length > 0, true, "the killed connections were noticed");
      strictEqual(failures.every((error) => error.kind === "connection"), true);
      const totals = await readTotals(scratch.db);
      let packets = 0;
      for (const flow of totals.flows) packets += flow.packet_count;
      let expected = 0;
      for (const record of records) for (const count of record.flows.packets) expected += count;
      strictEqual(packets, expected, "every batch counted once");
    } finally {
      await killer.close();
      await scratch.dispose();
    }
  },
});
