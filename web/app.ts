/**
 * The web application: security headers on every answer and the REST API under `/api/v1`. One
 * Hono app, served by `web/server.ts` (`Deno.serve(app.fetch)`) or called in memory by
 * the tests (`app.fetch(request, { remoteAddr })`).
 *
 * @example In memory
 * ```ts ignore
 * const app = createWebApp(apiDeps({ db }));
 * const answer = await app.fetch(new Request("http://localhost/api/v1/health"));
 * ```
 *
 * @module
 */

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { Database } from "../storage/database.ts";
import { OWASP_COST, type PasswordCost } from "../storage/accounts/password.ts";
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from "../storage/accounts/sessions.ts";
import type { ApiDeps, ApiEnv } from "./api/context.ts";
import { ApiError, errorResponse, routeNotFound } from "./api/errors.ts";
import { accountRoutes } from "./api/routes/accounts.ts";
import { authRoutes } from "./api/routes/auth.ts";
import { dhcpRoutes } from "./api/routes/dhcp.ts";
import { alertRoutes } from "./api/routes/alerts.ts";
import { exportRoutes } from "./api/routes/export.ts";
import { insightRoutes } from "./api/routes/insight.ts";
import { inventoryRoutes } from "./api/routes/inventory.ts";
import { snapshotRoutes } from "./api/routes/snapshots.ts";
import { statusRoutes } from "./api/routes/status.ts";
import { captureRoutes, UPLOAD_PATH } from "./api/routes/captures.ts";
import { LiveHub } from "./live/hub.ts";
import { LIVE_PATH, liveFeedHandler } from "./live/routes.ts";
import { absentCaptureStatus } from "../model/capture_status.ts";
import { topologyRoutes } from "./api/routes/topology.ts";
import { zoneRoutes } from "./api/routes/zones.ts";
import { authenticate, csrfGuard } from "./auth/middleware.ts";
import { LoginRateLimiter, type RateLimitOptions } from "./auth/rate_limit.ts";
import { createUi, type UiOptions } from "./ui/routes.ts";

/** Largest request body accepted (JSON bodies are small; uploaded captures have their own limit). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@linkcode apiDeps}; everything but the database has a default. */
export interface ApiDepsOptions {
  db: Database;
  passwordCost?: PasswordCost;
  sessions?: SessionPolicy;
  rateLimit?: RateLimitOptions;
  secureCookies?: boolean;
  allowedOrigins?: readonly string[];
  requireTotpForAdmins?: boolean;
  health?: ApiDeps["health"];
  allowedDhcpServers?: readonly string[];
  log?: (line: string) => void;
  captures?: ApiDeps["captures"];
  /** Default 1024 MiB. */
  uploadMaxBytes?: number;
  captureStatus?: ApiDeps["captureStatus"];
}

/** The API's dependencies with their defaults filled in. */
export function apiDeps(options: ApiDepsOptions): ApiDeps {
  const log = options.log ?? ((line: string) => console.error(`netsentinel: ${line}`));
  const captureStatus = options.captureStatus ??
    (() => absentCaptureStatus("no capture runs in this process"));
  return {
    db: options.db,
    passwordCost: options.passwordCost ?? OWASP_COST,
    sessions: options.sessions ?? DEFAULT_SESSION_POLICY,
    limiter: new LoginRateLimiter(options.rateLimit),
    secureCookies: options.secureCookies ?? false,
    allowedOrigins: options.allowedOrigins ?? [],
    requireTotpForAdmins: options.requireTotpForAdmins ?? false,
    startedAt: Date.now(),
    allowedDhcpServers: options.allowedDhcpServers ?? [],
    health: options.health ?? (() => ({ capture: { status: "absent" }, bus: { status: "absent" } })),
    log,
    captures: options.captures,
    uploadMaxBytes: options.uploadMaxBytes ?? 1024 * 1048576,
    captureStatus,
    live: new LiveHub({ db: options.db, status: captureStatus, log }),
  };
}

/** The client address Deno.serve gives (`info.remoteAddr`), or null in memory. */
function clientIpOf(env: ApiEnv["Bindings"] | undefined): string | null {
  const hostname = env?.remoteAddr?.hostname;
  return typeof hostname === "string" && hostname.length > 0 ? hostname : null;
}

/** The `/api/v1` routes. */
function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  api.use("*", async function context(c, next) {
    c.set("deps", deps);
    c.set("clientIp", clientIpOf(c.env));
    c.header("Cache-Control", "no-store");
    try {
      decodeURIComponent(new URL(c.req.url).search);
    } catch {
      throw new ApiError(
        400,
        "invalid",
        "Cannot read the query string: it is not valid percent-encoded UTF-8",
        { field: "query" },
      );
    }
    await next();
  });
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      c.json(
        { error: { code: "too_large", message: `Cannot accept a body over ${MAX_BODY_BYTES} bytes` } },
        413,
      ),
  });
  // Uploaded captures are streamed to disk under their own limit (routes/captures.ts).
  api.use("*", (c, next) => c.req.method === "POST" && c.req.path === UPLOAD_PATH ? next() : limit(c, next));
  api.use("*", csrfGuard());
  api.use("*", authenticate());
  api.route("/", statusRoutes);
  api.route("/auth", authRoutes);
  api.route("/", accountRoutes);
  api.route("/", inventoryRoutes);
  api.route("/", insightRoutes);
  api.route("/", captureRoutes);
  api.route("/", exportRoutes);
  api.route("/", dhcpRoutes);
  api.route("/", alertRoutes);
  api.route("/", topologyRoutes);
  api.route("/", zoneRoutes);
  api.route("/", snapshotRoutes);
  return api;
}

/** The whole web application: the API under `/api/v1`, the UI's pages at `/` (web/ui/). */
export function createWebApp(deps: ApiDeps, ui: UiOptions = {}): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  // Before the header middleware: a WebSocket upgrade answer takes no headers afterwards.
  app.get(LIVE_PATH, liveFeedHandler(deps, (c) => clientIpOf(c.env)));
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "no-referrer",
      strictTransportSecurity: deps.secureCookies ? "max-age=31536000" : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.route("/api/v1", createApi(deps));
  app.route("/", createUi(deps, (request, env) => app.fetch(request, env), ui));
  app.notFound(routeNotFound);
  app.onError((error, c) => errorResponse(error, c, deps.log));
  return app;
}
