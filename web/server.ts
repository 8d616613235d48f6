/**
 * The web server of the appliance: the Hono app (web/app.ts) on `Deno.serve`, at `[web] listen`
 * (default 127.0.0.1:8080). A non-loopback address needs TLS (`tls_cert` / `tls_key`) unless
 * `insecure_http` is set, which is warned about. On a database without users it creates the first
 * admin and prints its one-time password once.
 *
 * @example
 * ```ts ignore
 * const server = await startWebServer({ config: config.web, db });
 * console.error(`netsentinel: web UI at ${server.url}`);
 * await server.shutdown();
 * ```
 *
 * @module
 */

import type { WebConfig } from "../config/web_schema.ts";
import type { Database } from "../storage/database.ts";
import { ensureFirstAdmin } from "../storage/accounts/bootstrap.ts";
import type { PasswordCost } from "../storage/accounts/password.ts";
import { apiDeps, createWebApp } from "./app.ts";
import type { ApiDeps } from "./api/context.ts";

/** A web server that cannot start, with a one-line message. */
export class WebServerError extends Error {
  override name = "WebServerError";
}

/** Options of {@linkcode startWebServer}. */
export interface WebServerOptions {
  config: WebConfig;
  db: Database;
  /** Overrides `[web] listen` (`--listen`). */
  listen?: string;
  /** Overrides `[web] insecure_http` (`--insecure-http`). */
  insecureHttp?: boolean;
  health?: ApiDeps["health"];
  /** The appliance's capture importer (uploads; absent: uploads answer 503). */
  captures?: ApiDeps["captures"];
  /** What the capture does (`/capture/status`, the live feed's rates). */
  captureStatus?: ApiDeps["captureStatus"];
  /** Where warnings, the first admin's password and errors go (default stderr). */
  log?: (line: string) => void;
  /** argon2id cost (tests only; default OWASP). */
  passwordCost?: PasswordCost;
  /** `[identify] allowed_dhcp_servers`: any other DHCP server is rogue (empty: a second one per subnet is). */
  allowedDhcpServers?: readonly string[];
  /** The running configuration shown read-only on the UI's Settings page (default: the `[web]` section). */
  runningConfig?: () => unknown;
}

/** A running web server. */
export interface WebServer {
  /** `http(s)://host:port` it answers on. */
  url: string;
  hostname: string;
  port: number;
  tls: boolean;
  /** Closes the live feeds, stops accepting, lets requests in flight finish. */
  shutdown(): Promise<void>;
  /** Settles when the server has stopped. */
  finished: Promise<void>;
}

/** Host and port of `ADDRESS:PORT` / `[v6]:PORT`. */
export function parseListen(listen: string): { hostname: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new WebServerError(`Cannot listen on "${listen}": must be ADDRESS:PORT such as 127.0.0.1:8080`);
  }
  return { hostname: match[1] ?? match[2], port };
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new WebServerError(
      `Cannot read the TLS ${what} ${path}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
}

/**
 * Checks where the server would listen, before anything is opened: the address, and TLS on a
 * non-loopback address (unless `insecureHttp`).
 *
 * @returns whether TLS is on, and the warning to give for plain HTTP on the network (or null)
 * @throws {WebServerError} bad address, a non-loopback address without TLS, half a TLS setting
 */
export function checkListen(
  web: WebConfig,
  listen: string = web.listen,
  insecureHttp: boolean = web.insecure_http,
): { hostname: string; port: number; tls: boolean; warning: string | null } {
  const { hostname, port } = parseListen(listen);
  if ((web.tls_cert === "") !== (web.tls_key === "")) {
    throw new WebServerError("Cannot start the web server: set both [web] tls_cert and tls_key, or neither");
  }
  const tls = web.tls_cert !== "";
  let warning: string | null = null;
  if (!tls && !isLoopback(hostname)) {
    if (!insecureHttp) {
      throw new WebServerError(
        `Cannot listen on ${listen} without TLS: set [web] tls_cert and tls_key, or pass --insecure-http ` +
          "(passwords and session cookies would cross the network in clear)",
      );
    }
    warning =
      `warning: the web server listens on ${listen} over plain HTTP: passwords and cookies cross the network in clear`;
  }
  return { hostname, port, tls, warning };
}

/**
 * Starts the web server.
 *
 * @throws {WebServerError} bad address, a non-loopback address without TLS, unreadable TLS files,
 *   address in use or not permitted
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const log = options.log ?? ((line: string) => console.error(`netsentinel: ${line}`));
  const web = options.config;
  const listen = options.listen ?? web.listen;
  const { hostname, port, tls, warning } = checkListen(
    web,
    listen,
    options.insecureHttp ?? web.insecure_http,
  );
  if (warning) log(warning);
  const cert = tls ? await readPem(web.tls_cert, "certificate") : undefined;
  const key = tls ? await readPem(web.tls_key, "key") : undefined;

  const first = await ensureFirstAdmin(options.db, options.passwordCost);
  if (first) {
    log(
      `first start: created user "${first.username}" with the one-time password ${first.password} (shown once; change it at first sign-in)`,
    );
  }
  const deps = apiDeps({
    db: options.db,
    passwordCost: options.passwordCost,
    sessions: { idleSeconds: web.session_idle_minutes * 60, absoluteSeconds: web.session_max_hours * 3600 },
    rateLimit: {
      perUser: web.login_attempts_per_user,
      perAddress: web.login_attempts_per_address,
      windowSeconds: web.login_window_minutes * 60,
    },
    secureCookies: tls,
    allowedOrigins: web.allowed_origins,
    requireTotpForAdmins: web.require_totp_for_admins,
    health: options.health,
    log,
    captures: options.captures,
    uploadMaxBytes: web.upload_max_mb * 1048576,
    captureStatus: options.captureStatus,
    allowedDhcpServers: options.allowedDhcpServers,
  });
  const app = createWebApp(deps, { runningConfig: options.runningConfig ?? (() => ({ web })) });
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname, port, onListen: () => {}, ...(tls ? { cert, key } : {}) },
      (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }),
    );
  } catch (error) {
    const reason = error instanceof Deno.errors.AddrInUse
      ? "the address is in use (another NetSentinel or server?)"
      : error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable
      ? "permission denied (ports below 1024 need privileges; or --allow-net)"
      : (error as Error).message.split("\n")[0];
    throw new WebServerError(`Cannot listen on ${listen}: ${reason}`);
  }
  const bound = server.addr.port;
  const shownHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `${tls ? "https" : "http"}://${shownHost}:${bound}`,
    hostname,
    port: bound,
    tls,
    finished: server.finished,
    async shutdown() {
      deps.live.close();
      await server.shutdown();
    },
  };
}
