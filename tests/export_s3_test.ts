/**
 * The export to a real S3-compatible server (s3rver, behind a gateway that checks Signature V4):
 * objects land, decrypt and decompress to exactly the exported tables, the manifest hashes match,
 * a wrong secret is refused by the server with one clear line, an endpoint outside the allow-list is
 * refused before any connection, and the uploader cannot reach the storage without
 * `--allow-net` for its host.
 *
 * @module
 */

import { deepStrictEqual, match, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigSchema } from "../config/schema.ts";
import { exportDatabase, startTestS3, TEST_EXPORT_KEY } from "../export/_testing.ts";
import { readDayTables } from "../export/day_tables.ts";
import type { DayManifest } from "../export/manifest.ts";
import { sha256Hex } from "../export/objects.ts";
import { openObject } from "../export/open.ts";
import { ResidencyError } from "../export/residency.ts";
import { runExport } from "../export/run.ts";
import { scheduleExport } from "../export/schedule.ts";
import { UploaderError } from "../export/uploader_process.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";

Deno.test({
  name: `export to S3: objects, manifests, signature, residency, permission scope${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn(t) {
    sharedCapture("modbus_tcp_test_data_part1.pcap");
    const s3 = await startTestS3();
    const scratch = await exportDatabase();
    const root = await Deno.makeTempDir({ prefix: "netsentinel-export-s3-" });
    const settings = {
      s3_endpoint: s3.endpoint,
      allowed_endpoints: [s3.host],
      s3_bucket: s3.bucket,
      s3_access_key: s3.accessKey,
      s3_secret_key: s3.secretKey,
      encryption_key: TEST_EXPORT_KEY,
    };
    const config = ConfigSchema.parse({ export: settings }).export;
    const get = async (key: string) => {
      const answer = await s3.client.fetch(`${s3.endpoint}/${s3.bucket}/${key}`);
      strictEqual(answer.status, 200, key);
      return new Uint8Array(await answer.arrayBuffer());
    };
    try {
      const lines: string[] = [];
      const dataDir = join(root, "data");
      const summary = await runExport({
        db: scratch.db,
        config,
        dataDir,
        target: { kind: "s3" },
        log: (line) => lines.push(line),
        retryBaseMs: 10,
      });

      await t.step(
        "objects land and open to exactly the exported tables; manifest hashes match",
        async () => {
          ok(summary.days.length >= 2, `days: ${summary.days}`);
          for (const day of summary.days) {
            const manifest: DayManifest = JSON.parse(
              new TextDecoder().decode(await get(`${day}/manifest.json`)),
            );
            strictEqual(manifest.day, day);
            strictEqual(manifest.partial, false);
            const tables = await readDayTables(scratch.db, day, "json");
            deepStrictEqual(
              manifest.objects.map((object) => object.entity),
              tables.map((table) => table.entity),
            );
            for (const [index, object] of manifest.objects.entries()) {
              strictEqual(object.key, `${day}/${object.entity}.json.gz.enc`);
              const bytes = await get(object.key);
              strictEqual(await sha256Hex(bytes), object.sha256, object.key);
              strictEqual(bytes.length, object.bytes);
              deepStrictEqual(
                await openObject(bytes, TEST_EXPORT_KEY, "test"),
                tables[index].bytes,
                object.key,
              );
            }
          }
        },
      );

      await t.step("the uploader's command line shows its only permission, and holds no secret", () => {
        const line = lines.find((text) => text.includes(" through: "))!;
        match(
          line,
          new RegExp(`deno run --no-prompt --config=\\S+ --allow-net=${s3.host} \\S+uploader\\.ts$`),
        );
        ok(!lines.join("\n").includes(TEST_EXPORT_KEY) && !lines.join("\n").includes(s3.secretKey + " "));
      });

      await t.step("a second run sends no complete day again", async () => {
        const requests = s3.requests;
        const again = await runExport({ db: scratch.db, config, dataDir, target: { kind: "s3" } });
        deepStrictEqual(again.days, []);
        strictEqual(s3.requests, requests);
      });

      await t.step("the appliance's schedule: next run at 02:00 UTC, one run at a time", async () => {
        const results: unknown[] = [];
        const enabled = ConfigSchema.parse({ export: { ...settings, enabled: true } }).export;
        const schedule = scheduleExport({
          db: scratch.db,
          config: enabled,
          dataDir,
          log: () => {},
          onRun: (r) => results.push(r),
        });
        try {
          const next = schedule.next()!;
          strictEqual(next.getUTCHours(), 2);
          strictEqual(next.getUTCMinutes(), 0);
          ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 86_400_000);
          const [first, second] = await Promise.all([schedule.runNow(), schedule.runNow()]);
          strictEqual(first, second, "a run under way is not started twice");
          deepStrictEqual((first as { days: string[] }).days, []);
          strictEqual(results.length, 1);
        } finally {
          schedule.stop();
        }
        strictEqual(scheduleExport({ db: scratch.db, config, dataDir }).next(), null, "disabled: never runs");
      });

      await t.step("a wrong secret is refused by the server, with one clear line", async () => {
        const wrong = ConfigSchema.parse({ export: { ...settings, s3_secret_key: "not-the-secret" } }).export;
        await rejects(
          runExport({ db: scratch.db, config: wrong, dataDir: join(root, "wrong"), target: { kind: "s3" } }),
          (error: Error) => {
            ok(error instanceof UploaderError);
            match(
              error.message,
              /^Cannot upload \d{4}-\d{2}-\d{2}\/devices\.json\.gz\.enc to http:\/\/127\.0\.0\.1:\d+\/netsentinel-export: the storage answered 403 SignatureDoesNotMatch/,
            );
            ok(!error.message.includes("\n") && !error.message.includes("not-the-secret"));
            return true;
          },
        );
      });

      await t.step("an endpoint outside the allow-list is refused before any connection", async () => {
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        let connections = 0;
        const accepting = (async () => {
          for await (const connection of listener) {
            connections++;
            connection.close();
          }
        })();
        const elsewhere = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
        for (
          const endpoint of [elsewhere, "https://s3.us-east-1.amazonaws.com", "http://s3.ca-1.cloud.ovh.net"]
        ) {
          const outside = ConfigSchema.parse({ export: { ...settings, s3_endpoint: endpoint } }).export;
          await rejects(
            runExport({
              db: scratch.db,
              config: outside,
              dataDir: join(root, "outside"),
              target: { kind: "s3" },
            }),
            (error: Error) => {
              ok(error instanceof ResidencyError, String(error));
              match(error.message, /^Cannot export to \S+: /);
              return true;
            },
          );
        }
        listener.close();
        await accepting.catch(() => {});
        strictEqual(connections, 0, "no connection was made");
        const refused =
          ConfigSchema.parse({ export: { ...settings, s3_endpoint: "https://s3.us-east-1.amazonaws.com" } })
            .export;
        await rejects(
          runExport({ db: scratch.db, config: refused, dataDir: root, target: { kind: "s3" } }),
          /^ResidencyError: Cannot export to https:\/\/s3\.us-east-1\.amazonaws\.com: s3\.us-east-1\.amazonaws\.com is not in \[export\] allowed_endpoints/,
        );
      });

      await t.step(
        "deno task export refuses such an endpoint before it connects to anything, the database included",
        async () => {
          const listeners = [
            Deno.listen({ hostname: "127.0.0.1", port: 0 }),
            Deno.listen({ hostname: "127.0.0.1", port: 0 }),
          ];
          let connections = 0;
          const accepting = listeners.map(async (listener) => {
            for await (const connection of listener) {
              connections++;
              connection.close();
            }
          });
          const [storage, database] = listeners.map((listener) => (listener.addr as Deno.NetAddr).port);
          const output = await new Deno.Command(Deno.execPath(), {
            args: ["task", "-q", "export", "--now"],
            cwd: fileURLToPath(new URL("..", import.meta.url)),
            env: {
              NO_COLOR: "1",
              DATABASE_URL: `postgres://postgres@127.0.0.1:${database}/netsentinel`,
              NETSENTINEL_EXPORT_S3_ENDPOINT: `http://127.0.0.1:${storage}`,
              NETSENTINEL_EXPORT_ALLOWED_ENDPOINTS: s3.host,
              NETSENTINEL_EXPORT_S3_BUCKET: s3.bucket,
              NETSENTINEL_EXPORT_S3_ACCESS_KEY: s3.accessKey,
              NETSENTINEL_EXPORT_S3_SECRET_KEY: s3.secretKey,
              NETSENTINEL_EXPORT_ENCRYPTION_KEY: TEST_EXPORT_KEY,
            },
            stdout: "piped",
            stderr: "piped",
          }).output();
          for (const listener of listeners) listener.close();
          await Promise.allSettled(accepting);
          const stderr = new TextDecoder().decode(output.stderr);
          strictEqual(output.code, 1, stderr);
          strictEqual(
            stderr,
            `netsentinel: Cannot export to http://127.0.0.1:${storage}: 127.0.0.1:${storage} is not in [export] allowed_endpoints (${s3.host}); exports stay in the allowed region\n`,
          );
          strictEqual(connections, 0);
        },
      );

      await t.step("the uploader without --allow-net for the storage's host cannot upload", async () => {
        for (const scope of ["127.0.0.1:1", null]) {
          await rejects(
            runExport({
              db: scratch.db,
              config,
              dataDir: join(root, `scope-${scope}`),
              target: { kind: "s3" },
              uploaderScope: scope,
            }),
            (error: Error) => {
              ok(error instanceof UploaderError, String(error));
              match(
                error.message,
                /this process may not connect there \(Requires net access to "127\.0\.0\.1:\d+"/,
              );
              return true;
            },
          );
        }
      });

      await t.step("an unreachable storage is retried with back-off, then one clear line", async () => {
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = (listener.addr as Deno.NetAddr).port;
        listener.close();
        const down = ConfigSchema.parse({
          export: {
            ...settings,
            s3_endpoint: `http://127.0.0.1:${port}`,
            allowed_endpoints: [`127.0.0.1:${port}`],
            upload_attempts: 3,
          },
        }).export;
        await rejects(
          runExport({
            db: scratch.db,
            config: down,
            dataDir: join(root, "down"),
            target: { kind: "s3" },
            retryBaseMs: 5,
          }),
          /after 3 attempts: cannot connect to 127\.0\.0\.1:\d+/,
        );
      });
    } finally {
      await scratch.dispose();
      await s3.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});
