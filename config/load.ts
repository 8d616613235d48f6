/**
 * Loads the configuration: defaults, then the TOML file, then `NETSENTINEL_*` environment
 * variables, then command-line flags (applied by the caller). Every error names the file (or the
 * variable), the key and the problem, on one line, with long values cut.
 *
 * Environment overrides: `NETSENTINEL_<SECTION>_<KEY>` sets `[section] key`, e.g.
 * `NETSENTINEL_CAPTURE_FILTER="not port 22"`, `NETSENTINEL_DISSECTORS_WORKERS=2`,
 * `NETSENTINEL_AGGREGATOR_FLUSH_INTERVAL_S=10`. A value is read as the type the key expects: a
 * text key takes the raw text (`NETSENTINEL_SENSOR_ID=42` is the id "42"), a number key a number,
 * a true/false key `true`/`false` (also 1/0, yes/no, on/off), a list key comma-separated items
 * (`NETSENTINEL_CAPTURE_INTERFACES=eth0,eth1`, or a TOML array `[502, 5020]`), and a table key an
 * inline TOML table (`NETSENTINEL_DISSECTORS_PORTS='{ modbus = { "tcp.port" = [5020] } }'`).
 *
 * @module
 */

import { parse as parseToml } from "smol-toml";
import { z, type ZodError, type ZodTypeAny } from "zod";
import { type Config, ConfigSchema } from "./schema.ts";

/** A configuration that cannot be used. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Default location of the configuration file. */
export const DEFAULT_CONFIG_PATH = "/etc/netsentinel/netsentinel.toml";

/** Longest value or key quoted in an error message. */
const MAX_QUOTED = 80;

/**
 * `text`, or its beginning and its length when it is longer than `max` characters (a 10 MB value
 * must not become a 10 MB error line).
 */
export function cut(text: string, max: number = MAX_QUOTED): string {
  const flat = text.replace(/[\r\n\t]/g, " ");
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${text.length} characters)`;
}

function describeIssue(issue: z.ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => cut(key)).join(", ")}`;
    case "invalid_enum_value":
      return `Invalid enum value. Expected ${issue.options.map((o) => `'${o}'`).join(" | ")}, received '${
        cut(String(issue.received))
      }'`;
    default:
      return cut(issue.message, 300);
  }
}

function describeZodError(error: ZodError, origin: string, variables: Map<string, string>): string {
  const issue = error.issues[0];
  const key = issue.path.join(".") || "(root)";
  const variable = variables.get(issue.path.slice(0, 2).join("."));
  return `Cannot use the configuration from ${origin}: ${key}${variable ? ` (${variable})` : ""}: ${
    describeIssue(issue)
  }`;
}

/** The schema under defaults, optionals and refinements. */
function unwrap(type: ZodTypeAny): ZodTypeAny {
  for (;;) {
    if (type instanceof z.ZodDefault || type instanceof z.ZodOptional || type instanceof z.ZodNullable) {
      type = type._def.innerType;
    } else if (type instanceof z.ZodEffects) {
      type = type._def.schema;
    } else {
      return type;
    }
  }
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** A number written as one (else the text, which the schema then refuses with its type). */
function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(trimmed) ? Number(trimmed) : text;
}

function tomlValue(text: string): unknown {
  try {
    return parseToml(`v = ${text}`).v;
  } catch {
    return text;
  }
}

/** `raw` read as the type `expected` wants (see the module documentation). */
function environmentValue(raw: string, expected: ZodTypeAny | undefined): unknown {
  const type = expected === undefined ? undefined : unwrap(expected);
  if (type instanceof z.ZodNumber) return numberOrText(raw);
  if (type instanceof z.ZodBoolean) {
    const word = raw.trim().toLowerCase();
    return TRUE.has(word) ? true : FALSE.has(word) ? false : raw;
  }
  if (type instanceof z.ZodArray) {
    if (raw.trim().startsWith("[")) return tomlValue(raw);
    const element = unwrap(type.element);
    const items = raw.split(",").map((item) => item.trim()).filter(Boolean);
    if (element instanceof z.ZodObject) return items.map((name) => ({ name }));
    return items.map((item) => environmentValue(item, element));
  }
  if (type instanceof z.ZodRecord || type instanceof z.ZodObject) return tomlValue(raw);
  return raw; // text, a choice, or a key the schema does not know (it will say so)
}

/** The key of a section's schema, if it has one. */
function keySchema(section: string, key: string): ZodTypeAny | undefined {
  const sectionType = unwrap(ConfigSchema.shape[section as keyof typeof ConfigSchema.shape]);
  return sectionType instanceof z.ZodObject ? sectionType.shape[key] : undefined;
}

/** The overrides found in `env`, and the variable behind each `section.key`. */
function readEnvironment(env: Record<string, string>): {
  overrides: Record<string, Record<string, unknown>>;
  variables: Map<string, string>;
} {
  const overrides: Record<string, Record<string, unknown>> = {};
  const variables = new Map<string, string>();
  const sections = Object.keys(ConfigSchema.shape);
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("NETSENTINEL_") || name === "NETSENTINEL_CONFIG" || name === "NETSENTINEL_PCAPS") {
      continue;
    }
    const rest = name.slice("NETSENTINEL_".length).toLowerCase();
    const section = sections.find((candidate) => rest.startsWith(`${candidate}_`));
    if (!section) continue;
    const key = rest.slice(section.length + 1);
    (overrides[section] ??= {})[key] = environmentValue(raw, keySchema(section, key));
    variables.set(`${section}.${key}`, name);
  }
  return { overrides, variables };
}

/** The overrides found in `env` (NETSENTINEL_SECTION_KEY=value), as a partial configuration. */
export function environmentOverrides(env: Record<string, string>): Record<string, Record<string, unknown>> {
  return readEnvironment(env).overrides;
}

function tomlProblem(error: unknown): string {
  const message = cut((error as Error).message.split("\n")[0].replace(/^Invalid TOML document: /, ""), 200);
  const { line, column } = error as { line?: unknown; column?: unknown };
  return typeof line === "number" ? `line ${line}, column ${column}: ${message}` : message;
}

/**
 * Reads and validates the configuration.
 *
 * @param path TOML file; when omitted, `NETSENTINEL_CONFIG` or nothing (defaults only)
 * @param env environment variables (default: the process environment, if readable)
 * @throws {ConfigError} naming the file, key and value of the first problem
 */
export async function loadConfig(path?: string, env: Record<string, string> = readEnv()): Promise<Config> {
  const file = path ?? env.NETSENTINEL_CONFIG;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
      throw new ConfigError(`Cannot read the configuration file ${file}: ${reason}`);
    }
    try {
      fromFile = parseToml(text);
    } catch (error) {
      throw new ConfigError(`Cannot parse the configuration file ${file}: ${tomlProblem(error)}`);
    }
    const checked = ConfigSchema.safeParse(fromFile);
    if (!checked.success) throw new ConfigError(describeZodError(checked.error, file, new Map()));
  }
  const { overrides, variables } = readEnvironment(env);
  const merged: Record<string, Record<string, unknown>> = {};
  for (const [section, values] of Object.entries(fromFile)) merged[section] = { ...(values as object) };
  for (const [section, values] of Object.entries(overrides)) {
    merged[section] = { ...merged[section], ...values };
  }
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const origin = file ? `${file} and the environment` : "the environment";
    throw new ConfigError(describeZodError(result.error, origin, variables));
  }
  return result.data;
}

function readEnv(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}
