/**
 * The running configuration as the Settings page shows it: every section, with secrets replaced by
 * `***` — keys naming a secret (`*_secret_key`, `*_access_key`, `encryption_key`, passwords, tokens)
 * and the password part of any URL (`postgres://app:***@db/x`, `redis://:***@cache`).
 *
 * @module
 */

/** Keys whose values are never shown. */
const SECRET_KEY = /(secret|password|passphrase|token|access_key|encryption_key|private_key)/i;

/** `scheme://user:password@host` → `scheme://user:***@host`. */
function maskUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}

function redact(value: unknown, key: string): unknown {
  if (typeof value === "string") {
    if (SECRET_KEY.test(key) && value !== "") return "***";
    return maskUrl(value);
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, redact(inner, name)]));
  }
  return value;
}

/**
 * A deep copy of `config` with its secrets replaced by `***`.
 *
 * @example
 * ```ts
 * import { redactedConfig } from "./redact.ts";
 * import assert from "node:assert/strict";
 *
 * const shown = redactedConfig({ storage: { database_url: "postgres://app:pw@db/x" }, export: { s3_secret_key: "k" } });
 * assert.deepEqual(shown, { storage: { database_url: "postgres://app:***@db/x" }, export: { s3_secret_key: "***" } });
 * ```
 */
export function redactedConfig(config: unknown): unknown {
  return redact(config, "");
}
