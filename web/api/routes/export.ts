/**
 * `GET /export/cmdb?format=csv|json`: the device inventory as a download, streamed from the
 * database a page at a time (storage/read/cmdb.ts). Viewers and up.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { CMDB_CONTENT_TYPES, cmdbStream } from "../../../storage/read/cmdb.ts";
import { requireRole } from "../../auth/middleware.ts";
import type { ApiEnv } from "../context.ts";
import { parseQuery } from "../validate.ts";

/** Query of GET /export/cmdb. */
export const CmdbQuery = z.object({ format: z.enum(["csv", "json"]).default("csv") }).strict();

/** The file name of an export made at `now`: `netsentinel-cmdb-2026-12-04.csv`. */
export function cmdbFileName(format: "csv" | "json", now = new Date()): string {
  return `netsentinel-cmdb-${now.toISOString().slice(0, 10)}.${format}`;
}

/** The export routes, mounted at `/api/v1`. */
export const exportRoutes = new Hono<ApiEnv>();

exportRoutes.get("/export/cmdb", requireRole("viewer"), (c) => {
  const { format } = parseQuery(c, CmdbQuery);
  const deps = c.get("deps");
  const stream = cmdbStream(deps.db, format, {
    onError: (error) => deps.log(`CMDB export cut short: ${(error as Error).message}`),
  });
  return c.body(stream, 200, {
    "Content-Type": CMDB_CONTENT_TYPES[format],
    "Content-Disposition": `attachment; filename="${cmdbFileName(format)}"`,
  });
});
