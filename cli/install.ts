/**
 * `netsentinel install [--root DIR]` (`deno task install`): installs the appliance as systemd
 * services, run as root from a checkout of the repository. Everything a service needs is put in
 * place now, so that it starts with no network and no Deno elsewhere: the code, a copy of the
 * Deno binary, the npm packages in a Deno cache of its own (`DENO_DIR`), the service user, the
 * data folder, the configuration (kept when it exists), the units and the `netsentinel`
 * command. It starts nothing: the configuration must name the interfaces first.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { commandScript, SERVICE_ROLES, sysusersText, unitFiles } from "./install_files.ts";
import { type InstallLayout, installLayout } from "./install_layout.ts";
import {
  copyCode,
  copyDeno,
  createServiceUser,
  currentNpmCache,
  inside,
  InstallError,
  prepareDataDir,
  run,
  seedNpmCache,
} from "./install_steps.ts";
import { parseCommandArgs } from "./parse.ts";
import { EXIT_INPUT, UsageError } from "./usage_error.ts";

/** Help text of `install`. */
export const INSTALL_HELP = `Usage: deno task install [--root DIR]     (netsentinel install [--root DIR])

Installs NetSentinel as systemd services. Run it as root from a checkout of the repository, with
access to the npm registry (or with the packages already in your Deno cache); the services then
need neither the network nor this checkout:

  /opt/netsentinel/app/          the code (copied from this checkout)
  /opt/netsentinel/bin/deno      the Deno binary (copied from the one running this command)
  /opt/netsentinel/deno-dir/     the npm packages (DENO_DIR of the services, read-only for them)
  /etc/netsentinel/netsentinel.toml      the configuration (from the example; kept if present)
  /var/lib/netsentinel/          the data folder, owned by the system user netsentinel
  /etc/systemd/system/netsentinel.service             all-in-one appliance (capture + database)
  /etc/systemd/system/netsentinel-sensor.service      sensor publishing to Redis
  /etc/systemd/system/netsentinel-aggregator.service  aggregator from Redis to the database
  /usr/local/bin/netsentinel     the command (status, migrate, interfaces, … of the installation)

It enables and starts nothing. Then: name the interfaces in the configuration, and
  systemctl daemon-reload && systemctl enable --now netsentinel

Options:
  --root DIR        install everything under DIR instead of / (the files name the paths under
                    DIR, so that the installation can be tried there); the user is created in
                    DIR/etc/passwd
  -h, --help        show this help`;

/** The repository this command runs from. */
const SOURCE = dirname(dirname(fileURLToPath(import.meta.url)));

function say(line: string): void {
  console.error(`netsentinel: ${line}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function writeFile(path: string, text: string, mode: number): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await Deno.writeTextFile(path, text, { mode });
  await Deno.chmod(path, mode);
}

/** Fills the installation's Deno cache: what the installer's cache has, then the registry. */
async function fillCache(layout: InstallLayout): Promise<void> {
  const npmCache = await currentNpmCache(layout.deno);
  const copied = npmCache
    ? await seedNpmCache(npmCache, layout.denoDir, join(layout.appDir, "deno.lock"))
    : 0;
  say(`npm packages: ${copied} copied from ${npmCache ?? "(no cache)"}; fetching what is missing`);
  await run(layout.deno, [
    "cache",
    "--frozen",
    "--config",
    join(layout.appDir, "deno.json"),
    join(layout.appDir, "main.ts"),
  ], { DENO_DIR: layout.denoDir, DENO_NO_UPDATE_CHECK: "1" });
}

async function install(layout: InstallLayout): Promise<void> {
  if (inside(SOURCE, layout.appDir) !== undefined || inside(layout.appDir, SOURCE) !== undefined) {
    throw new InstallError(
      `Cannot install from ${SOURCE} into ${layout.appDir}: run the install from a checkout elsewhere`,
    );
  }
  const files = await copyCode(SOURCE, layout.appDir);
  say(`copied ${files} files of ${SOURCE} to ${layout.appDir}`);
  const deno = await copyDeno(layout.deno);
  say(`copied Deno ${Deno.version.deno} (${deno}) to ${layout.deno}`);
  await Deno.mkdir(layout.denoDir, { recursive: true, mode: 0o755 });
  await fillCache(layout);
  await writeFile(layout.sysusersFile, sysusersText(layout), 0o644);
  await createServiceUser(layout);
  await prepareDataDir(layout);
  say(`data folder ${layout.dataDir}, owned by the user netsentinel`);
  if (await exists(layout.configFile)) {
    say(`kept the configuration ${layout.configFile}`);
  } else {
    const example = await Deno.readTextFile(join(SOURCE, "config", "netsentinel.example.toml"));
    await writeFile(layout.configFile, example, 0o644);
    say(`wrote the configuration ${layout.configFile}: name the interfaces to capture in it`);
  }
  for (const [name, text] of Object.entries(unitFiles(layout))) {
    await writeFile(join(layout.unitDir, name), text, 0o644);
  }
  say(`wrote ${SERVICE_ROLES.map((role) => join(layout.unitDir, role.unit)).join(", ")}`);
  await writeFile(layout.command, commandScript(layout), 0o755);
  say(`wrote the command ${layout.command}`);
  if (layout.root === "/" && (await exists("/run/systemd/system"))) {
    await run("systemctl", ["daemon-reload"]);
  }
  say(
    `installed. Next: add [[capture.interfaces]] to ${layout.configFile}, then ` +
      "systemctl daemon-reload && systemctl enable --now netsentinel",
  );
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/** Runs `install` and returns the exit status. */
export async function runInstall(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("install", args, {
    root: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(INSTALL_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `Cannot install: unexpected argument "${positionals[0]}" (see netsentinel install --help)`,
    );
  }
  if (!isRoot()) {
    throw new UsageError("Cannot install: run it as root (sudo deno task install), it creates a system user");
  }
  const layout = installLayout((values.root as string | undefined) ?? "/");
  try {
    await install(layout);
    return 0;
  } catch (error) {
    if (error instanceof InstallError) {
      say(error.message);
      return EXIT_INPUT;
    }
    throw error;
  }
}
