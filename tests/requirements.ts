/**
 * What some tests need from the machine (the shared captures, tshark, PostgreSQL, root with network
 * namespaces), and the one rule for when it is missing:
 *
 * - on a developer's machine, the tests that need it are skipped, and their name says why;
 * - under `CI=true`, nothing is skipped: those tests run and fail with the same reason, so a CI
 *   machine that lost a service or the captures cannot pass by running fewer tests.
 *
 * Each requirement is declared once, beside the helper that uses it (`SHARED_PCAPS` in
 * `shared_pcaps.ts`, `TSHARK` in `tests/tshark_fields.ts`, `NETNS` in `netns.ts`, `POSTGRES` in
 * `storage/_testing.ts`). Tests pass {@linkcode Requirement.skip} as `Deno.test`'s `ignore` and add
 * {@linkcode Requirement.note} to the test name; the helper calls {@linkcode Requirement.check}
 * before it uses the thing, which is where a test under CI fails.
 *
 * @example
 * ```ts ignore
 * import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
 * Deno.test({ name: `reads a capture${SHARED_PCAPS.note}`, ignore: SHARED_PCAPS.skip, async fn() {
 *   await Deno.readFile(sharedCapture("arp.pcap")); // throws the reason when the folder is absent
 * } });
 * ```
 *
 * @module
 */

function ciFromEnvironment(): boolean {
  try {
    return Deno.env.get("CI")?.toLowerCase() === "true";
  } catch {
    return false; // no --allow-env: not a CI run of the test suite
  }
}

/** True under `CI=true`: a missing requirement fails the tests that need it instead of skipping them. */
export const UNDER_CI: boolean = ciFromEnvironment();

/** Something tests need from the machine, and why it is missing (undefined when it is there). */
export class Requirement {
  /** What is needed, e.g. `the shared captures`. */
  readonly what: string;
  /** Why it is missing, e.g. `/work/shared/pcaps is absent`, or undefined when it is there. */
  readonly missing: string | undefined;

  constructor(what: string, missing: string | undefined) {
    this.what = what;
    this.missing = missing;
  }

  /** True when the tests that need it are skipped: it is missing and this is not CI. */
  get skip(): boolean {
    return this.missing !== undefined && !UNDER_CI;
  }

  /** Suffix for the name of a test that needs it: ` (skipped: <why>)` when skipped, else empty. */
  get note(): string {
    return notes(this);
  }

  /**
   * Throws when it is missing, with the reason (and, under CI, that CI must have it).
   *
   * @throws {Error} e.g. `Cannot run this test without the shared captures: /x is absent (CI=true requires them)`
   */
  check(): void {
    if (this.missing === undefined) return;
    const ci = UNDER_CI ? " (CI=true: tests are never skipped, install or start what is missing)" : "";
    throw new Error(`Cannot run this test without ${this.what}: ${this.missing}${ci}`);
  }
}

/** Why the tests that need all of `requirements` are skipped (`reason; reason`), or undefined. */
export function whySkipped(...requirements: Requirement[]): string | undefined {
  const reasons = requirements.filter((requirement) => requirement.skip).map((requirement) =>
    requirement.missing
  );
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}

/** Suffix for the name of a test that needs all of `requirements`: ` (skipped: …)`, or empty. */
export function notes(...requirements: Requirement[]): string {
  const why = whySkipped(...requirements);
  return why === undefined ? "" : ` (skipped: ${why})`;
}
