/**
 * Flag parsing shared by the subcommands (node:util parseArgs, strict), with errors turned into
 * one-line {@linkcode UsageError}s that name the command.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage_error.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses `args` for `command`; unknown flags and missing values are usage errors. */
export function parseCommandArgs(command: string, args: string[], options: Options): {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    const message = error instanceof Error
      ? error.message.split("\n")[0].split(". To specify")[0]
      : String(error);
    throw new UsageError(
      `Cannot parse the arguments of "${command}": ${message} (see netsentinel ${command} --help)`,
    );
  }
}
