import { deepStrictEqual, ok } from "node:assert/strict";
import { ConfigSchema } from "./schema.ts";
import { redactedConfig } from "./redact.ts";

Deno.test("redactedConfig() shows every section and no secret", () => {
  const config = ConfigSchema.parse({
    storage: { database_url: "postgres://netsentinel:db-pass-1@db.local:5432/inventory" },
    bus: { redis_url: "redis://:redis-pass-2@cache:6379/0" },
    export: {
      s3_access_key: "AKIA-3",
      s3_secret_key: "secret-4",
      encryption_key: "00".repeat(32),
    },
  });
  const shown = redactedConfig(config) as Record<string, Record<string, unknown>>;
  const text = JSON.stringify(shown);
  for (const secret of ["db-pass-1", "redis-pass-2", "AKIA-3", "secret-4", "00".repeat(32)]) {
    ok(!text.includes(secret), `${secret} is shown: ${text}`);
  }
  deepStrictEqual(Object.keys(shown).sort(), Object.keys(config).sort());
  deepStrictEqual(shown.storage.database_url, "postgres://netsentinel:***@db.local:5432/inventory");
  deepStrictEqual(shown.export.s3_secret_key, "***");
  deepStrictEqual(shown.web.listen, "127.0.0.1:8080");
});
