/**
 * `deno task install --root DIR` gives an installation that systemd accepts and that runs with
 * no network: every unit passes `systemd-analyze verify`, and each unit's exact `ExecStart`, run
 * as the service user in a network namespace of its own (`unshare -n`) with the unit's
 * environment, finds everything in the installed Deno cache. An unedited configuration refuses
 * to start instead of filling the database with the sample.
 *
 * @module
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unitFiles } from "../cli/install_files.ts";
import { installLayout } from "../cli/install_layout.ts";
import { LIBC_PATHS } from "../cli/permissions.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { Requirement } from "./requirements.ts";

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const decoder = new TextDecoder();

function onPath(program: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((folder) => {
    try {
      return Deno.statSync(join(folder, program)).isFile;
    } catch {
      return false;
    }
  });
}

function skipReason(): string | undefined {
  if (Deno.build.os !== "linux") return "skipped: systemd units are for Linux";
  if (Deno.uid() !== 0) return "skipped: installing creates a user and owns folders: needs root";
  for (const program of ["systemd-analyze", "unshare", "setpriv"]) {
    if (!onPath(program)) return `skipped: ${program} is not installed`;
  }
  return undefined;
}

/** Root with systemd-analyze, unshare and setpriv: skipped with the reason locally, failed under CI. */
const INSTALLER = new Requirement("root with systemd-analyze, unshare and setpriv", skipReason());

interface Unit {
  execStart: string[];
  environment: Record<string, string>;
  workingDirectory: string;
  user: string;
  text: string;
}

function parseUnit(text: string): Unit {
  const values = (key: string) =>
    text.split("\n").filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
  return {
    execStart: values("ExecStart")[0].split(" "),
    environment: Object.fromEntries(values("Environment").map((pair) => pair.split(/=(.*)/s).slice(0, 2))),
    workingDirectory: values("WorkingDirectory")[0],
    user: values("User")[0],
    text,
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` as `uid`:`gid`, with no network (a network namespace of its own) and only `env`. */
async function offline(uid: number, gid: number, argv: string[], env: Record<string, string>, cwd: string) {
  const output = await new Deno.Command("unshare", {
    args: [
      ...["-n", "setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "env", "-i"],
      ...Object.entries({ PATH: "/usr/bin:/bin", ...env }).map(([key, value]) => `${key}=${value}`),
      ...argv,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  } satisfies Run;
}

function idOf(root: string, database: string): number {
  const line = Deno.readTextFileSync(join(root, "etc", database)).split("\n")
    .find((entry) => entry.startsWith("netsentinel:"));
  ok(line, `netsentinel in ${root}/etc/${database}`);
  return Number(line.split(":")[2]);
}

Deno.test("the units in systemd/ are those netsentinel install writes for /", async () => {
  const expected = unitFiles(installLayout("/", [LIBC_PATHS[0]]));
  for (const [name, text] of Object.entries(expected)) {
    strictEqual(
      await Deno.readTextFile(join(REPOSITORY, "systemd", name)),
      text,
      `systemd/${name} differs from what cli/install_files.ts writes: regenerate it from unitFiles()`,
    );
  }
  deepStrictEqual(
    [...Deno.readDirSync(join(REPOSITORY, "systemd"))].map((entry) => entry.name).sort(),
    Object.keys(expected).sort(),
  );
});

Deno.test({
  name: `deno task install --root DIR: systemd accepts the units, and they run offline${INSTALLER.note}`,
  ignore: INSTALLER.skip,
  async fn(t) {
    INSTALLER.check();
    const root = await Deno.makeTempDir({ prefix: "netsentinel-install-" });
    await Deno.chmod(root, 0o755); // the service user must be able to reach its files
    try {
      const install = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "install", "--root", root],
        cwd: REPOSITORY,
        stdout: "piped",
        stderr: "piped",
      }).output();
      strictEqual(install.code, 0, decoder.decode(install.stderr));
      const layout = installLayout(root);
      const uid = idOf(root, "passwd");
      const gid = idOf(root, "group");
      const units = Object.fromEntries(
        [...Deno.readDirSync(layout.unitDir)].map((entry) => [
          entry.name,
          parseUnit(Deno.readTextFileSync(join(layout.unitDir, entry.name))),
        ]),
      );
      deepStrictEqual(Object.keys(units).sort(), [
        "netsentinel-aggregator.service",
        "netsentinel-sensor.service",
        "netsentinel.service",
      ]);

      await t.step("systemd-analyze verify: no error, no warning", async () => {
        for (const name of Object.keys(units)) {
          const verify = await new Deno.Command("systemd-analyze", {
            args: ["verify", "--man=no", join(layout.unitDir, name)],
            stdout: "piped",
            stderr: "piped",
          }).output();
          const text = decoder.decode(verify.stdout) + decoder.decode(verify.stderr);
          strictEqual(verify.code, 0, `${name}: ${text}`);
          strictEqual(text, "", name);
        }
      });

      await t.step("the units: CAP_NET_RAW only to capture, reload by SIGHUP, never SIGUSR1", () => {
        for (const [name, unit] of Object.entries(units)) {
          strictEqual(unit.user, "netsentinel");
          match(unit.text, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
          strictEqual(/USR1/.test(unit.text), false, name);
          match(unit.text, /^ProtectSystem=strict$/m);
          match(unit.text, /^RestrictAddressFamilies=.*AF_INET AF_INET6/m);
          const captures = unit.execStart.includes("start") || unit.execStart.includes("sensor");
          strictEqual(/^AmbientCapabilities=CAP_NET_RAW$/m.test(unit.text), captures, name);
          strictEqual(/AF_PACKET/.test(unit.text), captures, name);
        }
        match(units["netsentinel-aggregator.service"].text, /^CapabilityBoundingSet=$/m);
      });

      await t.step("the Deno cache belongs to root: the services cannot change it", () => {
        const info = Deno.statSync(layout.denoDir);
        strictEqual(info.uid, 0);
        strictEqual((info.mode ?? 0) & 0o022, 0);
        strictEqual(Deno.statSync(layout.dataDir).uid, uid);
      });

      await t.step("each unit's ExecStart runs offline as the service user (--help)", async () => {
        for (const [name, unit] of Object.entries(units)) {
          const run = await offline(
            uid,
            gid,
            [...unit.execStart, "--help"],
            unit.environment,
            unit.workingDirectory,
          );
          strictEqual(run.code, 0, `${name}: ${run.stderr}`);
          match(run.stdout, /^Usage: netsentinel (start|sensor|aggregator)/, name);
        }
      });

      await t.step("the unedited configuration refuses to start (no sample in the database)", async () => {
        const unit = units["netsentinel.service"];
        const run = await offline(uid, gid, unit.execStart, unit.environment, unit.workingDirectory);
        strictEqual(run.code, 2, run.stderr);
        strictEqual(
          run.stderr.trim(),
          `netsentinel: Cannot start: no interface to capture in ${layout.configFile}; add ` +
            `[[capture.interfaces]] name = "eth1" there (or give --iface IF), or try the bundled sample ` +
            "with: netsentinel start --demo",
        );
        deepStrictEqual([...Deno.readDirSync(layout.dataDir)], [], "nothing was written");
      });

      await t.step("the netsentinel command migrates the embedded database offline", async () => {
        const run = await offline(uid, gid, [layout.command, "migrate"], {}, layout.dataDir);
        strictEqual(run.code, 0, run.stderr);
        match(
          run.stdout,
          new RegExp(`^Applied \\d+ migrations to ${layout.dataDir}/pglite: 001_inventory.sql`),
        );
      });

      if (!SHARED_PCAPS.skip) {
        await t.step("the netsentinel command analyses a capture offline (sandboxed workers)", async () => {
          const capture = join(root, "capture.pcap");
          await Deno.copyFile(sharedCapture("modbus_tcp_test_data_part1.pcap"), capture);
          await Deno.chmod(capture, 0o644);
          const run = await offline(
            uid,
            gid,
            [layout.command, "analyze", capture, "--json"],
            {},
            layout.dataDir,
          );
          strictEqual(run.code, 0, run.stderr);
          strictEqual(JSON.parse(run.stdout).summary.packets, 118);
        });
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
