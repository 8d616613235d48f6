/**
 * NetSentinel command line: one entry point, one subcommand per role, each loaded only when it
 * runs (see `cli/commands.ts`).
 *
 * @module
 */

import { COMMANDS, mainHelp } from "./cli/commands.ts";
import { ignoreInspectorSignal, INSPECTOR_SIGNAL_WARNING } from "./cli/inspector_signal.ts";
import { EXIT_USAGE, UsageError } from "./cli/usage_error.ts";
import { PluginError } from "./dissectors/plugin_check.ts";
import { RegistrationError } from "./dissectors/registry.ts";
import { ConfigError } from "./config/load.ts";
import { LiveCaptureError } from "./capture/live/protocol.ts";
import { StorageError } from "./storage/errors.ts";
import { RedisUrlError } from "./bus/redis_url.ts";

/** Runs the CLI and returns its exit status. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    console.log(mainHelp());
    return command === undefined ? EXIT_USAGE : 0;
  }
  const entry = command === "--version" ? COMMANDS.version : COMMANDS[command];
  if (!entry) {
    console.error(
      `netsentinel: Cannot run "${command}": unknown command (commands: ${Object.keys(COMMANDS).join(", ")})`,
    );
    return EXIT_USAGE;
  }
  if (ignoreInspectorSignal() !== "ignored" && entry.longRunning && !rest.includes("--help")) {
    console.error(`netsentinel: ${INSPECTOR_SIGNAL_WARNING}`);
  }
  try {
    const run = await entry.load();
    return await run(rest);
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof PluginError || error instanceof RegistrationError ||
      error instanceof ConfigError
    ) {
      console.error(`netsentinel: ${error.message}`);
      return EXIT_USAGE;
    }
    if (
      error instanceof LiveCaptureError || error instanceof StorageError || error instanceof RedisUrlError
    ) {
      console.error(`netsentinel: ${error.message}`);
      return 1;
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      console.error(`netsentinel: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
