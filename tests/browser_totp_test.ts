/// <reference lib="dom" />
/**
 * The second factor in headless Chromium, on the appliance as a user starts it with
 * `[web] require_totp_for_admins` (`NETSENTINEL_WEB_REQUIRE_TOTP_FOR_ADMINS=true`): the first admin
 * signs in with the one-time password, changes it, is sent to the TOTP set-up before any page,
 * enables it with a code computed from the secret the page shows (RFC 6238, as an authenticator app
 * does), then signs out; signing in again asks for the code, refuses a wrong one and the spent
 * enabling code, and lets the next one in.
 *
 * @module
 */

import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { REPOSITORY, startAppliance } from "./_appliance.ts";
import { CHROMIUM, launchChromium } from "./chromium.ts";
import { notes, whySkipped } from "./requirements.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { totpCode } from "../web/auth/totp.ts";

const PASSWORD = "a-new-admin-password-43";

Deno.test({
  name: `an admin must set up TOTP, then signs in with it${notes(CHROMIUM, SHARED_PCAPS)}`,
  ignore: whySkipped(CHROMIUM, SHARED_PCAPS) !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    SHARED_PCAPS.check();
    const dataDir = `data/.test-totp-${Deno.pid}`;
    const app = await startAppliance(
      ["--data-dir", dataDir, "--pcap", sharedCapture("modbus_tcp_test_data_part1.pcap")],
      { NETSENTINEL_WEB_REQUIRE_TOTP_FOR_ADMINS: "true" },
    );
    const browser = await launchChromium();
    try {
      const base = app.base;
      const page = await browser.context.newPage();
      page.setDefaultTimeout(10_000);
      let secret = "";

      await t.step(
        "first sign-in, forced password change, then the TOTP set-up before any page",
        async () => {
          await page.goto(`${base}/login`);
          await page.fill("input[name=username]", "admin");
          await page.fill("input[name=password]", app.password);
          await page.click("button[type=submit].primary");
          await page.waitForURL(`${base}/password`);
          await page.fill("input[name=current_password]", app.password);
          await page.fill("input[name=new_password]", PASSWORD);
          await page.fill("input[name=confirm_password]", PASSWORD);
          await page.click("button[type=submit].primary");
          await page.waitForURL(`${base}/totp`);
          await page.goto(`${base}/devices`);
          strictEqual(new URL(page.url()).pathname, "/totp", "no page before the second factor");
        },
      );

      await t.step("a wrong code is refused; the code of the shown secret enables it", async () => {
        await page.click("#totp-setup button[type=submit]");
        secret = (await page.textContent("#totp-secret"))!.trim();
        ok(/^[A-Z2-7]{16,}$/.test(secret), `a base32 secret: ${secret}`);
        await page.fill("#totp-enable input[name=code]", "000000" === totpCode(secret) ? "111111" : "000000");
        await page.click("#totp-enable button[type=submit]");
        await page.waitForSelector("[role=alert]");
        await page.fill("#totp-enable input[name=code]", totpCode(secret));
        await page.click("#totp-enable button[type=submit]");
        await page.waitForURL(`${base}/`);
        await page.goto(`${base}/devices`);
        strictEqual(new URL(page.url()).pathname, "/devices");
      });

      await t.step(
        "signing in again asks for the code, refuses a wrong one, accepts the right one",
        async () => {
          await browser.context.clearCookies();
          await page.goto(`${base}/login`);
          await page.fill("input[name=username]", "admin");
          await page.fill("input[name=password]", PASSWORD);
          await page.click("button[type=submit].primary");
          await page.waitForSelector("input[name=totp]");
          const wrong = totpCode(secret) === "123456" ? "654321" : "123456";
          await page.fill("input[name=totp]", wrong);
          await page.fill("input[name=password]", PASSWORD);
          await page.click("button[type=submit].primary");
          await page.waitForSelector("#login-error");
          strictEqual(new URL(page.url()).pathname, "/login");
          // The enabling code is spent: it is refused, the next one signs in (RFC 6238 §5.2).
          await page.fill("input[name=password]", PASSWORD);
          await page.fill("input[name=totp]", totpCode(secret));
          await page.click("button[type=submit].primary");
          await page.waitForSelector("#login-error");
          ok((await page.textContent("#login-error"))!.includes("used already"));
          await page.fill("input[name=password]", PASSWORD);
          await page.fill("input[name=totp]", totpCode(secret, Date.now() + 30_000));
          await page.click("button[type=submit].primary");
          await page.waitForURL(`${base}/`);
          ok(await page.locator("[data-kpi=devices]").count() > 0, "the dashboard");
        },
      );
    } finally {
      await browser.close();
      strictEqual(await app.stop(), 0, app.lines.join("\n"));
      await Deno.remove(join(REPOSITORY, dataDir), { recursive: true });
    }
  },
});
