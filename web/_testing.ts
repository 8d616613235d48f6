/**
 * Test helpers of the web API: a scratch database (both drivers, storage/_testing.ts) filled by
 * importing real captures through the persistence path, one signed-in user per role, and a
 * request helper that calls the app in memory with the appliance's origin.
 *
 * @module
 */

import { join } from "node:path";
import { flushRecordsOf, type ScratchDatabase } from "../storage/_testing.ts";
import { Persistence } from "../storage/persistence.ts";
import type { PasswordCost } from "../storage/accounts/password.ts";
import { createUser, type Role, ROLES, type User } from "../storage/accounts/users.ts";
import { SHARED_PCAPS_DIR } from "../tests/shared_pcaps.ts";
import { apiDeps, type ApiDepsOptions, createWebApp } from "./app.ts";
import type { ApiDeps } from "./api/context.ts";
import { SESSION_COOKIE } from "./auth/middleware.ts";

/**
 * A cheap argon2id cost for tests (1 MiB, 1 pass): the same algorithm and code path as
 * production's OWASP cost, about 100 times faster, so a test can sign in dozens of times.
 */
export const TEST_COST: PasswordCost = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** The origin the tests' requests come from (and the URL they are sent to). */
export const ORIGIN = "http://netsentinel.test";

/** Captures imported into the test database: DHCP (four servers), Modbus, S7, VLANs + CDP, name services. */
export const CAPTURES = [
  "dhcp_zeek_dhcp.pcap",
  "dhcp_zeek_dhcp_inform.pcap",
  "dhcp_mud_hostname_raspberrypi.pcap",
  "dhcp_zeek_dhcp_time_and_nameserver.pcap",
  "modbus_tcp_test_data_part1.pcap",
  "s7comm_reading_plc_status.pcap",
  "vlan_8021q_and_double_tag_cdp.pcap",
  "dns_mdns_llmnr_mix.pcap",
];

/** How a test request is made. */
export interface RequestOptions {
  body?: unknown;
  /** Raw body bytes or text (sent as is, with `content-type` application/json unless given). */
  raw?: BodyInit;
  cookie?: string | null;
  token?: string;
  /** Origin header (default {@linkcode ORIGIN}; null: none). */
  origin?: string | null;
  ip?: string;
  headers?: Record<string, string>;
}

/** A user of a role, signed in. */
export interface SignedIn {
  user: User;
  password: string;
  cookie: string;
}

/** The app over a scratch database. */
export interface Harness {
  deps: ApiDeps;
  app: ReturnType<typeof createWebApp>;
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  /** Signs in and returns the `ns_session=…` cookie pair. */
  login(username: string, password: string, ip?: string): Promise<string>;
  as: Record<Role, SignedIn>;
}

/** Imports `captures` (from ../shared/pcaps) through `Persistence.apply`, a batch per 1 000 packets. */
export async function importCaptures(scratch: ScratchDatabase, captures = CAPTURES): Promise<void> {
  const persistence = new Persistence(scratch.db);
  const boot = crypto.randomUUID();
  let seq = 0;
  for (const name of captures) {
    for (const record of await flushRecordsOf(join(SHARED_PCAPS_DIR, name), 1000)) {
      await persistence.apply({ sensor: "test", boot, seq: seq++, record });
    }
  }
}

/** The app over `scratch`, with a signed-in user per role (`viewer1`, `operator1`, `admin1`). */
export async function harness(
  scratch: ScratchDatabase,
  options: Partial<ApiDepsOptions> = {},
): Promise<Harness> {
  const deps = apiDeps({ passwordCost: TEST_COST, log: () => {}, ...options, db: scratch.db });
  const app = createWebApp(deps);
  async function request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers = new Headers(options.headers);
    const origin = options.origin === undefined ? ORIGIN : options.origin;
    if (origin !== null) headers.set("origin", origin);
    if (options.cookie) headers.set("cookie", options.cookie);
    if (options.token) headers.set("authorization", `Bearer ${options.token}`);
    let body: BodyInit | undefined = options.raw;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    return await app.fetch(new Request(`${ORIGIN}/api/v1${path}`, { method, headers, body }), {
      remoteAddr: { hostname: options.ip ?? "192.0.2.10" },
    });
  }
  async function login(username: string, password: string, ip?: string): Promise<string> {
    const answer = await request("POST", "/auth/login", { body: { username, password }, ip });
    if (answer.status !== 200) {
      throw new Error(`Cannot sign in ${username}: ${answer.status} ${await answer.text()}`);
    }
    await answer.body?.cancel();
    return cookieOf(answer);
  }
  const as = {} as Record<Role, SignedIn>;
  for (const role of ROLES) {
    const password = `${role}-password-123`;
    const user = await createUser(scratch.db, {
      username: `${role}1`,
      password,
      role,
      mustChangePassword: false,
    }, TEST_COST);
    as[role] = { user, password, cookie: await login(user.username, password) };
  }
  return { deps, app, request, login, as };
}

/** The `ns_session=…` pair of an answer's Set-Cookie. */
export function cookieOf(answer: Response): string {
  const header = answer.headers.get("set-cookie") ?? "";
  const match = new RegExp(`${SESSION_COOKIE}=[^;]+`).exec(header);
  if (!match) throw new Error(`No session cookie in ${JSON.stringify(header)}`);
  return match[0];
}

/** The JSON body of an answer, after checking its status. */
export async function json<T = Record<string, unknown>>(answer: Response, status = 200): Promise<T> {
  const text = await answer.text();
  if (answer.status !== status) {
    throw new Error(`Expected ${status}, got ${answer.status}: ${text.slice(0, 500)}`);
  }
  return text.length === 0 ? (undefined as T) : JSON.parse(text);
}

/** The status of an answer, its body discarded. */
export async function status(answer: Response): Promise<number> {
  await answer.body?.cancel();
  return answer.status;
}
