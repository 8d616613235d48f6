/**
 * Test helper: runs tshark (the dissection oracle) on generated captures. Not part of the product.
 *
 * Tests that need tshark pass {@linkcode TSHARK}`.skip` as their `ignore` flag and its `note` to
 * the test name, so a machine without it skips them and says so; under `CI=true` they run and
 * {@linkcode tshark} fails them with the reason (see `tests/requirements.ts`).
 *
 * @module
 */

import { Requirement } from "./requirements.ts";

function probe(): boolean {
  try {
    return new Deno.Command("tshark", { args: ["-v"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** tshark, as a test requirement. */
export const TSHARK: Requirement = new Requirement(
  "tshark",
  probe() ? undefined : "tshark is not installed (apt-get install tshark)",
);

/** Preferences that make tshark verify the IPv4, TCP and UDP checksums (ICMP ones are always checked). */
export const CHECKSUM_PREFS: readonly string[] = [
  "-o",
  "ip.check_checksum:TRUE",
  "-o",
  "tcp.check_checksum:TRUE",
  "-o",
  "udp.check_checksum:TRUE",
];

const AGGREGATOR = "\u001f";
const decoder = new TextDecoder();

/**
 * Runs tshark and returns its standard output.
 *
 * @throws {Error} When tshark fails or writes anything to stderr besides its warning about running as root.
 */
export async function tshark(args: readonly string[]): Promise<string> {
  TSHARK.check();
  const { code, stdout, stderr } = await new Deno.Command("tshark", { args: [...args] }).output();
  const errors = decoder.decode(stderr).split("\n").filter((l) =>
    l.trim() !== "" && !/^Running as user/.test(l)
  );
  if (code !== 0 || errors.length > 0) {
    throw new Error(`Cannot run tshark ${args.join(" ")}: exit ${code}: ${errors.join(" | ")}`);
  }
  return decoder.decode(stdout);
}

/**
 * Values of `fields` for every frame (matching `filter`), each field's occurrences split into an array.
 *
 * @param path Capture file.
 * @param fields tshark field names.
 * @param filter Display filter. Default all frames.
 * @param prefs Extra tshark options (e.g. `-o` preferences).
 */
export async function tsharkFields(
  path: string,
  fields: readonly string[],
  filter?: string,
  prefs: readonly string[] = [],
): Promise<string[][][]> {
  const args = ["-r", path, ...prefs, "-T", "fields", "-E", "occurrence=a", "-E", `aggregator=${AGGREGATOR}`];
  if (filter) args.push("-Y", filter);
  for (const f of fields) args.push("-e", f);
  const text = await tshark(args);
  return text.split("\n").filter((line) => line !== "").map((line) =>
    line.split("\t").map((value) => (value === "" ? [] : value.split(AGGREGATOR)))
  );
}

/**
 * Expert infos that signal a problem (severity Warning or Error, group Checksum or Malformed, or a
 * malformed-packet marker), as "frame N: Expert Info (…): message", with checksums verified.
 *
 * @param path Capture file.
 */
export async function expertProblems(path: string): Promise<string[]> {
  const rows = await tsharkFields(
    path,
    ["frame.number", "_ws.expert", "_ws.malformed"],
    undefined,
    CHECKSUM_PREFS,
  );
  const problems: string[] = [];
  for (const [[frame], experts, malformed] of rows) {
    for (const e of experts) {
      if (/\((Warning|Error)\/|\/(Checksum|Malformed)\)/.test(e)) problems.push(`frame ${frame}: ${e}`);
    }
    if (malformed.length > 0) problems.push(`frame ${frame}: malformed ${malformed.join(", ")}`);
  }
  return problems;
}

/** Number of frames tshark reads from a file. */
export async function tsharkFrameCount(path: string): Promise<number> {
  return (await tsharkFields(path, ["frame.number"])).length;
}

/**
 * The bytes tshark found for `fields` in every frame, as lowercase hex (from its PDML output): what a
 * field holds on the wire, before any display rule turns it into text.
 *
 * @param path Capture file.
 * @param fields tshark field names.
 * @returns Per frame, the hex of each occurrence of each field (fields absent from a frame are empty).
 */
export async function tsharkFieldHex(
  path: string,
  fields: readonly string[],
): Promise<Record<string, string[]>[]> {
  const pdml = await tshark(["-r", path, "-T", "pdml"]);
  return pdml.split("<packet>").slice(1).map((packet) => {
    const found: Record<string, string[]> = {};
    for (const field of fields) {
      const pattern = new RegExp(
        `<field name="${field.replaceAll(".", "\\.")}"[^>]*? value="([0-9a-f]*)"`,
        "g",
      );
      found[field] = [...packet.matchAll(pattern)].map((match) => match[1]);
    }
    return found;
  });
}
