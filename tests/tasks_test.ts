/**
 * Every operation is a `deno task` that answers `--help`, with the permissions of its role, and
 * each command loads only the modules it uses.
 *
 * @module
 */

import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../cli/commands.ts";
import { PERMISSION_COMMANDS, permissionFlags, REPOSITORY_PATHS } from "../cli/permissions.ts";

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const decoder = new TextDecoder();

async function denoTask(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: REPOSITORY,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

interface DenoJson {
  tasks: Record<string, string | { command: string; description?: string }>;
}

const denoJson: DenoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));

Deno.test("every operation is a deno task, and each answers --help with its usage", async (t) => {
  deepStrictEqual([...PERMISSION_COMMANDS].sort(), Object.keys(COMMANDS).sort());
  for (const command of PERMISSION_COMMANDS) {
    await t.step(`deno task ${command} --help`, async () => {
      const result = await denoTask([command, "--help"]);
      strictEqual(result.code, 0, `${command}: ${result.stderr}`);
      match(result.stdout, new RegExp(`^Usage: (deno task|netsentinel) ${command}\\b`));
      strictEqual(result.stderr, "", `${command} --help prints nothing on stderr`);
    });
  }
});

Deno.test("deno.json runs each command with the permissions of its role (cli/permissions.ts)", () => {
  for (const command of PERMISSION_COMMANDS) {
    const task = denoJson.tasks[command];
    const line = typeof task === "string" ? task : task.command;
    strictEqual(
      line,
      ["deno run", ...permissionFlags(command, REPOSITORY_PATHS), "main.ts", command].join(" "),
      `task ${command}`,
    );
    if (typeof task !== "string") strictEqual(task.description, COMMANDS[command].summary);
  }
  // Only the capture roles may load any library (libpcap); the others only the C library.
  for (const command of ["aggregator", "migrate", "status", "sample"]) {
    const flags = permissionFlags(command, REPOSITORY_PATHS);
    strictEqual(flags.includes("--allow-ffi"), false, command);
    strictEqual(flags.some((flag) => flag.startsWith("--allow-ffi=/")), true, command);
  }
  strictEqual(
    permissionFlags("status", REPOSITORY_PATHS).some((flag) => /^--allow-(net|write)/.test(flag)),
    false,
  );
});

Deno.test("main.ts --help lists each command once", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", fileURLToPath(new URL("../main.ts", import.meta.url)), "--help"],
    stdout: "piped",
  }).output();
  strictEqual(output.code, 0);
  const text = decoder.decode(output.stdout);
  const listed = text.slice(text.indexOf("Commands:")).split("\n").slice(1)
    .map((line) => /^ {2}(\S+)\s/.exec(line)?.[1]).filter((name) => name !== undefined);
  deepStrictEqual(listed, Object.keys(COMMANDS));
});

/** The modules `deno info` says a command's module pulls in through static imports. */
async function staticClosure(entries: string[]): Promise<Set<string>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", fileURLToPath(new URL("../main.ts", import.meta.url))],
    stdout: "piped",
  }).output();
  const graph = JSON.parse(decoder.decode(output.stdout)) as {
    modules: { specifier: string; dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[] }[];
    redirects: Record<string, string>;
  };
  const modules = new Map(graph.modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const stack = entries.map((entry) => new URL(entry, import.meta.url).href);
  while (stack.length > 0) {
    const specifier = stack.pop()!;
    const resolved = graph.redirects[specifier] ?? specifier;
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    for (const dependency of modules.get(resolved)?.dependencies ?? []) {
      if (!dependency.isDynamic && dependency.code) stack.push(dependency.code.specifier);
    }
  }
  return seen;
}

function npmPackages(modules: Set<string>): string[] {
  return [...modules].filter((specifier) => specifier.startsWith("npm:"))
    .map((specifier) => specifier.replace(/^npm:\/?/, "").replace(/@[^@]+$/, "")).sort();
}

/** The project's modules among `modules`, as paths from the repository root. */
function localModules(modules: Set<string>): string[] {
  const root = new URL("..", import.meta.url).href;
  return [...modules].filter((specifier) => specifier.startsWith(root)).map((s) => s.slice(root.length));
}

/** The modules that open a database or talk to Redis (they load PGlite, postgres.js, the Redis client). */
const DATABASE = ["storage/database.ts", "storage/pglite.ts", "storage/postgres.ts"];
const REDIS = ["bus/redis_bus.ts", "bus/redis_link.ts"];

function without(modules: string[], forbidden: string[]): string[] {
  return modules.filter((module) => forbidden.includes(module));
}

Deno.test("a command loads only what its role uses (dynamic import per command)", async () => {
  const main = ["../main.ts"];
  deepStrictEqual(npmPackages(await staticClosure(main)), ["smol-toml", "zod"], "main.ts alone");
  for (const command of ["status", "interfaces"]) {
    const modules = await staticClosure([...main, `../cli/${command}.ts`]);
    deepStrictEqual(npmPackages(modules), ["smol-toml", "zod"], command);
    deepStrictEqual(without(localModules(modules), [...DATABASE, ...REDIS]), [], command);
  }
  const sensor = await staticClosure([...main, "../cli/sensor.ts"]);
  deepStrictEqual(without(localModules(sensor), DATABASE), [], "the sensor has no database");
  strictEqual(npmPackages(sensor).includes("redis"), true, "the sensor publishes to Redis");
  const migrate = await staticClosure([...main, "../cli/migrate.ts"]);
  deepStrictEqual(without(localModules(migrate), REDIS), [], "migrate does not talk to Redis");
  strictEqual(localModules(migrate).includes("storage/database.ts"), true);
  const analyze = await staticClosure([...main, "../cli/analyze.ts"]);
  deepStrictEqual(without(localModules(analyze), [...DATABASE, ...REDIS]), [], "analyze keeps nothing");
  const exporter = await staticClosure([...main, "../cli/export.ts"]);
  deepStrictEqual(without(localModules(exporter), REDIS), [], "export does not talk to Redis");
  deepStrictEqual(
    localModules(exporter).filter((module) => module.startsWith("web/")),
    [],
    "nor load the web app",
  );
});
