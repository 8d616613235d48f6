/**
 * Report files written all or nothing: each file goes to a temporary name in its own folder and is
 * renamed over its final name only once every file is complete, so a full disk or a write error
 * leaves the folder as it was (no truncated report that looks whole). A file already there is
 * replaced only when the user says so (`--force`): an earlier report is never lost silently.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { TextSink } from "./text_sink.ts";

/** A report that cannot be written; its message is one line for the user. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputError";
  }
}

/** Options of {@linkcode writeFilesAtomically}. */
export interface WriteFilesOptions {
  /** Replace files that already exist (default: refuse). */
  force?: boolean;
}

const REASONS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EIO: "input/output error",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a folder",
  ENOTDIR: "a part of the path is not a folder",
  ENOENT: "no such folder",
  EFBIG: "file too large",
  EPIPE: "the reader closed the pipe",
};

/** The reason of a failed write, in words (e.g. "no space left on device"). */
export function writeFailureReason(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && REASONS[code]) return REASONS[code];
  if (error instanceof Deno.errors.PermissionDenied) return REASONS.EACCES;
  if (error instanceof Deno.errors.NotCapable) return "not allowed by the Deno permissions (--allow-write)";
  if (error instanceof Deno.errors.IsADirectory) return REASONS.EISDIR;
  if (error instanceof Deno.errors.NotFound) return REASONS.ENOENT;
  const message = error instanceof Error ? error.message : String(error);
  // Deno appends "(os error N): op 'path'"; the path is already in our own message.
  return message.split(" (os error")[0].split("\n")[0];
}

/** The path's own entry (`follow`: what a symbolic link points to), or null when there is none. */
async function statOrNull(path: string, follow = false): Promise<Deno.FileInfo | null> {
  try {
    return follow ? await Deno.stat(path) : await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new OutputError(`Cannot write ${path}: ${writeFailureReason(error)}`);
  }
}

/**
 * Checks that `names` can be written into `dir` (a folder, or a path to create), without writing.
 *
 * @throws {OutputError} when `dir` is a file, a name is taken by a folder, or a file exists and
 *   `force` is not set
 */
export async function checkOutputFiles(
  dir: string,
  names: string[],
  options: WriteFilesOptions = {},
): Promise<void> {
  const folder = await statOrNull(dir, true);
  if (folder === null) return;
  if (!folder.isDirectory) {
    throw new OutputError(`Cannot write the report into ${dir}: it is a file, not a folder`);
  }
  const existing: string[] = [];
  for (const name of names) {
    const info = await statOrNull(join(dir, name));
    if (info === null) continue;
    if (!info.isFile) {
      throw new OutputError(`Cannot write ${join(dir, name)}: something other than a file has that name`);
    }
    existing.push(name);
  }
  if (existing.length > 0 && !options.force) {
    const which = existing.length === 1
      ? `${join(dir, existing[0])} already exists`
      : `${existing.join(", ")} already exist in ${dir}`;
    throw new OutputError(
      `Cannot write the report: ${which} (an earlier report?); add --force to replace, or choose another path`,
    );
  }
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // Already gone, or the folder is not empty: nothing of ours is left either way.
  }
}

/** A file's text, or a function that writes it piece by piece (a report of any size). */
export type FileContent = string | ((sink: TextSink) => Promise<void>);

async function writeContent(path: string, content: FileContent): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    const sink = new TextSink(file);
    if (typeof content === "string") await sink.write(content);
    else await content(sink);
    await sink.flush();
  } finally {
    file.close();
  }
}

/**
 * Writes every file of `files` (name → text or writer) into `dir`, creating it if needed, all or nothing.
 *
 * @returns the paths written, in the order of `files`
 * @throws {OutputError} one line naming the file and the reason (e.g. no space left on device);
 *   the folder is then as it was before the call
 */
export async function writeFilesAtomically(
  dir: string,
  files: Record<string, FileContent>,
  options: WriteFilesOptions = {},
): Promise<string[]> {
  const names = Object.keys(files);
  await checkOutputFiles(dir, names, options);
  const created = (await statOrNull(dir, true)) === null;
  if (created) {
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      throw new OutputError(`Cannot create the folder ${dir}: ${writeFailureReason(error)}`);
    }
  }
  const suffix = `.${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.tmp`;
  const temporary = names.map((name) => join(dir, `.${name}${suffix}`));
  let failed = "";
  let renamed = 0;
  try {
    for (let i = 0; i < names.length; i++) {
      failed = join(dir, names[i]);
      await writeContent(temporary[i], files[names[i]]);
    }
    for (; renamed < names.length; renamed++) {
      failed = join(dir, names[renamed]);
      await Deno.rename(temporary[renamed], failed);
    }
  } catch (error) {
    for (const path of temporary.slice(renamed)) await removeQuietly(path);
    if (created && renamed === 0) await removeQuietly(dir);
    const outcome = renamed > 0
      ? `the report in ${dir} is incomplete (written: ${names.slice(0, renamed).join(", ")})`
      : `nothing was written (${created ? "no folder was left behind" : "the folder is as it was"})`;
    throw new OutputError(`Cannot write ${failed}: ${writeFailureReason(error)}; ${outcome}`);
  }
  return names.map((name) => join(dir, name));
}

/**
 * Writes one file all or nothing (a temporary file in the same folder, then a rename).
 *
 * @throws {OutputError} as {@linkcode writeFilesAtomically}
 */
export async function writeFileAtomically(
  path: string,
  text: FileContent,
  options: WriteFilesOptions = {},
): Promise<void> {
  await writeFilesAtomically(dirname(path), { [basename(path)]: text }, options);
}
