/// <reference lib="dom" />
/**
 * The web UI in headless Chromium, against the appliance as a user runs it (`deno task start --pcap`
 * of shared captures, on a data folder of its own): first start (the admin's one-time password), sign in,
 * the forced password change, the dashboard's charts, filtering the devices, opening and renaming
 * one, the change in the audit log; every page in both languages and themes, without JavaScript,
 * and the weight of the JavaScript a page loads. Screenshots of each page go to
 * `bench/out/screenshots/` (not committed).
 *
 * Upload and live-event steps need the server's `/api/v1/captures` and `/api/v1/ws/live`: they are
 * skipped, saying so, only while those routes answer 404.
 *
 * @module
 */

import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPOSITORY, startAppliance } from "./_appliance.ts";
import { CHROMIUM, launchChromium } from "./chromium.ts";
import { notes, whySkipped } from "./requirements.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";

/** Where the screenshots go. */
const SCREENSHOTS = join(import.meta.dirname!, "..", "bench", "out", "screenshots");

/** Captures of the fixture: DHCP leases, S7 (an OT asset), VLANs with CDP. */
const CAPTURES = [
  "dhcp_zeek_dhcp.pcap",
  "s7comm_reading_plc_status.pcap",
  "vlan_8021q_and_double_tag_cdp.pcap",
];
const NEW_PASSWORD = "a-new-admin-password-42";
const NEW_NAME = "Line 3 PLC (renamed in the browser)";

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Waits for the bandwidth chart to draw bars taller than zero (frappe draws empty, then the data). */
async function drawnBars(page: Page): Promise<number> {
  const tall = () =>
    [...document.querySelectorAll("[data-chart=series] svg rect.bar")]
      .filter((bar) => Number(bar.getAttribute("height")) > 0).length;
  await page.waitForFunction(tall);
  return await page.evaluate(tall);
}

async function routeMissing(base: string, method: string, path: string, cookie: string): Promise<boolean> {
  const answer = await fetch(`${base}${path}`, { method, headers: { cookie, origin: base } });
  const text = await answer.text();
  return answer.status === 404 && text.includes("no such route");
}

Deno.test({
  name: `the web UI in Chromium: first start to the audit log${notes(CHROMIUM, SHARED_PCAPS)}`,
  ignore: whySkipped(CHROMIUM, SHARED_PCAPS) !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    SHARED_PCAPS.check();
    sharedCapture(CAPTURES[0]);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    // The appliance as a user starts it (`deno task start --pcap …`), on a data folder of its own.
    const dataDir = `data/.test-browser-${Deno.pid}`;
    const app = await startAppliance([
      "--data-dir",
      dataDir,
      ...CAPTURES.flatMap((name) => ["--pcap", sharedCapture(name)]),
    ]);
    const browser = await launchChromium();
    try {
      await app.waitForLine(/imported \d+ capture files; serving/);
      const base = app.base;
      const oneTime = app.password;
      ok(oneTime, `the first start printed a one-time password: ${app.lines.join(" | ")}`);
      const page = await browser.context.newPage();
      page.setDefaultTimeout(10_000);
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        // Expected: the live socket's 404 while the server has none, the refused sign-in's 401.
        if (message.type() === "error" && !/ws\/live|WebSocket|status of 40[14]/.test(message.text())) {
          problems.push(`console: ${message.text()}`);
        }
      });

      await t.step(
        "an anonymous visitor is sent to the sign-in page, which tells about the first start",
        async () => {
          await page.goto(`${base}/devices`);
          strictEqual(new URL(page.url()).pathname, "/login");
          ok(await page.locator("text=one-time password").count() > 0);
          await shot(page, "login");
        },
      );

      await t.step("a wrong password is refused with the API's message", async () => {
        await page.fill("input[name=username]", "admin");
        await page.fill("input[name=password]", "not-the-password");
        await page.click("button[type=submit].primary");
        await page.waitForSelector("#login-error");
        ok((await page.textContent("#login-error"))!.includes("wrong user name or password"));
      });

      await t.step("signing in with the one-time password leads to the forced password change", async () => {
        await page.fill("input[name=username]", "admin");
        await page.fill("input[name=password]", oneTime!);
        await page.click("button[type=submit].primary");
        await page.waitForURL(`${base}/password`);
        await shot(page, "password");
        await page.goto(`${base}/`);
        strictEqual(new URL(page.url()).pathname, "/password", "no page before the change");
        await page.fill("input[name=current_password]", oneTime!);
        await page.fill("input[name=new_password]", NEW_PASSWORD);
        await page.fill("input[name=confirm_password]", NEW_PASSWORD);
        await page.click("button[type=submit].primary");
        await page.waitForURL(`${base}/`);
      });

      await t.step("the dashboard shows the figures and draws both charts", async () => {
        const devices = await page.textContent("[data-kpi=devices] .kpi-value");
        ok(Number(devices!.replace(/\D/g, "")) > 0, `devices KPI ${devices}`);
        const bars = await drawnBars(page);
        ok(bars > 0, `the bandwidth chart has bars (${bars})`);
        const slices = await page.locator("[data-chart=donut] svg path").count();
        ok(slices > 0, `the protocol donut has slices (${slices})`);
        ok(await page.locator("#newest-title").count() === 1);
        await page.waitForSelector("[data-island=LiveKpis][data-hydrated=true]");
        strictEqual(
          await page.locator(".kpis").count(),
          1,
          "the live cards took over the server's, not added to them",
        );
        strictEqual(await page.locator("[data-island=LiveEvents] table").count(), 1);
        await shot(page, "dashboard");
      });

      let deviceId = 0;
      await t.step("the devices can be filtered, sorted and paged with plain links and forms", async () => {
        await page.click("nav >> text=Devices");
        await page.waitForURL(`${base}/devices`);
        const all = await page.locator("#devices tbody tr[data-device-id]").count();
        ok(all > 1, `devices listed (${all})`);
        await page.selectOption("select[name=type]", "plc");
        await page.click("#device-filters button[type=submit]");
        await page.waitForURL(/type=plc/);
        const plcs = await page.locator("#devices tbody tr[data-device-id]").count();
        ok(plcs >= 1 && plcs < all, `filtered to PLCs (${plcs} of ${all})`);
        await shot(page, "devices");
        deviceId = Number(await page.getAttribute("#devices tbody tr[data-device-id]", "data-device-id"));
        await page.click("#devices th >> text=Traffic");
        ok(page.url().includes("sort=-bytes") && page.url().includes("type=plc"), page.url());
      });

      await t.step("a device's page shows its identity and chart, and the form renames it", async () => {
        await page.goto(`${base}/devices/${deviceId}`);
        ok(await drawnBars(page) > 0, "the device's chart has bars");
        await shot(page, "device");
        await shot(page, "device-top", false);
        await page.fill("#device-edit input[name=device_name]", NEW_NAME);
        await page.fill("#device-edit textarea[name=notes]", "checked on site");
        await page.click("#device-edit button[type=submit]");
        await page.waitForURL(`${base}/devices/${deviceId}?saved=1`);
        ok((await page.textContent("h1"))!.includes(NEW_NAME));
      });

      await t.step("the rename is in the audit log on Settings", async () => {
        await page.click("nav >> text=Settings");
        const row = page.locator("#audit tr[data-action='device.update']").first();
        ok((await row.textContent())!.includes(NEW_NAME));
        ok((await row.textContent())!.includes("admin"));
        await shot(page, "settings");
      });

      await t.step("every other page renders, in French too, and in the dark theme", async () => {
        for (const path of ["flows", "ot", "dhcp", "events", "capture", "upload"]) {
          const answer = await page.goto(`${base}/${path}`);
          strictEqual(answer?.status(), 200, path);
          await shot(page, path);
        }
        await page.click("button[name=lang][value=fr]");
        await page.waitForURL(`${base}/upload`);
        strictEqual(await page.getAttribute("html", "lang"), "fr");
        ok((await page.textContent("h1"))!.includes("Importer une capture"));
        await page.click("button[name=theme][value=dark]");
        await page.goto(`${base}/`);
        strictEqual(await page.getAttribute("html", "data-theme"), "dark");
        ok(await drawnBars(page) > 0);
        await shot(page, "dashboard-fr-dark");
        await page.click("button[name=lang][value=en]");
        await page.click("button[name=theme][value=auto]");
      });

      await t.step("the keyboard reaches the skip link first, then the menu", async () => {
        await page.goto(`${base}/devices`);
        await page.keyboard.press("Tab");
        strictEqual(await page.evaluate(() => document.activeElement?.className), "skip");
        await page.keyboard.press("Enter");
        strictEqual(await page.evaluate(() => document.activeElement?.id), "main");
      });

      await t.step("the JavaScript a page loads is under 250 KiB gzipped", async () => {
        const src = await page.getAttribute("script[type=module]", "src");
        ok(src);
        const body = new Uint8Array(await (await fetch(`${base}${src}`)).arrayBuffer());
        const gzipped = new Uint8Array(
          await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream("gzip")))
            .arrayBuffer(),
        );
        console.log(`island bundle: ${body.length} bytes, ${gzipped.length} bytes gzipped`);
        ok(gzipped.length < 250 * 1024, `${gzipped.length} bytes gzipped`);
      });

      await t.step("without JavaScript, signing in and the tables work", async () => {
        const plain = await browser.context.browser()?.newContext({ javaScriptEnabled: false }) ??
          null;
        const noJs = plain ? await plain.newPage() : await browser.context.newPage();
        if (!plain) await noJs.context().clearCookies();
        await noJs.goto(`${base}/login`);
        await noJs.fill("input[name=username]", "admin");
        await noJs.fill("input[name=password]", NEW_PASSWORD);
        await noJs.click("button[type=submit].primary");
        await noJs.waitForURL(`${base}/`);
        await noJs.goto(`${base}/devices?q=${encodeURIComponent("Line 3")}`);
        strictEqual(await noJs.locator("#devices tbody tr[data-device-id]").count(), 1);
        await noJs.close();
        await plain?.close();
      });

      const cookie = (await browser.context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
      const noUpload = await routeMissing(base, "POST", "/api/v1/captures?name=probe.pcap", cookie);
      await t.step({
        name: `uploading a capture shows its progress and its devices${
          noUpload ? " (skipped: POST /api/v1/captures answers 404, the upload server side is absent)" : ""
        }`,
        ignore: noUpload,
        fn: async () => {
          await page.goto(`${base}/upload`);
          await page.setInputFiles("input[type=file]", sharedCapture("modbus_tcp_test_data_part1.pcap"));
          await page.click(".upload button[type=submit]");
          await page.waitForSelector("[data-upload-state=done], [data-upload-state=failed]", {
            timeout: 60_000,
          });
          strictEqual(await page.getAttribute(".upload", "data-upload-state"), "done");
          ok(Number(await page.getAttribute("[data-devices-new]", "data-devices-new")) > 0);
          await shot(page, "upload-done");
        },
      });

      if (noUpload) {
        await t.step("without the upload route, the upload page says so instead of failing", async () => {
          await page.goto(`${base}/upload`);
          await page.setInputFiles("input[type=file]", sharedCapture("arp_request_reply.pcap"));
          await page.click(".upload button[type=submit]");
          strictEqual(
            await page.locator("[data-island=Upload] .note").count(),
            0,
            "the no-JS note is replaced",
          );
          await page.waitForSelector(".upload [role=alert]");
          ok((await page.textContent(".upload [role=alert]"))!.includes("does not accept uploads"));
        });
      }

      const noLive = await routeMissing(base, "GET", "/api/v1/ws/live", cookie);
      if (noLive) {
        await t.step(
          "without the live socket, the dashboard keeps its figures and says live is off",
          async () => {
            await page.goto(`${base}/`);
            await page.waitForSelector("[data-live=off]");
            ok(Number((await page.textContent("[data-kpi=devices] .kpi-value"))!.replace(/\D/g, "")) > 0);
          },
        );
      }
      await t.step({
        name: `the dashboard receives live events${
          noLive || noUpload ? " (skipped: /api/v1/ws/live or /api/v1/captures answers 404)" : ""
        }`,
        ignore: noLive || noUpload,
        fn: async () => {
          await page.goto(`${base}/`);
          await page.waitForSelector("[data-live=on]", { timeout: 10_000 });
          // The list shows the ten newest devices: a new one changes its rows, not always their number.
          const rowsText = () => document.querySelector("[data-island=LiveDevices] tbody")?.textContent ?? "";
          const before = await page.evaluate(rowsText);
          const answer = await fetch(`${base}/api/v1/captures?name=bacnet.pcap`, {
            method: "POST",
            headers: { cookie, origin: base, "content-type": "application/octet-stream" },
            body: await Deno.readFile(sharedCapture("bacnet_stack_services_ip_and_ethernet.pcap")),
          });
          strictEqual(answer.status, 202, await answer.text());
          await page.waitForFunction(
            (text) => (document.querySelector("[data-island=LiveDevices] tbody")?.textContent ?? "") !== text,
            before,
            { timeout: 60_000 },
          );
          await shot(page, "dashboard-live");
        },
      });

      strictEqual(problems.join("\n"), "", "no script error on any page");
    } finally {
      await browser.close();
      strictEqual(await app.stop(), 0, app.lines.join("\n"));
      await Deno.remove(join(REPOSITORY, dataDir), { recursive: true });
    }
  },
});
