/**
 * Loads the configuration: defaults, then the TOML file, then `NETSENTINEL_*` environment
 * variables, then command-line flags (applied by the caller). Every error names the file, the key
 * and the value.
 *
 * Environment overrides: `NETSENTINEL_<SECTION>_<KEY>` sets `[section] key`, e.g.
 * `NETSENTINEL_CAPTURE_FILTER="not port 22"`, `NETSENTINEL_DISSECTORS_WORKERS=2`,
 * `NETSENTINEL_AGGREGATOR_FLUSH_INTERVAL_S=10`. `NETSENTINEL_CAPTURE_INTERFACES=eth0,eth1` sets the
 * interfaces. Values are parsed as TOML values when they can be (numbers, booleans, arrays), else
 * taken as strings.
 *
 * @module
 */

import { parse as parseToml } from "smol-toml";
import type { ZodError } from "zod";
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

function describeZodError(error: ZodError, origin: string): string {
  const issue = error.issues[0];
  const key = issue.path.join(".") || "(root)";
  let detail = issue.message;
  if (issue.code === "unrecognized_keys") {
    detail = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  }
  return `Cannot use the configuration from ${origin}: ${key}: ${detail}`;
}

function envValue(text: string): unknown {
  try {
    return parseToml(`v = ${text}`).v;
  } catch {
    return text;
  }
}

/** The overrides found in `env` (NETSENTINEL_SECTION_KEY=value), as a partial configuration. */
export function environmentOverrides(env: Record<string, string>): Record<string, Record<string, unknown>> {
  const overrides: Record<string, Record<string, unknown>> = {};
  const sections = Object.keys(ConfigSchema.shape);
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("NETSENTINEL_") || name === "NETSENTINEL_CONFIG" || name === "NETSENTINEL_PCAPS") {
      continue;
    }
    const rest = name.slice("NETSENTINEL_".length).toLowerCase();
    const section = sections.find((candidate) => rest.startsWith(`${candidate}_`));
    if (!section) continue;
    const key = rest.slice(section.length + 1);
    let value = envValue(raw);
    if (section === "capture" && key === "interfaces") {
      value = raw.split(",").map((iface) => iface.trim()).filter(Boolean).map((iface) => ({ name: iface }));
    } else if (section === "identify" && key === "allowed_dhcp_servers" && typeof value === "string") {
      value = raw.split(",").map((ip) => ip.trim()).filter(Boolean);
    }
    (overrides[section] ??= {})[key] = value;
  }
  return overrides;
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
      const message = (error as Error).message.split("\n")[0];
      throw new ConfigError(`Cannot parse the configuration file ${file}: ${message}`);
    }
    const checked = ConfigSchema.safeParse(fromFile);
    if (!checked.success) throw new ConfigError(describeZodError(checked.error, file));
  }
  const merged: Record<string, Record<string, unknown>> = {};
  for (const [section, values] of Object.entries(fromFile)) merged[section] = { ...(values as object) };
  for (const [section, values] of Object.entries(environmentOverrides(env))) {
    merged[section] = { ...merged[section], ...values };
  }
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      describeZodError(result.error, file ? `${file} and the environment` : "the environment"),
    );
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
