/**
 * `WS /api/v1/ws/live`: the live feed (see hub.ts) for a signed-in viewer or better, by session
 * cookie or `Authorization: Bearer` token. A cookie-borne upgrade must come from the appliance's
 * own origin (or `[web] allowed_origins`), like every state-changing request: a page on another
 * site cannot open the feed with the user's cookie.
 *
 * Mounted ahead of the app's header middleware: a `101 Switching Protocols` answer takes no
 * headers after the fact.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiDeps, ApiEnv } from "../api/context.ts";
import { ApiError } from "../api/errors.ts";
import { authenticate, requireRole } from "../auth/middleware.ts";

/** Path of the live feed. */
export const LIVE_PATH = "/api/v1/ws/live";

async function noop(): Promise<void> {}

function checkOrigin(c: Context<ApiEnv>, deps: ApiDeps): void {
  if (c.req.header("authorization")) return;
  const origin = c.req.header("origin");
  const own = new URL(c.req.url).origin;
  if (origin === own || (origin !== undefined && deps.allowedOrigins.includes(origin))) return;
  throw new ApiError(
    403,
    "csrf",
    origin === undefined
      ? "Cannot open the live feed without an Origin header"
      : `Cannot open the live feed from origin ${JSON.stringify(origin.slice(0, 200))}`,
  );
}

/** The handler of {@linkcode LIVE_PATH}. */
export function liveFeedHandler(deps: ApiDeps, clientIp: (c: Context<ApiEnv>) => string | null) {
  return async function liveFeed(c: Context<ApiEnv>): Promise<Response> {
    c.set("deps", deps);
    c.set("clientIp", clientIp(c));
    await authenticate()(c, noop);
    await requireRole("viewer")(c, noop);
    checkOrigin(c, deps);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "upgrade_required", "Cannot answer: open this address as a WebSocket");
    }
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
    deps.live.attach(socket);
    return response;
  };
}
