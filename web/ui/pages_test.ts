/**
 * The UI's pages in memory (no browser): who may see which page, the redirects to sign in and to
 * the password change, the form posts' CSRF rule, the language and theme switches, the device
 * form's validation through the API, and pure helpers (language choice, JSON in a script element,
 * safe redirects). One PGlite database with a shared capture imported.
 */

import { ok, strictEqual } from "node:assert/strict";
import { DRIVERS } from "../../storage/_testing.ts";
import { createUser } from "../../storage/accounts/users.ts";
import { SHARED_PCAPS } from "../../tests/shared_pcaps.ts";
import { harness, importCaptures, ORIGIN, TEST_COST } from "../_testing.ts";
import { apiDeps, createWebApp } from "../app.ts";
import { totpCode } from "../auth/totp.ts";
import { scriptJson } from "./components/island.tsx";
import { withQuery } from "./components/table.tsx";
import { safeBack } from "./forms.ts";
import { chooseLang, translator } from "./i18n/index.ts";
import { en } from "./i18n/en.ts";
import { fr } from "./i18n/fr.ts";

Deno.test("languages: the cookie, else Accept-Language by weight, else English; every key in French", () => {
  strictEqual(chooseLang("fr", "en"), "fr");
  strictEqual(chooseLang(undefined, "de-DE,fr-CA;q=0.8,en;q=0.5"), "fr");
  strictEqual(chooseLang(undefined, "en;q=0.2,fr;q=0.9"), "fr");
  strictEqual(chooseLang("xx", "de"), "en");
  strictEqual(translator("fr")("common.page", { page: 2, pages: 3, total: 9 }), "Page 2 sur 3 · 9 lignes");
  for (const key of Object.keys(en)) ok(key in fr, key);
});

Deno.test("props in a script element cannot close it, and redirects stay on the site", () => {
  const text = scriptJson({ a: "</script><script>alert(1)</script>", b: "\u2028" });
  ok(!text.includes("<") && !text.includes(">") && !text.includes("\u2028"));
  strictEqual(JSON.parse(text).a, "</script><script>alert(1)</script>");
  strictEqual(safeBack("/devices?q=1"), "/devices?q=1");
  for (const bad of ["//evil.example/", "https://evil.example/", "/\\evil.example", "", 7]) {
    strictEqual(safeBack(bad), "/");
  }
  strictEqual(
    withQuery(new URL("http://x/devices?q=a&page=3"), { sort: "-bytes" }),
    "/devices?q=a&sort=-bytes",
  );
});

Deno.test({
  name: `the pages: roles, redirects, CSRF and the device form [pglite]${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn(t) {
    const scratch = await DRIVERS.find((driver) => driver.name === "pglite")!.open();
    try {
      await importCaptures(scratch, ["s7comm_reading_plc_status.pcap"]);
      const h = await harness(scratch);
      const page = async (
        path: string,
        cookie?: string,
        init: RequestInit & { origin?: string | null } = {},
      ) => {
        const headers = new Headers(init.headers);
        if (cookie) headers.set("cookie", cookie);
        const origin = init.origin === undefined ? ORIGIN : init.origin;
        if (origin !== null && init.method === "POST") headers.set("origin", origin);
        return await h.app.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }), {
          remoteAddr: { hostname: "192.0.2.20" },
        });
      };
      const form = (fields: Record<string, string>) => ({
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      const deviceId =
        (await scratch.db.query<{ id: number }>("SELECT id::int AS id FROM devices ORDER BY id LIMIT 1"))[0]
          .id;

      await t.step("not signed in: every page leads to /login with the way back", async () => {
        for (const path of ["/", "/devices?q=plc", `/devices/${deviceId}`, "/settings", "/upload"]) {
          const answer = await page(path);
          strictEqual(answer.status, 303, path);
          const location = answer.headers.get("location")!;
          ok(location.startsWith("/login"), location);
          if (path !== "/") strictEqual(new URL(location, ORIGIN).searchParams.get("next"), path);
        }
      });

      await t.step("each role sees its pages and gets 403 above it", async () => {
        const pages = [
          "/",
          "/devices",
          `/devices/${deviceId}`,
          "/flows",
          "/ot",
          "/dhcp",
          "/events",
          "/capture",
        ];
        const expected: Record<string, Record<string, number>> = {
          viewer: { "/upload": 403, "/settings": 403 },
          operator: { "/upload": 200, "/settings": 403 },
          admin: { "/upload": 200, "/settings": 200 },
        };
        for (const role of ["viewer", "operator", "admin"] as const) {
          for (const path of pages) {
            strictEqual((await page(path, h.as[role].cookie)).status, 200, `${role} ${path}`);
          }
          for (const [path, status] of Object.entries(expected[role])) {
            const answer = await page(path, h.as[role].cookie);
            strictEqual(answer.status, status, `${role} ${path}`);
            ok(answer.headers.get("content-type")!.startsWith("text/html"));
            ok(answer.headers.get("content-security-policy")!.includes("script-src 'self'"));
          }
        }
        const viewerPage = await (await page(`/devices/${deviceId}`, h.as.viewer.cookie)).text();
        ok(!viewerPage.includes('id="device-edit"'), "a viewer gets no edit form");
        ok(!viewerPage.includes('href="/settings"'), "nor the Settings link");
      });

      await t.step(
        "an unknown page is an HTML 404; an unknown API route stays the API's JSON 404",
        async () => {
          const missing = await page("/no-such-page", h.as.viewer.cookie);
          strictEqual(missing.status, 404);
          ok(missing.headers.get("content-type")!.startsWith("text/html"));
          const api = await page("/api/v1/no-such-route", h.as.viewer.cookie);
          strictEqual(api.status, 404);
          strictEqual((await api.json()).error.code, "not_found");
          strictEqual((await page("/api/v1/devices", h.as.viewer.cookie)).status, 200);
        },
      );

      await t.step("a pending password change sends every page to /password", async () => {
        await createUser(
          scratch.db,
          { username: "newbie", password: "newbie-password-1", role: "viewer" },
          TEST_COST,
        );
        const cookie = await h.login("newbie", "newbie-password-1");
        const answer = await page("/devices", cookie);
        strictEqual(answer.status, 303);
        strictEqual(answer.headers.get("location"), "/password");
      });

      await t.step("form posts from another origin, or without one, are refused", async () => {
        const fields = { device_name: "evil" };
        strictEqual(
          (await page(`/devices/${deviceId}`, h.as.operator.cookie, {
            ...form(fields),
            origin: "https://evil.example",
          })).status,
          403,
        );
        strictEqual(
          (await page(`/devices/${deviceId}`, h.as.operator.cookie, { ...form(fields), origin: null }))
            .status,
          403,
        );
        const sameSite = await page(`/devices/${deviceId}`, h.as.operator.cookie, {
          ...form({ device_name: "via fetch metadata", device_type: "", notes: "" }),
          origin: null,
          headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        });
        strictEqual(
          sameSite.status,
          303,
          "Origin: null with Sec-Fetch-Site: same-origin (a browser's own form)",
        );
        const name = await scratch.db.query<{ device_name: string }>(
          "SELECT device_name FROM devices WHERE id = $1",
          [deviceId],
        );
        strictEqual(name[0].device_name, "via fetch metadata");
      });

      await t.step(
        "the device form: a viewer is refused, a bad type is the API's 400, a good one is audited",
        async () => {
          strictEqual(
            (await page(`/devices/${deviceId}`, h.as.viewer.cookie, form({ device_name: "x" }))).status,
            403,
          );
          const bad = await page(
            `/devices/${deviceId}`,
            h.as.operator.cookie,
            form({ device_name: "x", device_type: "toaster" }),
          );
          strictEqual(bad.status, 400);
          ok((await bad.text()).includes('id="edit-error"'));
          const good = await page(
            `/devices/${deviceId}`,
            h.as.operator.cookie,
            form({ device_name: "Packing PLC", device_type: "plc", notes: "rack 2", is_flagged: "on" }),
          );
          strictEqual(good.status, 303);
          strictEqual(good.headers.get("location"), `/devices/${deviceId}?saved=1`);
          const audit = await scratch.db.query<{ after: { device_name: string; is_flagged: boolean } }>(
            "SELECT after FROM audit_log WHERE action = 'device.update' ORDER BY id DESC LIMIT 1",
          );
          strictEqual(audit[0].after.device_name, "Packing PLC");
          strictEqual(audit[0].after.is_flagged, true);
          ok((await (await page(`/devices?q=Packing`, h.as.viewer.cookie)).text()).includes("Packing PLC"));
        },
      );

      await t.step("a bad filter is a 400 page naming it; the switches set their cookies", async () => {
        const inRange =
          await (await page("/flows?from=2014-08-20T10:05&to=2014-08-20T10:06:00", h.as.viewer.cookie))
            .text();
        ok(
          inRange.includes("s7comm") && inRange.includes('value="2014-08-20T10:05:00"'),
          "datetime-local is UTC",
        );
        const before = await (await page("/flows?to=2001-01-01T00:00", h.as.viewer.cookie)).text();
        ok(!before.includes("s7comm"), "nothing before the capture");
        const bad = await page("/devices?vlan=5000", h.as.viewer.cookie);
        strictEqual(bad.status, 400);
        ok((await bad.text()).includes("vlan"));
        const lang = await page("/prefs", h.as.viewer.cookie, form({ lang: "fr", back: "/devices" }));
        strictEqual(lang.status, 303);
        strictEqual(lang.headers.get("location"), "/devices");
        ok(lang.headers.get("set-cookie")!.includes("lang=fr"));
        const french = await (await page("/devices", `${h.as.viewer.cookie}; lang=fr; theme=dark`)).text();
        ok(french.includes('<html lang="fr" data-theme="dark">') && french.includes("Équipements"));
        const away = await page(
          "/prefs",
          h.as.viewer.cookie,
          form({ theme: "light", back: "//evil.example" }),
        );
        strictEqual(away.headers.get("location"), "/");
      });

      await t.step(
        "with TOTP required of admins, an admin's pages wait for the set-up, done through the forms",
        async () => {
          const strict = createWebApp(
            apiDeps({ db: scratch.db, passwordCost: TEST_COST, log: () => {}, requireTotpForAdmins: true }),
          );
          const get = (path: string, init: RequestInit = {}) =>
            strict.fetch(new Request(`${ORIGIN}${path}`, init), { remoteAddr: { hostname: "192.0.2.21" } });
          const cookie = h.as.admin.cookie;
          const headers = { cookie, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" };
          const first = await get("/settings", { headers: { cookie } });
          strictEqual(first.status, 303);
          strictEqual(first.headers.get("location"), "/totp");
          strictEqual(
            (await get("/devices", { headers: { cookie: h.as.viewer.cookie } })).status,
            200,
            "not viewers",
          );
          const setup = await get("/totp", {
            method: "POST",
            headers,
            body: new URLSearchParams({ step: "setup" }),
          });
          const secret = /id="totp-secret">([A-Z2-7]+)</.exec(await setup.text())?.[1];
          ok(secret, "the secret is shown");
          const wrong = await get("/totp", {
            method: "POST",
            headers,
            body: new URLSearchParams({ step: "enable", code: "000000" }),
          });
          strictEqual(wrong.status, 400);
          const enabled = await get("/totp", {
            method: "POST",
            headers,
            body: new URLSearchParams({ step: "enable", code: totpCode(secret!) }),
          });
          strictEqual(enabled.status, 303);
          strictEqual((await get("/settings", { headers: { cookie } })).status, 200);
        },
      );

      await t.step("sign-in and sign-out through the forms set and clear the API's cookie", async () => {
        const wrong = await page(
          "/login",
          undefined,
          form({ username: "viewer1", password: "nope-nope-nope" }),
        );
        strictEqual(wrong.status, 401);
        ok((await wrong.text()).includes("wrong user name or password"));
        const right = await page(
          "/login",
          undefined,
          form({ username: "viewer1", password: h.as.viewer.password, next: "/flows" }),
        );
        strictEqual(right.status, 303);
        strictEqual(right.headers.get("location"), "/flows");
        const cookie = /ns_session=[^;]+/.exec(right.headers.get("set-cookie") ?? "")![0];
        strictEqual((await page("/flows", cookie)).status, 200);
        const out = await page("/logout", cookie, form({}));
        strictEqual(out.headers.get("location"), "/login");
        strictEqual((await page("/flows", cookie)).status, 303, "the session ended");
      });
    } finally {
      await scratch.dispose();
    }
  },
});
