/**
 * The UI's forms change things through the API's own routes, called in process: the sign-in form
 * posts to `/api/v1/auth/login`, the device form patches `/api/v1/devices/{id}`, and so on. The same
 * validation, rate limit, CSRF rule (the browser's Origin is passed on), roles and audit apply, and
 * the answer's cookies are passed back to the browser.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../api/context.ts";

/** Calls the app (for `/api/v1/...`), as `app.fetch` does. */
export type ApiFetch = (
  request: Request,
  env: ApiEnv["Bindings"] | undefined,
) => Response | Promise<Response>;

/** What the API answered: status, parsed JSON body (or null), the Set-Cookie headers. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T | null;
  cookies: string[];
  /** The error's message and field, when the answer is one. */
  error: { code: string; message: string; field?: string } | null;
}

/** Calls `/api/v1${path}` with the browser's origin, cookie and user agent. */
export async function callApi<T = unknown>(
  api: ApiFetch,
  c: Context<ApiEnv>,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const headers = new Headers({ accept: "application/json" });
  for (const name of ["origin", "sec-fetch-site", "cookie", "user-agent"]) {
    const value = c.req.header(name);
    if (value !== undefined) headers.set(name, value);
  }
  if (body !== undefined) headers.set("content-type", "application/json");
  const url = new URL(`/api/v1${path}`, c.req.url);
  const answer = await api(
    new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    c.env,
  );
  const text = await answer.text();
  let parsed: unknown = null;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const error = answer.status >= 400
    ? (parsed as { error?: ApiAnswer["error"] } | null)?.error ??
      { code: "error", message: `The server answered ${answer.status}` }
    : null;
  return {
    status: answer.status,
    body: error ? null : parsed as T,
    cookies: answer.headers.getSetCookie(),
    error,
  };
}
