/**
 * The API's one error shape, `{"error": {"code", "message", "field"?}}`, and the handler that turns
 * every thrown error into it: {@linkcode ApiError} as is, zod issues as 400 naming the field,
 * account errors by kind, anything else as a 500 whose cause is logged, not shown.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { AccountError } from "../../storage/accounts/account_error.ts";

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error answer: status, stable code, one-line message, the field at fault. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly field?: string;
  /** Extra response headers (`Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { field?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }
}

/** 404 with the standard body. */
export function notFound(what: string): ApiError {
  return new ApiError(404, "not_found", `Cannot find ${what}`);
}

function body(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

/** The first zod issue as a 400: its path names the field. */
function fromZod(error: ZodError, where: string): ApiError {
  const issue = error.issues[0];
  const field = issue.code === "unrecognized_keys" ? issue.keys[0] : issue.path.join(".") || undefined;
  const message = issue.code === "unrecognized_keys"
    ? `Cannot accept ${where} "${field}": unknown parameter`
    : `Cannot accept ${where}${field ? ` "${field}"` : ""}: ${issue.message}`;
  return new ApiError(400, "invalid", message, { field });
}

/** Converts a zod error into a 400 naming the field (`where`: "query parameter", "field"). */
export function invalid(error: ZodError, where: string): ApiError {
  return fromZod(error, where);
}

const ACCOUNT_STATUS = { "not-found": 404, conflict: 409, invalid: 400 } as const;
const ACCOUNT_CODE = { "not-found": "not_found", conflict: "conflict", invalid: "invalid" } as const;

/** Renders `error` as the API's error answer; unexpected errors are passed to `log` and hidden. */
export function errorResponse(error: unknown, c: Context, log: (line: string) => void): Response {
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json(body(error.code, error.message, error.field), error.status);
  }
  if (error instanceof ZodError) {
    const api = fromZod(error, "field");
    return c.json(body(api.code, api.message, api.field), 400);
  }
  if (error instanceof AccountError) {
    return c.json(body(ACCOUNT_CODE[error.kind], error.message, error.field), ACCOUNT_STATUS[error.kind]);
  }
  if (error instanceof HTTPException) {
    return c.json(
      body("http_error", error.message || "Request refused"),
      error.status as ContentfulStatusCode,
    );
  }
  log(
    `web: ${c.req.method} ${new URL(c.req.url).pathname} failed: ${
      (error as Error)?.message ?? String(error)
    }`,
  );
  return c.json(body("internal", "Cannot answer this request: internal error (logged)"), 500);
}

/** The 404 of an unknown route. */
export function routeNotFound(c: Context): Response {
  return c.json(
    body("not_found", `Cannot find ${c.req.method} ${new URL(c.req.url).pathname}: no such route`),
    404,
  );
}
