/**
 * Headless Chromium for the browser tests: Debian's `/usr/bin/chromium` driven by playwright-core,
 * with a fresh profile per launch and everything that would reach the network at start turned off.
 * {@linkcode CHROMIUM} is the test requirement (skipped locally, failing under CI when absent).
 *
 * @module
 */

import { chromium } from "playwright-core";
import type { BrowserContext, BrowserContextOptions } from "playwright-core";
import { Requirement } from "./requirements.ts";

/** Where Debian installs Chromium (`apt-get install chromium`). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

function whyMissing(): string | undefined {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile ? undefined : `${CHROMIUM_PATH} is not a file`;
  } catch {
    return `${CHROMIUM_PATH} is absent (apt-get install chromium)`;
  }
}

/** Chromium, as a test requirement. */
export const CHROMIUM: Requirement = new Requirement("Chromium", whyMissing());

/** A browser with its own profile; `close()` ends it and deletes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh profile. */
export async function launchChromium(options: BrowserContextOptions = {}): Promise<TestBrowser> {
  CHROMIUM.check();
  const profile = await Deno.makeTempDir({ prefix: "netsentinel-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    viewport: { width: 1440, height: 900 },
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
