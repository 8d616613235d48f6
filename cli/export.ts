/**
 * `netsentinel export [--now] [--dir PATH]`: the encrypted daily export of the stored inventory.
 * Without flags it runs as a service, on `[export] schedule`; `--now` exports once to the object
 * storage, `--dir PATH` once to a folder (with the signed evidence bundle).
 *
 * @module
 */

import { loadConfig } from "../config/load.ts";
import { openDatabase } from "../storage/database.ts";
import { StorageError } from "../storage/errors.ts";
import { checkExportSettings, ExportError, runExport } from "../export/run.ts";
import { ResidencyError } from "../export/residency.ts";
import { ExportKeyError } from "../export/key.ts";
import { UploaderError } from "../export/uploader_process.ts";
import { scheduleExport } from "../export/schedule.ts";
import { DATA_DIR_OPTION, dataDirHelp, placeState, resolveDataDir } from "./data_dir.ts";
import { parseCommandArgs } from "./parse.ts";

/** Help text of `export`. */
export const EXPORT_HELP = `Usage: netsentinel export [--now] [--dir PATH] [--config FILE] [--data-dir DIR]

Exports each day's devices, IP addresses, identity attributes, classification, OT assets, flows,
events and alerts (JSON or CSV, gzip, AES-256-GCM) to S3-compatible object storage: objects
YYYY-MM-DD/<entity>.<format>.gz.enc and a manifest per day with the SHA-256 of every object. Each run
sends the days not sent yet, and today as a partial day. The endpoint must be in [export]
allowed_endpoints (residency); uploads run in a separate process allowed to reach that host only.

Without --now or --dir, runs as a service and exports on [export] schedule (cron, UTC).

Options:
  --now             export once, now, to the object storage, and exit
  --dir PATH        export once to the folder PATH instead (air-gapped audits): the same objects and
                    manifests, plus evidence.json signed with Ed25519 and the public key next to it
  --config FILE     configuration file (default: $NETSENTINEL_CONFIG, else built-in defaults)
${dataDirHelp(18)}
  -h, --help        show this help

Check a folder with "deno task export:verify DIR"; read an object with "deno task export:decrypt FILE".`;

const KNOWN = [ExportError, ResidencyError, ExportKeyError, UploaderError, StorageError];

/** Runs `export` and returns its exit status: 0 done, 1 the export failed. */
export async function runExportCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs("export", args, {
    now: { type: "boolean" },
    dir: { type: "string" },
    config: { type: "string" },
    ...DATA_DIR_OPTION,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  const dataDir = resolveDataDir(values["data-dir"]);
  const config = placeState(await loadConfig(values.config as string | undefined), dataDir);
  const dir = values.dir as string | undefined;
  try {
    if (!dir && values.now !== true && !config.export.enabled) {
      throw new ExportError(
        "Cannot run the scheduled export: [export] enabled is false (set it, or run once with --now or --dir PATH)",
      );
    }
    const target = dir ? { kind: "dir" as const, path: dir } : { kind: "s3" as const };
    checkExportSettings(config.export, target); // before any connection, the database's too
    const url = Deno.env.get("DATABASE_URL") ?? config.storage.database_url;
    const db = await openDatabase({ url: url || undefined, dataDir: config.storage.data_dir });
    try {
      if (dir || values.now === true) {
        const summary = await runExport({
          db,
          config: config.export,
          dataDir,
          target,
          log: (line) => console.log(line),
        });
        console.log(
          `Exported ${summary.days.length} day(s), ${summary.objects} objects, ${summary.bytes} bytes to ${summary.target}`,
        );
        return 0;
      }
      const schedule = scheduleExport({ db, config: config.export, dataDir });
      console.log(
        `Export scheduled (${config.export.schedule}, UTC); next run ${schedule.next()?.toISOString()}`,
      );
      await new Promise<void>((resolve) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => resolve());
      });
      schedule.stop();
      return 0;
    } finally {
      await db.close();
    }
  } catch (error) {
    if (!KNOWN.some((kind) => error instanceof kind)) throw error;
    console.error(`netsentinel: ${(error as Error).message}`);
    return 1;
  }
}
