/**
 * Starts the uploader (uploader.ts) as a child Deno process whose only permission is
 * `--allow-net=<endpoint host:port>`, and feeds it. Its command line shows the scope, e.g.
 * `deno run --no-prompt --config=…/deno.json --allow-net=s3.ca-1.cloud.ovh.net:443 …/export/uploader.ts`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { writeFrame } from "./frames.ts";
import type { DayUploaded, UploaderFrame } from "./uploader_job.ts";

/** The uploader failed; its message is the uploader's one line. */
export class UploaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploaderError";
  }
}

const UPLOADER = fileURLToPath(new URL("./uploader.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** Variables Deno itself needs to find its module cache (the uploader cannot read them). */
const PASSED_ENV = ["DENO_DIR", "HOME", "XDG_CACHE_HOME", "PATH", "NO_COLOR", "DENO_NO_UPDATE_CHECK"];

/**
 * The uploader's `deno` arguments.
 *
 * @param scope the `--allow-net` value (`host:port`); null: no network permission at all
 */
export function uploaderArgs(scope: string | null): string[] {
  return [
    "run",
    "--no-prompt",
    `--config=${CONFIG}`,
    ...(scope === null ? [] : [`--allow-net=${scope}`]),
    UPLOADER,
  ];
}

function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    try {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    } catch {
      // not readable here: Deno finds its cache without it
    }
  }
  return env;
}

/** A running uploader: send it frames, then `finish()`. */
export interface Uploader {
  /** The full command line, for logs (holds no secret). */
  readonly commandLine: string;
  /** True once it stopped reading (it failed: `finish()` says why). */
  readonly stopped: boolean;
  send(meta: UploaderFrame, payload?: Uint8Array): Promise<void>;
  /**
   * Closes its input and waits for it.
   *
   * @returns the days it uploaded
   * @throws {UploaderError} with its one-line message when it failed
   */
  finish(): Promise<DayUploaded[]>;
}

/** Starts the uploader with `--allow-net=<scope>` (null: none, to prove the scope in a test). */
export function startUploader(scope: string | null): Uploader {
  const args = uploaderArgs(scope);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    clearEnv: true,
    env: childEnv(),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const output = child.output();
  let broken: unknown;
  return {
    commandLine: [Deno.execPath(), ...args].join(" "),
    get stopped() {
      return broken !== undefined;
    },
    async send(meta, payload) {
      if (broken) return; // it stopped: finish() reports why
      try {
        await writeFrame(writer, meta, payload);
      } catch (error) {
        broken = error;
      }
    },
    async finish() {
      await writer.close().catch(() => {});
      const { code, stdout, stderr } = await output;
      const lines = new TextDecoder().decode(stdout).split("\n").filter((line) => line.startsWith("{"));
      if (code !== 0) {
        const reason = new TextDecoder().decode(stderr).trim().split("\n").filter(Boolean).at(-1);
        throw new UploaderError(reason ?? `the uploader stopped with status ${code}`);
      }
      return lines.map((line) => JSON.parse(line) as DayUploaded);
    },
  };
}
