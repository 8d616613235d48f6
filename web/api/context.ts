/**
 * What the routes share: the app's dependencies and the per-request variables (who is asking).
 *
 * @module
 */

import type { Database } from "../../storage/database.ts";
import type { PasswordCost } from "../../storage/accounts/password.ts";
import type { SessionPolicy } from "../../storage/accounts/sessions.ts";
import type { TokenScope } from "../../storage/accounts/tokens.ts";
import type { User } from "../../storage/accounts/users.ts";
import type { LoginRateLimiter } from "../auth/rate_limit.ts";
import type { CaptureRecord, CaptureStatus } from "../../model/capture_status.ts";
import type { LiveHub } from "../live/hub.ts";

/** State of a part of the appliance for `/health`. */
export interface PartHealth {
  status: "ok" | "degraded" | "down" | "absent";
  detail?: string;
  [key: string]: unknown;
}

/** An uploaded capture file, written to disk, to import. */
export interface UploadedCapture {
  /** Where the file is. */
  path: string;
  /** Its name as uploaded. */
  name: string;
  size_bytes: number;
  uploaded_by: string;
}

/** Imports captures into the appliance's inventory (the appliance's pipeline). */
export interface CaptureImporter {
  /** Folder the uploaded files are written to. */
  readonly uploadDir: string;
  /** Queues a file; returns its record (`queued`). */
  add(file: UploadedCapture): CaptureRecord;
  /** Every capture, newest first. */
  list(): CaptureRecord[];
  get(id: string): CaptureRecord | undefined;
}

/** Everything the API needs, given once to {@linkcode createApi}. */
export interface ApiDeps {
  db: Database;
  /** argon2id cost of new hashes. */
  passwordCost: PasswordCost;
  sessions: SessionPolicy;
  limiter: LoginRateLimiter;
  /** Set the cookie's `Secure` flag (the server speaks TLS). */
  secureCookies: boolean;
  /** Origins allowed on state-changing cookie requests besides the request's own (a reverse proxy's). */
  allowedOrigins: readonly string[];
  /** Admins must have a TOTP second factor before they can do anything but set one up. */
  requireTotpForAdmins: boolean;
  /** When the process started (ms since the epoch), for `uptime_s`. */
  startedAt: number;
  /** DHCP servers allowed on the network (`[identify] allowed_dhcp_servers`); any other is rogue. */
  allowedDhcpServers: readonly string[];
  /** Capture and bus state, from the appliance that runs the server. */
  health: () => { capture: PartHealth; bus: PartHealth };
  /** Where errors and security events are written (one line each). */
  log: (line: string) => void;
  /** The capture pipeline's importer; absent in a web server alone (uploads answer 503). */
  captures?: CaptureImporter;
  /** Largest upload accepted, bytes (`[web] upload_max_mb`). */
  uploadMaxBytes: number;
  /** What the capture is doing (`GET /capture/status`, the live feed's rates). */
  captureStatus: () => CaptureStatus;
  /** The live feed of `WS /ws/live`. */
  live: LiveHub;
}

/** Who is asking. */
export interface Principal {
  user: User;
  /** `session`: a browser cookie; `token`: an API token with its scope. */
  via: "session" | "token";
  scope: TokenScope | "session";
  /** Hex SHA-256 of the session token (to end it at logout). */
  sessionDigest?: string;
}

/** Hono environment of the API. */
export interface ApiEnv {
  Bindings: { remoteAddr?: { hostname: string } };
  Variables: { deps: ApiDeps; principal: Principal | null; clientIp: string | null };
}
