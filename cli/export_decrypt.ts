/**
 * `deno task export:decrypt FILE [--key KEY]`: the plaintext of one exported object on standard
 * output (decrypted, then decompressed). The key defaults to `NETSENTINEL_EXPORT_ENCRYPTION_KEY`;
 * objects in the age format open with `--identity FILE`.
 *
 * @module
 */

import { openObject } from "../export/open.ts";
import { parseIdentities } from "../export/age.ts";
import { ExportKeyError } from "../export/key.ts";
import { SealError } from "../export/seal.ts";
import { parseCommandArgs } from "./parse.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `export:decrypt`. */
export const EXPORT_DECRYPT_HELP = `Usage: deno task export:decrypt FILE [--key KEY | --identity FILE]

Writes the plaintext of an exported object (YYYY-MM-DD/<entity>.<format>.gz.enc, or .gz.age) to
standard output: decrypted (AES-256-GCM, or age) and decompressed (gzip).

Options:
  --key KEY    the export key: 64 hexadecimal characters or the base64 of 32 bytes
               (default: $NETSENTINEL_EXPORT_ENCRYPTION_KEY)
  --identity FILE
               age identities (AGE-SECRET-KEY-1…, one a line), for objects in the age format (.age)
  -h, --help   show this help`;

/** Runs `export:decrypt`; returns the exit status (0 done, 1 cannot decrypt, 2 bad usage). */
export async function runExportDecrypt(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs("export:decrypt", args, {
      key: { type: "string" },
      identity: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      console.log(EXPORT_DECRYPT_HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError("Cannot decrypt: give one FILE (see export:decrypt --help)");
    }
    const file = positionals[0];
    let keyText = values.key as string | undefined;
    let origin = "--key";
    if (keyText === undefined) {
      try {
        keyText = Deno.env.get("NETSENTINEL_EXPORT_ENCRYPTION_KEY");
      } catch {
        keyText = undefined;
      }
      origin = "NETSENTINEL_EXPORT_ENCRYPTION_KEY";
    }
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await Deno.readFile(file);
    } catch (error) {
      console.error(`netsentinel: Cannot read ${file}: ${(error as Error).message.split("\n")[0]}`);
      return 1;
    }
    let identities: string[] | undefined;
    if (values.identity !== undefined) {
      try {
        identities = parseIdentities(await Deno.readTextFile(values.identity as string));
      } catch (error) {
        console.error(
          `netsentinel: Cannot read the identity file ${values.identity}: ${
            (error as Error).message.split("\n")[0]
          }`,
        );
        return 1;
      }
    }
    let plain: Uint8Array;
    try {
      plain = await openObject(bytes, keyText, origin, identities);
    } catch (error) {
      if (error instanceof SealError || error instanceof ExportKeyError) {
        console.error(
          `netsentinel: Cannot decrypt ${file}: ${error.message.replace(/^Cannot decrypt: /, "")}`,
        );
        return 1;
      }
      if (error instanceof TypeError) {
        console.error(`netsentinel: Cannot decompress ${file}: the gzip data is damaged`);
        return 1;
      }
      throw error;
    }
    const writer = Deno.stdout.writable.getWriter();
    await writer.write(plain);
    await writer.close();
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`netsentinel: ${error.message}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await runExportDecrypt(Deno.args));
