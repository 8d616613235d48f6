/**
 * The example configuration cannot drift from the schema: it parses, its values are the defaults,
 * and every key of the schema appears in it (set, or commented out where it has no single
 * default), in its own section, under a comment.
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse as parseToml } from "smol-toml";
import { z, type ZodTypeAny } from "zod";
import { ConfigSchema } from "./schema.ts";

const EXAMPLE = fileURLToPath(new URL("./netsentinel.example.toml", import.meta.url));
const TEXT = await Deno.readTextFile(EXAMPLE);

function unwrap(type: ZodTypeAny): ZodTypeAny {
  while (type instanceof z.ZodDefault || type instanceof z.ZodOptional || type instanceof z.ZodEffects) {
    type = type instanceof z.ZodEffects ? type._def.schema : type._def.innerType;
  }
  return type;
}

/** Section header → keys of that section in the schema (arrays of tables are their own section). */
function schemaSections(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  for (const [section, sectionType] of Object.entries(ConfigSchema.shape)) {
    const shape = (unwrap(sectionType) as z.AnyZodObject).shape as Record<string, ZodTypeAny>;
    const keys: string[] = [];
    for (const [key, keyType] of Object.entries(shape)) {
      const inner = unwrap(keyType);
      if (inner instanceof z.ZodArray && unwrap(inner.element) instanceof z.ZodObject) {
        sections.set(`[[${section}.${key}]]`, Object.keys((unwrap(inner.element) as z.AnyZodObject).shape));
      } else if (inner instanceof z.ZodRecord) {
        sections.set(`[${section}.${key}]`, []);
      } else {
        keys.push(key);
      }
    }
    sections.set(`[${section}]`, keys);
  }
  return sections;
}

const LINES = TEXT.split("\n");
const HEADER = /^#?\s*(\[\[?[a-z_.]+\]\]?)\s*$/;
const KEY = /^#?\s*[a-z_]+\s*=/;

/** Example line numbers per section header (commented-out headers count: `# [dissectors.ports]`). */
function exampleSections(): Map<string, number[]> {
  const sections = new Map<string, number[]>();
  let current: number[] = [];
  LINES.forEach((line, at) => {
    const header = HEADER.exec(line);
    if (header) {
      current = sections.get(header[1]) ?? [];
      sections.set(header[1], current);
    } else {
      current.push(at);
    }
  });
  return sections;
}

Deno.test("the example configuration parses and holds the defaults", () => {
  const parsed = ConfigSchema.safeParse(parseToml(TEXT));
  strictEqual(parsed.success, true, parsed.success ? "" : JSON.stringify(parsed.error.issues[0]));
  deepStrictEqual(parsed.data, ConfigSchema.parse({}));
});

Deno.test("the example configuration shows every key of the schema, each under a comment", () => {
  const example = exampleSections();
  for (const [header, keys] of schemaSections()) {
    const lines = example.get(header);
    strictEqual(lines !== undefined, true, `the example has no ${header} section`);
    for (const key of keys) {
      const at = lines!.find((line) => new RegExp(`^#?\\s*${key}\\s*=`).test(LINES[line]));
      strictEqual(at !== undefined, true, `the example does not show ${header} ${key}`);
      // The comment may sit above a small group of related keys (batch_packets, batch_latency_ms)
      // or above the header of a commented-out block ([[capture.interfaces]]).
      let above = at! - 1;
      while (above >= 0 && (KEY.test(LINES[above]) || HEADER.test(LINES[above]))) above--;
      strictEqual(
        above >= 0 && /^#\s*\S/.test(LINES[above]),
        true,
        `${header} ${key} has no comment above it`,
      );
    }
  }
});
