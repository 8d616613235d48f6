/**
 * The `[web]` section of the configuration (part of config/schema.ts): where the web server
 * listens, its TLS files, sessions, the login rate limit, the TOTP rule for admins and the size
 * limit of uploaded captures.
 *
 * @module
 */

import { z } from "zod";

/** `host:port` or `[v6]:port`. */
const LISTEN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** `[web]`: every key optional; the default listens on the loopback only. */
export const WebConfigSchema = z.object({
  /** `ADDRESS:PORT` of the web server; a non-loopback address requires TLS (or `insecure_http`). */
  listen: z.string().regex(LISTEN, "must be ADDRESS:PORT such as 127.0.0.1:8080 or [::1]:8080")
    .refine((value) => Number(LISTEN.exec(value)?.[2]) <= 65535, "the port must be at most 65535")
    .default("127.0.0.1:8080"),
  /** PEM certificate (chain) file; with `tls_key`, the server speaks HTTPS. */
  tls_cert: z.string().default(""),
  /** PEM private key file. */
  tls_key: z.string().default(""),
  /** Serve plain HTTP on a non-loopback address anyway (passwords and cookies in clear; warned). */
  insecure_http: z.boolean().default(false),
  /** Origins allowed on state-changing requests besides the server's own (behind a reverse proxy). */
  allowed_origins: z.array(
    z.string().regex(/^https?:\/\/[^/]+$/, "must be an origin such as https://ns.example"),
  ).default([]),
  /** Minutes without a request after which a session ends. */
  session_idle_minutes: z.number().int().min(1).max(1440).default(30),
  /** Hours after sign-in after which a session ends anyway. */
  session_max_hours: z.number().int().min(1).max(720).default(12),
  /** Failed sign-ins allowed per user name, and per client address, in `login_window_minutes`. */
  login_attempts_per_user: z.number().int().min(1).max(1000).default(5),
  login_attempts_per_address: z.number().int().min(1).max(100_000).default(20),
  login_window_minutes: z.number().int().min(1).max(1440).default(15),
  /** Largest capture file an upload may send (`POST /api/v1/captures`), MiB. */
  upload_max_mb: z.number().min(1).max(1_048_576).default(1024),
  /** Admins must set up a TOTP second factor before anything else. */
  require_totp_for_admins: z.boolean().default(false),
}).strict().default({});

/** A validated `[web]` section. */
export type WebConfig = z.infer<typeof WebConfigSchema>;
