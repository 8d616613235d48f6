/**
 * The web UI's routes, mounted at `/` beside the API: the pages (server-rendered Preact, islands
 * hydrated by one bundle), the form posts, and the static assets under `/static/`. Every page reads
 * storage through `storage/read/`; every change goes through the API's routes (web/ui/forms.ts).
 *
 * @module
 */

import { type Context, Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../api/context.ts";
import { ApiError, routeNotFound } from "../api/errors.ts";
import { authenticate, csrfGuard } from "../auth/middleware.ts";
import type { ApiFetch } from "./api_call.ts";
import { uiAssets } from "./bundle.ts";
import {
  devicePost,
  loginForm,
  loginPost,
  logoutPost,
  passwordForm,
  passwordPost,
  prefsPost,
  totpForm,
  totpPost,
} from "./forms.ts";
import { page, pageContext, uiContext } from "./page.ts";
import { ErrorPage, htmlAnswer } from "./render.tsx";
import { dashboardPage } from "./pages/dashboard.tsx";
import { devicesPage } from "./pages/devices.tsx";
import { devicePage } from "./pages/device.tsx";
import { flowsPage } from "./pages/flows.tsx";
import { otPage } from "./pages/ot.tsx";
import { dhcpPage } from "./pages/dhcp.tsx";
import { eventsPage } from "./pages/events.tsx";
import { capturePage } from "./pages/capture.tsx";
import { settingsPage } from "./pages/settings.tsx";
import { uploadPage } from "./pages/upload.tsx";
import { topologyPage } from "./pages/topology.tsx";
import { l2Page } from "./pages/topology_l2.tsx";
import { matrixPage } from "./pages/topology_matrix.tsx";
import { snapshotPost, snapshotsPage } from "./pages/topology_snapshots.tsx";
import { zonePost, zonesPage } from "./pages/topology_zones.tsx";

/** Options of the UI. */
export interface UiOptions {
  /** The running configuration, shown read-only on Settings (secrets already removed). */
  runningConfig?: () => unknown;
}

/** The UI routes. `api` calls the whole app (the forms use the API's routes). */
export function createUi(deps: ApiDeps, api: ApiFetch, options: UiOptions = {}): Hono<ApiEnv> {
  const ui = new Hono<ApiEnv>();
  const read = [uiContext(deps), authenticate()] as const;
  const write = [uiContext(deps), csrfGuard(), authenticate()] as const;

  ui.get("/static/:file", async (c) => {
    const asset = (await uiAssets(deps.log)).byPath.get(`/static/${c.req.param("file")}`);
    if (!asset) throw new ApiError(404, "not_found", "Cannot find this file");
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": asset.type,
      "cache-control": "public, max-age=31536000, immutable",
    });
  });

  ui.get("/login", ...read, loginForm);
  ui.post("/login", ...write, loginPost(api));
  ui.get("/password", ...read, passwordForm);
  ui.post("/password", ...write, passwordPost(api));
  ui.get("/totp", ...read, totpForm);
  ui.post("/totp", ...write, totpPost(api));
  ui.post("/logout", ...write, logoutPost(api));
  ui.post("/prefs", ...write, prefsPost);

  ui.get("/", ...read, page("viewer", dashboardPage));
  ui.get("/devices", ...read, page("viewer", devicesPage));
  ui.get("/devices/:id", ...read, page("viewer", (c, ctx) => devicePage(c, ctx)));
  ui.post("/devices/:id", ...write, page("operator", devicePost(api, devicePage)));
  ui.get("/flows", ...read, page("viewer", flowsPage));
  ui.get("/topology", ...read, page("viewer", topologyPage));
  ui.get("/topology/l2", ...read, page("viewer", l2Page));
  ui.get("/topology/matrix", ...read, page("viewer", matrixPage));
  ui.get("/topology/snapshots", ...read, page("viewer", (c, ctx) => snapshotsPage(c, ctx)));
  ui.post("/topology/snapshots", ...write, page("operator", snapshotPost(api)));
  ui.get("/topology/zones", ...read, page("viewer", (c, ctx) => zonesPage(c, ctx)));
  ui.post("/topology/zones", ...write, page("admin", zonePost(api)));
  ui.post("/topology/zones/:id", ...write, page("admin", zonePost(api)));
  ui.get("/ot", ...read, page("viewer", otPage));
  ui.get("/dhcp", ...read, page("viewer", (c, ctx) => dhcpPage(c, ctx, api)));
  ui.get("/events", ...read, page("viewer", eventsPage));
  ui.get("/capture", ...read, page("viewer", (c, ctx) => capturePage(c, ctx, api)));
  ui.get("/upload", ...read, page("operator", uploadPage));
  ui.get("/settings", ...read, page("admin", (c, ctx) => settingsPage(c, ctx, options.runningConfig)));

  // Any other page: an HTML 404 (API paths keep the API's JSON 404).
  ui.get(
    "*",
    async (c, next) => {
      if (new URL(c.req.url).pathname.startsWith("/api/")) return routeNotFound(c);
      await next();
    },
    ...read,
    async (c) => {
      const ctx = await pageContext(c);
      return htmlAnswer(ErrorPage({ ctx, message: ctx.t("error.not_found") }), 404);
    },
  );

  ui.onError(async (error, c: Context<ApiEnv>) => {
    if (new URL(c.req.url).pathname.startsWith("/api/")) throw error;
    const status = error instanceof ApiError ? error.status : 500;
    if (!(error instanceof ApiError)) {
      deps.log(`web: page ${c.req.path} failed: ${(error as Error).stack ?? error}`);
    }
    if (!c.get("deps")) c.set("deps", deps);
    const ctx = await pageContext(c);
    const message = error instanceof ApiError
      ? error.message
      : "Cannot show this page: the server failed (see its log)";
    return htmlAnswer(ErrorPage({ ctx, message }), status);
  });
  return ui;
}
