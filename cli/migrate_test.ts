import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { MIGRATE_HELP, runMigrate } from "./migrate.ts";
import { loadMigrations } from "../storage/migrate.ts";

function recorder() {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    output: { log: (line: string) => lines.push(line), error: (line: string) => errors.push(line) },
  };
}

Deno.test("runMigrate() migrates the embedded database, then has nothing to do", async (t) => {
  const previous = Deno.env.get("DATABASE_URL");
  Deno.env.delete("DATABASE_URL");
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-migrate-" });
  const data = join(dir, "pglite");
  const previousConfig = Deno.env.get("NETSENTINEL_CONFIG");
  Deno.env.delete("NETSENTINEL_CONFIG");
  // The files of migrations/, read independently of runMigrate's own listing.
  const files = [...Deno.readDirSync(new URL("../migrations/", import.meta.url))]
    .map((entry) => entry.name).filter((name) => name.endsWith(".sql")).sort();
  try {
    await t.step("first run applies every migration", async () => {
      const { lines, output } = recorder();
      strictEqual(await runMigrate(["--data-dir", dir], output), 0);
      strictEqual(files.length, (await loadMigrations()).length);
      deepStrictEqual(lines, [`Applied ${files.length} migrations to ${data}: ${files.join(", ")}`]);
    });
    await t.step("second run", async () => {
      const { lines, output } = recorder();
      strictEqual(await runMigrate(["--data-dir", dir], output), 0);
      deepStrictEqual(lines, [`Database ${data} is up to date`]);
    });
    await t.step("--status", async () => {
      const { lines, output } = recorder();
      strictEqual(await runMigrate(["--status", "--data-dir", dir], output), 0);
      strictEqual(lines[0], `Database ${data} (pglite):`);
      deepStrictEqual(
        lines.slice(1).map((line) => line.split(/\s+/).slice(1, 3)),
        files.map((file) => ["applied", file.replace(/\.sql$/, "")]),
      );
    });
    await t.step("a bad DATABASE_URL: one line, exit 1", async () => {
      Deno.env.set("DATABASE_URL", "mysql://app:s3cret@db/x");
      const { errors, output } = recorder();
      strictEqual(await runMigrate([], output), 1);
      deepStrictEqual(errors, [
        'netsentinel: Cannot use DATABASE_URL "mysql://app:***@db/x": the scheme must be postgres:// or postgresql://, got "mysql:"',
      ]);
      Deno.env.delete("DATABASE_URL");
    });
    await t.step("--help", async () => {
      const { lines, output } = recorder();
      strictEqual(await runMigrate(["--help"], output), 0);
      deepStrictEqual(lines, [MIGRATE_HELP]);
    });
  } finally {
    if (previous !== undefined) Deno.env.set("DATABASE_URL", previous);
    if (previousConfig !== undefined) Deno.env.set("NETSENTINEL_CONFIG", previousConfig);
    await Deno.remove(dir, { recursive: true });
  }
});
