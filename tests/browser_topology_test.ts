/// <reference lib="dom" />
/**
 * The map pages in headless Chromium, against the appliance as a user runs it (`deno task start
 * --pcap` of shared captures): the logical map draws its nodes with vis-network (the count is the
 * map's `data-nodes`), a protocol filter narrows it, a click opens a node's summary, a dragged node's
 * position is saved and comes back after a reload; the page's JavaScript weight; the L2 page and the
 * matrix render without JavaScript. Screenshots go to `bench/out/screenshots/` (not committed).
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

const SCREENSHOTS = join(import.meta.dirname!, "..", "bench", "out", "screenshots");

/** Captures: S7 and Modbus conversations (the logical map), LLDP/CDP and RSTP (the L2 page). */
const CAPTURES = [
  "s7comm_reading_plc_status.pcap",
  "modbus_tcp_test_data_part1.pcap",
  "lldp_cdp_cisco.pcap",
  "stp_rstp_8021w.pcap",
];
const NEW_PASSWORD = "a-new-admin-password-42";

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Waits for the map to be drawn and stable; returns the nodes in its data set. */
async function drawnNodes(page: Page): Promise<number> {
  await page.waitForSelector("[data-map=topology][data-stable=true]");
  return Number(await page.getAttribute("[data-map=topology]", "data-nodes"));
}

/** Where a node is on the page (the canvas's position plus the node's). */
async function nodeOnPage(page: Page, id: string): Promise<{ x: number; y: number }> {
  const inCanvas = await page.evaluate((id) => {
    // deno-lint-ignore no-explicit-any
    const map = (globalThis as any).netsentinelTopology;
    return map.canvasToDOM(map.getPositions([id])[id]);
  }, id);
  const box = (await page.locator("[data-map=topology] canvas").boundingBox())!;
  return { x: box.x + inCanvas.x, y: box.y + inCanvas.y };
}

async function canvasPosition(page: Page, id: string): Promise<{ x: number; y: number }> {
  return await page.evaluate((id) => {
    // deno-lint-ignore no-explicit-any
    return (globalThis as any).netsentinelTopology.getPositions([id])[id];
  }, id);
}

async function gzippedSize(url: string): Promise<[number, number]> {
  const body = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const gzipped = await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream("gzip")))
    .arrayBuffer();
  return [body.length, gzipped.byteLength];
}

Deno.test({
  name: `the map pages in Chromium: draw, filter, popup, saved drag, L2, matrix${
    notes(CHROMIUM, SHARED_PCAPS)
  }`,
  ignore: whySkipped(CHROMIUM, SHARED_PCAPS) !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    SHARED_PCAPS.check();
    sharedCapture(CAPTURES[0]);
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const dataDir = `data/.test-browser-topology-${Deno.pid}`;
    const app = await startAppliance([
      "--data-dir",
      dataDir,
      ...CAPTURES.flatMap((name) => ["--pcap", sharedCapture(name)]),
    ]);
    const browser = await launchChromium();
    try {
      await app.waitForLine(/imported \d+ capture files; serving/);
      const base = app.base;
      ok(app.password, `the first start printed a one-time password: ${app.lines.join(" | ")}`);
      const page = await browser.context.newPage();
      page.setDefaultTimeout(15_000);
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && !/ws\/live|WebSocket/.test(message.text())) {
          problems.push(`console: ${message.text()}`);
        }
      });

      await t.step("sign in with the one-time password and change it", async () => {
        await page.goto(`${base}/login`);
        await page.fill("input[name=username]", "admin");
        await page.fill("input[name=password]", app.password!);
        await page.click("button[type=submit].primary");
        await page.waitForURL(`${base}/password`);
        await page.fill("input[name=current_password]", app.password!);
        await page.fill("input[name=new_password]", NEW_PASSWORD);
        await page.fill("input[name=confirm_password]", NEW_PASSWORD);
        await page.click("button[type=submit].primary");
        await page.waitForURL(`${base}/`);
      });

      let all = 0;
      await t.step("the map draws every node of the API's answer, from the navigation", async () => {
        await page.click("nav a[href='/topology']");
        await page.waitForURL(`${base}/topology`);
        all = await drawnNodes(page);
        const rows = await page.locator("#topology-edges tbody tr").count();
        const cookie = (await browser.context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
        const api = await (await fetch(`${base}/api/v1/topology`, { headers: { cookie } })).json();
        strictEqual(all, api.nodes.length, "the vis-network data set holds the API's nodes");
        ok(all >= 4, `nodes drawn: ${all}`);
        strictEqual(rows, api.edges.length, "the links table lists the API's edges");
        await shot(page, "topology", false);
      });

      await t.step("a protocol filter narrows the map", async () => {
        await page.fill("#topology-filters input[name=protocol]", "s7comm");
        await page.click("#topology-filters button[type=submit]");
        await page.waitForURL(/protocol=s7comm/);
        const narrowed = await drawnNodes(page);
        ok(narrowed >= 2 && narrowed < all, `s7comm: ${narrowed} nodes of ${all}`);
        strictEqual(
          await page.locator("#topology-edges tbody tr").count(),
          1,
          "one S7 conversation in the capture",
        );
      });

      let moved = "";
      await t.step("a click on a node opens its summary with a link to its page", async () => {
        await page.goto(`${base}/topology`);
        await drawnNodes(page);
        const ids: string[] = await page.evaluate(() =>
          // deno-lint-ignore no-explicit-any
          (globalThis as any).netsentinelTopology.body.nodeIndices.filter((id: string) => id.startsWith("d:"))
        );
        ok(ids.length > 0, "device nodes drawn");
        moved = ids[0];
        const where = await nodeOnPage(page, moved);
        await page.mouse.click(where.x, where.y);
        await page.waitForSelector(`[data-popup="${moved}"]`);
        const href = await page.getAttribute(`[data-popup="${moved}"] a`, "href");
        strictEqual(href, `/devices/${moved.slice(2)}`);
        await shot(page, "topology-popup", false);
        await page.click(`[data-popup="${moved}"] button`);
        strictEqual(await page.locator("[data-popup]").count(), 0, "closed");
      });

      await t.step("a dragged node's position is saved and survives a reload", async () => {
        const from = await nodeOnPage(page, moved);
        const box = (await page.locator("[data-map=topology] canvas").boundingBox())!;
        const to = { x: box.x + 60, y: box.y + 60 };
        await page.mouse.move(from.x, from.y);
        await page.mouse.down();
        for (let step = 1; step <= 10; step++) {
          await page.mouse.move(from.x + (to.x - from.x) * step / 10, from.y + (to.y - from.y) * step / 10);
        }
        await page.mouse.up();
        await page.waitForSelector("[data-map=topology]:not([data-saved='0'])");
        const placed = await canvasPosition(page, moved);
        await page.reload();
        await drawnNodes(page);
        const after = await canvasPosition(page, moved);
        ok(
          Math.abs(after.x - placed.x) <= 1 && Math.abs(after.y - placed.y) <= 1,
          `placed at ${JSON.stringify(placed)}, after the reload ${JSON.stringify(after)}`,
        );
      });

      await t.step("the search box finds a node by address and opens its summary", async () => {
        const label = await page.evaluate((id) => {
          // deno-lint-ignore no-explicit-any
          return (globalThis as any).netsentinelTopology.body.data.nodes.get(id).label;
        }, moved);
        await page.fill(".topo-tools input[name=find]", label);
        await page.press(".topo-tools input[name=find]", "Enter");
        await page.waitForSelector(`[data-popup="${moved}"]`);
        await page.fill(".topo-tools input[name=find]", "no-such-node");
        await page.press(".topo-tools input[name=find]", "Enter");
        await page.waitForSelector(".topo-status:text('No node matches.')");
      });

      await t.step("the view exports as PNG, the graph as JSON and GraphML", async () => {
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click(".topo-tools button"),
        ]);
        strictEqual(download.suggestedFilename(), "netsentinel-map.png");
        const png = await Deno.readFile((await download.path())!);
        strictEqual(String.fromCharCode(...png.slice(1, 4)), "PNG");
        const cookie = (await browser.context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
        const graphml = await fetch(
          `${base}${await page.getAttribute(".topo-exports a:nth-of-type(2)", "href")}`,
          {
            headers: { cookie },
          },
        );
        ok((await graphml.text()).includes("<graphml"), "GraphML");
        const json = await fetch(
          `${base}${await page.getAttribute(".topo-exports a:nth-of-type(1)", "href")}`,
          {
            headers: { cookie },
          },
        );
        strictEqual((await json.json()).nodes.length, all);
      });

      await t.step("the Purdue layout draws the same nodes", async () => {
        await page.selectOption(".topo-tools select[name=layout]", "purdue");
        await page.waitForSelector("[data-map=topology][data-stable=true]");
        strictEqual(Number(await page.getAttribute("[data-map=topology]", "data-nodes")), all);
        await shot(page, "topology-purdue", false);
      });

      await t.step("the map draws in French and in the dark theme", async () => {
        await page.click("button[name=lang][value=fr]");
        await page.click("button[name=theme][value=dark]");
        strictEqual(await drawnNodes(page), all);
        strictEqual(await page.textContent("main h1"), "Carte du réseau");
        await shot(page, "topology-dark-fr", false);
        await page.click("button[name=lang][value=en]");
        await page.click("button[name=theme][value=auto]");
        await drawnNodes(page);
      });

      await t.step("the map page's JavaScript is under 250 KiB gzipped", async () => {
        const sources = await page.locator("script[type=module]").evaluateAll((scripts) =>
          scripts.map((script) => script.getAttribute("src")!)
        );
        strictEqual(sources.length, 2, "the islands' bundle and the map's");
        let total = 0;
        for (const src of sources) {
          const [raw, gzipped] = await gzippedSize(`${base}${src}`);
          console.log(`${src}: ${raw} bytes, ${gzipped} bytes gzipped`);
          total += gzipped;
        }
        ok(total < 250 * 1024, `${total} bytes gzipped`);
      });

      await t.step("the L2 page lists the announced neighbours with their evidence", async () => {
        await page.click(".topo-views a[href='/topology/l2']");
        await page.waitForURL(`${base}/topology/l2`);
        const links = await page.locator("#l2-links tbody tr").count();
        ok(links >= 2, `announced neighbours: ${links}`);
        ok((await page.textContent("#l2-links tbody"))!.includes("LLDP"), "LLDP evidence");
        ok((await page.textContent("#l2-links tbody"))!.includes("CDP"), "CDP evidence");
        ok(await page.locator("#l2-stp tbody tr td.mono").count() > 0, "an STP bridge");
        await shot(page, "topology-l2");
      });

      await t.step("the matrix renders its cells with a heat class", async () => {
        await page.goto(`${base}/topology/matrix?by=subnet`);
        const cells = await page.locator("#matrix td[data-flows]").count();
        ok(cells > 0, `non-empty cells: ${cells}`);
        ok(await page.locator("#matrix td.h8").count() >= 1, "the busiest cell is the darkest");
        await shot(page, "topology-matrix");
      });

      await t.step("without JavaScript the map page shows the links table", async () => {
        const plain = await launchChromium({ javaScriptEnabled: false });
        await plain.context.addCookies(await browser.context.cookies());
        const bare = await plain.context.newPage();
        await bare.goto(`${base}/topology?protocol=modbus`);
        ok(await bare.locator("#topology-edges tbody tr").count() >= 1);
        strictEqual(await bare.locator("[data-map=topology]").count(), 0, "no map without JavaScript");
        await plain.close();
      });

      strictEqual(problems.join("\n"), "", "no page errors, no CSP refusals");
    } finally {
      await browser.close();
      strictEqual(await app.stop(), 0, app.lines.join("\n"));
      await Deno.remove(join(REPOSITORY, dataDir), { recursive: true });
    }
  },
});
