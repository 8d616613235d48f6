/**
 * The folder export (`export --dir`) of a database filled from shared captures: every object
 * decrypts and decompresses to exactly the day's tables, `export:verify` passes on the folder and
 * fails on any tampered file, `export:decrypt` gives the plaintext and one clear line for a wrong
 * key, runs are incremental, and the command runs with the export role's permissions.
 *
 * @module
 */

import { deepStrictEqual, match, notStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { ConfigSchema } from "../config/schema.ts";
import { exportDatabase, TEST_EXPORT_KEY } from "../export/_testing.ts";
import { readDayTables } from "../export/day_tables.ts";
import { daysWithData, EXPORT_ENTITIES } from "../export/entities.ts";
import { POSTGRES } from "../storage/_testing.ts";
import type { DayManifest } from "../export/manifest.ts";
import { openObject } from "../export/open.ts";
import { runExport } from "../export/run.ts";
import { LIBC_PATHS, permissionFlags } from "../cli/permissions.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const decoder = new TextDecoder();

async function task(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: REPOSITORY,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: output.stdout, stderr: decoder.decode(output.stderr) };
}

Deno.test({
  name: `export --dir: objects, evidence, verify, decrypt${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn(t) {
    sharedCapture("modbus_tcp_test_data_part1.pcap");
    const scratch = await exportDatabase();
    const root = await Deno.makeTempDir({ prefix: "netsentinel-export-dir-" });
    const dataDir = join(root, "data");
    const dir = join(root, "audit");
    const config = ConfigSchema.parse({ export: { encryption_key: TEST_EXPORT_KEY } }).export;
    try {
      const summary = await runExport({
        db: scratch.db,
        config,
        dataDir,
        target: { kind: "dir", path: dir },
      });
      ok(summary.days.length >= 2, `days: ${summary.days}`);

      await t.step("every object decrypts and decompresses to exactly the day's table", async () => {
        for (const day of summary.days) {
          const manifest: DayManifest = JSON.parse(await Deno.readTextFile(join(dir, day, "manifest.json")));
          deepStrictEqual(manifest.objects.map((o) => o.entity), EXPORT_ENTITIES.map((e) => e.name));
          strictEqual(manifest.encryption, "aes-256-gcm");
          const tables = await readDayTables(scratch.db, day, "json");
          for (const [index, object] of manifest.objects.entries()) {
            strictEqual(object.key, `${day}/${object.entity}.json.gz.enc`);
            const plain = await openObject(
              await Deno.readFile(join(dir, object.key)),
              TEST_EXPORT_KEY,
              "test",
            );
            deepStrictEqual(plain, tables[index].bytes, object.key);
            strictEqual(JSON.parse(decoder.decode(plain)).length, object.rows);
          }
        }
      });

      await t.step("the days hold the data: devices and Modbus events", async () => {
        let devices = 0;
        let modbus = 0;
        for (const day of summary.days) {
          const tables = await readDayTables(scratch.db, day, "json");
          devices += tables.find((table) => table.entity === "devices")!.rows;
          const events = JSON.parse(decoder.decode(tables.find((table) => table.entity === "events")!.bytes));
          modbus += events.filter((event: { type: string }) => event.type.startsWith("modbus.")).length;
        }
        ok(devices > 0 && modbus > 0, `${devices} devices, ${modbus} modbus events`);
      });

      await t.step("export:verify passes on the folder", async () => {
        const result = await task(["export:verify", dir]);
        strictEqual(result.code, 0, result.stderr);
        match(decoder.decode(result.stdout), /verified \(signature, \d+ day manifest\(s\), \d+ objects\)/);
      });

      await t.step("export:decrypt writes the plaintext; a wrong key is one clear line", async () => {
        const file = join(dir, summary.days[0], "devices.json.gz.enc");
        const tables = await readDayTables(scratch.db, summary.days[0], "json");
        const good = await task(["export:decrypt", file], {
          NETSENTINEL_EXPORT_ENCRYPTION_KEY: TEST_EXPORT_KEY,
        });
        strictEqual(good.code, 0, good.stderr);
        deepStrictEqual(new Uint8Array(good.stdout), tables[0].bytes);
        const wrong = await task(["export:decrypt", file, "--key", "ab".repeat(32)]);
        strictEqual(wrong.code, 1);
        strictEqual(wrong.stdout.length, 0);
        strictEqual(wrong.stderr.trim().split("\n").length, 1, wrong.stderr);
        match(
          wrong.stderr,
          /^netsentinel: Cannot decrypt .*devices\.json\.gz\.enc: chunk 0 does not authenticate: wrong key/,
        );
        ok(!wrong.stderr.includes("ab".repeat(32)), "the key is not repeated");
        const none = await task(["export:decrypt", file]);
        strictEqual(none.code, 1);
        match(none.stderr, /no key was given/);
      });

      await t.step("a second run exports no complete day again, and the folder still verifies", async () => {
        const again = await runExport({
          db: scratch.db,
          config,
          dataDir,
          target: { kind: "dir", path: dir },
        });
        deepStrictEqual(again.days, []);
        strictEqual((await task(["export:verify", dir])).code, 0);
      });

      await t.step("a tampered object, manifest, bundle or extra file fails export:verify", async () => {
        const day = summary.days[0];
        const cases: [string, (path: string) => void, RegExp][] = [
          [join(day, "flows.json.gz.enc"), (path) => {
            const bytes = Deno.readFileSync(path);
            bytes[bytes.length - 1] ^= 1;
            Deno.writeFileSync(path, bytes);
          }, /flows\.json\.gz\.enc: SHA-256 differs from the manifest/],
          [join(day, "manifest.json"), (path) => {
            Deno.writeTextFileSync(path, Deno.readTextFileSync(path).replace('"rows": ', '"rows": 1'));
          }, /manifest\.json: SHA-256 differs from evidence\.json/],
          ["evidence.json", (path) => {
            Deno.writeTextFileSync(path, Deno.readTextFileSync(path).replace('"devices": ', '"devices": 9'));
          }, /evidence\.json: the signature does not match/],
        ];
        for (const [name, tamper, expected] of cases) {
          const path = join(dir, name);
          const original = Deno.readFileSync(path);
          tamper(path);
          const result = await task(["export:verify", dir]);
          strictEqual(result.code, 1, name);
          match(result.stderr, expected);
          Deno.writeFileSync(path, original);
        }
        Deno.writeTextFileSync(join(dir, day, "extra.json"), "{}");
        const extra = await task(["export:verify", dir]);
        strictEqual(extra.code, 1);
        match(extra.stderr, /extra\.json is not in the manifest/);
        Deno.removeSync(join(dir, day, "extra.json"));
        strictEqual((await task(["export:verify", dir])).code, 0);
      });

      await t.step("the evidence is signed by the key pair kept in the data folder", async () => {
        const jwk = JSON.parse(await Deno.readTextFile(join(dataDir, "export", "evidence-signing-key.jwk")));
        strictEqual(jwk.crv, "Ed25519");
        strictEqual((await Deno.stat(join(dataDir, "export", "evidence-signing-key.jwk"))).mode! & 0o077, 0);
        const evidence = JSON.parse(await Deno.readTextFile(join(dir, "evidence.json")));
        deepStrictEqual(evidence.coverage.days, summary.days);
        ok(evidence.inventory.length > 0);
        ok(evidence.ot_change_audit.some((event: { type: string }) => event.type === "modbus.write"));
      });

      await t.step(
        "age recipients: objects only the identity opens; the appliance holds no secret",
        async () => {
          const identity = await generateIdentity();
          const recipient = await identityToRecipient(identity);
          const ageDir = join(root, "age");
          const aged = ConfigSchema.parse({ export: { age_recipients: [recipient] } }).export;
          const run = await runExport({
            db: scratch.db,
            config: aged,
            dataDir,
            target: { kind: "dir", path: ageDir },
          });
          const day = run.days[0];
          const manifest: DayManifest = JSON.parse(
            await Deno.readTextFile(join(ageDir, day, "manifest.json")),
          );
          strictEqual(manifest.encryption, "age");
          const file = join(ageDir, day, "devices.json.gz.age");
          const identityFile = join(root, "identity.txt");
          await Deno.writeTextFile(identityFile, `# created for the test\n${identity}\n`);
          const good = await task(["export:decrypt", file, "--identity", identityFile]);
          strictEqual(good.code, 0, good.stderr);
          deepStrictEqual(
            new Uint8Array(good.stdout),
            (await readDayTables(scratch.db, day, "json"))[0].bytes,
          );
          await Deno.writeTextFile(identityFile, `${await generateIdentity()}\n`);
          const wrong = await task(["export:decrypt", file, "--identity", identityFile]);
          strictEqual(wrong.code, 1);
          match(
            wrong.stderr,
            /^netsentinel: Cannot decrypt .*devices\.json\.gz\.age: age: no identity matched/,
          );
          strictEqual(wrong.stderr.trim().split("\n").length, 1);
          strictEqual((await task(["export:verify", ageDir])).code, 0);
        },
      );

      await t.step("CSV: one header line and one line per row", async () => {
        const csvDir = join(root, "csv");
        const csv =
          ConfigSchema.parse({ export: { export_format: "csv", encryption_enabled: false } }).export;
        const run = await runExport({
          db: scratch.db,
          config: csv,
          dataDir,
          target: { kind: "dir", path: csvDir },
        });
        const day = run.days[0];
        const manifest: DayManifest = JSON.parse(await Deno.readTextFile(join(csvDir, day, "manifest.json")));
        strictEqual(manifest.encryption, "none");
        for (const object of manifest.objects) {
          strictEqual(object.key, `${day}/${object.entity}.csv.gz`);
          const text = decoder.decode(
            await openObject(await Deno.readFile(join(csvDir, object.key)), undefined, "test"),
          );
          const lines = text.split("\r\n").filter(Boolean);
          notStrictEqual(lines[0], "", `${object.key} has a header`);
          ok(lines.length >= object.rows + 1, object.key);
        }
      });
    } finally {
      await scratch.dispose();
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: `deno task export --dir runs with the export role's permissions${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const scratch = await exportDatabase(["modbus_tcp_test_data_part1.pcap"]);
    const root = await Deno.makeTempDir({ prefix: "netsentinel-export-cli-" });
    const pglite = (scratch.location as { dataDir: string }).dataDir;
    await scratch.db.close();
    try {
      const dataDir = join(root, "data");
      await Deno.mkdir(dataDir);
      await Deno.rename(pglite, join(dataDir, "pglite"));
      const flags = permissionFlags("export", { dataDir: root, libc: LIBC_PATHS });
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...flags,
          join(REPOSITORY, "main.ts"),
          "export",
          "--dir",
          join(root, "audit"),
          "--data-dir",
          dataDir,
        ],
        cwd: root,
        env: {
          NO_COLOR: "1",
          NETSENTINEL_EXPORT_ENCRYPTION_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(7))),
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      strictEqual(output.code, 0, decoder.decode(output.stderr));
      match(decoder.decode(output.stdout), /Exported 1 day\(s\)/);
      ok(!decoder.decode(output.stdout).includes("BwcH"), "the key is not logged");
      strictEqual((await task(["export:verify", join(root, "audit")])).code, 0);
    } finally {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: `the day tables are the same bytes on PostgreSQL and PGlite${SHARED_PCAPS.note}${POSTGRES.note}`,
  ignore: SHARED_PCAPS.skip || POSTGRES.skip,
  async fn() {
    POSTGRES.check();
    const captures = ["modbus_tcp_test_data_part1.pcap", "dhcp_zeek_dhcp.pcap"];
    const [postgres, pglite] = [await exportDatabase(captures, "postgres"), await exportDatabase(captures)];
    try {
      const today = new Date().toISOString().slice(0, 10);
      const importTime = new RegExp(`${today.slice(0, 4)}-\\d\\d-\\d\\dT[\\d:.]+Z`, "g");
      const days = await daysWithData(pglite.db, null, today);
      deepStrictEqual(await daysWithData(postgres.db, null, today), days);
      ok(days.length >= 2);
      for (const day of days) {
        for (const format of ["json", "csv"] as const) {
          const [a, b] = [
            await readDayTables(postgres.db, day, format),
            await readDayTables(pglite.db, day, format),
          ];
          for (const [index, table] of a.entries()) {
            // identified_at is when the import ran, the only wall-clock time (the captures are years old)
            const [left, right] = [table.bytes, b[index].bytes]
              .map((bytes) => decoder.decode(bytes).replaceAll(importTime, "…"));
            strictEqual(left, right, `${day} ${table.entity}.${format}`);
          }
        }
      }
    } finally {
      await postgres.dispose();
      await pglite.dispose();
    }
  },
});
