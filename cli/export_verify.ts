/**
 * `deno task export:verify DIR [--public-key FILE]`: checks an export folder (evidence signature,
 * manifest and object SHA-256); status 1 on any mismatch.
 *
 * @module
 */

import { verifyExportFolder } from "../export/verify.ts";
import { parseCommandArgs } from "./parse.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `export:verify`. */
export const EXPORT_VERIFY_HELP = `Usage: deno task export:verify DIR [--public-key FILE]

Checks an export folder made by "export --dir": the Ed25519 signature of evidence.json, the SHA-256
of each day's manifest against it, and the size and SHA-256 of every object against its manifest.
Needs no encryption key. Exits with status 1 on any mismatch, missing or unlisted file.

Options:
  --public-key FILE   the signer's public key (PEM), handed over apart
                      (default: DIR/evidence-public-key.pem)
  -h, --help          show this help`;

/** Runs `export:verify`; returns the exit status (0 verified, 1 mismatch, 2 bad usage). */
export async function runExportVerify(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs("export:verify", args, {
      "public-key": { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      console.log(EXPORT_VERIFY_HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError("Cannot verify: give one DIR (see export:verify --help)");
    }
    const dir = positionals[0];
    try {
      if (!Deno.statSync(dir).isDirectory) throw new Error("not a folder");
    } catch (error) {
      console.error(`netsentinel: Cannot verify ${dir}: ${(error as Error).message.split("\n")[0]}`);
      return 1;
    }
    const report = await verifyExportFolder(dir, values["public-key"] as string | undefined);
    for (const problem of report.problems) console.error(`MISMATCH ${problem}`);
    if (report.problems.length > 0) {
      console.error(`netsentinel: ${dir} does not verify: ${report.problems.length} problem(s)`);
      return 1;
    }
    console.log(`${dir}: verified (signature, ${report.days} day manifest(s), ${report.objects} objects)`);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`netsentinel: ${error.message}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await runExportVerify(Deno.args));
