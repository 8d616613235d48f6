/**
 * Uploaded captures: `POST /captures` (operator) streams a pcap or pcapng file to disk under
 * `[web] upload_max_mb` and queues it for import into the inventory, through the same sandboxed
 * dissectors as live traffic; `GET /captures` and `GET /captures/{id}` follow the imports.
 *
 * The request body is the file's raw bytes (`Content-Type: application/octet-stream` or
 * `application/vnd.tcpdump.pcap`), its name in `?name=`. The answer is `202 {id, name, size_bytes,
 * status}`. The body is never held in memory whole: it is written as it arrives, and the upload
 * stops at the limit (413), at a first chunk that is not a capture file (400) or when the disk cannot take
 * it (507), leaving nothing.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import { join } from "node:path";
import { recordAudit } from "../../../storage/accounts/audit.ts";
import { principalOf, requireRole } from "../../auth/middleware.ts";
import type { ApiEnv, CaptureImporter } from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { parseQuery, text } from "../validate.ts";

/** Path of the upload, for the app's body limit (which does not apply to it). */
export const UPLOAD_PATH = "/api/v1/captures";

/** Content types an upload may have (none is taken as raw bytes too). */
export const UPLOAD_TYPES = ["application/octet-stream", "application/vnd.tcpdump.pcap"];

/** Query of POST /captures. */
export const UploadQuery = z.object({
  name: text(200).pipe(
    z.string().min(1).refine((name) => !/[/\\]/.test(name), "must be a file name, without folders"),
  ),
}).strict();

/** First four bytes of pcap (both byte orders, µs and ns) and pcapng files. */
const MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];

function importerOf(c: Context<ApiEnv>): CaptureImporter {
  const importer = c.get("deps").captures;
  if (!importer) {
    throw new ApiError(
      503,
      "unavailable",
      "Cannot import captures here: this web server runs without the capture pipeline " +
        "(upload to the appliance, deno task start)",
    );
  }
  return importer;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    413,
    "too_large",
    `Cannot accept a capture over ${limit / 1048576} MiB ([web] upload_max_mb)`,
  );
}

function notCapture(): ApiError {
  return new ApiError(
    400,
    "invalid",
    "Cannot import the upload: it is not a pcap or pcapng file (unknown magic number)",
    { field: "body" },
  );
}

/** 507 for an upload the disk cannot take (full, read-only). */
function cannotStore(path: string, error: unknown): ApiError {
  const reason = (error as Error).message.split("\n")[0].replace(/,? (open|write) '[^']*'$/, "");
  return new ApiError(507, "insufficient_storage", `Cannot store the upload in ${path}: ${reason}`);
}

/** Writes the body to `path` as it arrives; returns its size. Removes the file on any failure. */
async function receive(body: ReadableStream<Uint8Array>, path: string, limit: number): Promise<number> {
  const file = await Deno.open(path, { write: true, createNew: true }).catch((error) => {
    throw cannotStore(path, error);
  });
  const reader = body.getReader();
  let size = 0;
  const head = new Uint8Array(4);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (size < 4) head.set(value.subarray(0, 4 - size), size);
      size += value.byteLength;
      if (size > limit) throw tooLarge(limit);
      if (size >= 4 && size - value.byteLength < 4) {
        if (!MAGICS.includes(new DataView(head.buffer).getUint32(0, false))) throw notCapture();
      }
      let written = 0;
      try {
        while (written < value.byteLength) written += await file.write(value.subarray(written));
      } catch (error) {
        throw cannotStore(path, error);
      }
    }
    if (size < 4) throw notCapture();
    return size;
  } catch (error) {
    await reader.cancel().catch(() => {});
    file.close();
    await Deno.remove(path).catch(() => {});
    throw error;
  } finally {
    try {
      file.close();
    } catch {
      // Closed above.
    }
  }
}

/** The capture routes, mounted at `/api/v1`. */
export const captureRoutes = new Hono<ApiEnv>();

captureRoutes.post("/captures", requireRole("operator"), async (c) => {
  const deps = c.get("deps");
  const importer = importerOf(c);
  const { name } = parseQuery(c, UploadQuery);
  const type = c.req.header("content-type")?.split(";")[0].trim().toLowerCase();
  if (type !== undefined && type !== "" && !UPLOAD_TYPES.includes(type)) {
    throw new ApiError(
      415,
      "unsupported_type",
      `Cannot accept a capture sent as ${JSON.stringify(type.slice(0, 100))}: send the raw file bytes as ` +
        UPLOAD_TYPES.join(" or "),
    );
  }
  const declared = Number(c.req.header("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > deps.uploadMaxBytes) throw tooLarge(deps.uploadMaxBytes);
  const body = c.req.raw.body;
  if (body === null) throw notCapture();
  await Deno.mkdir(importer.uploadDir, { recursive: true });
  const stored = crypto.randomUUID();
  const path = join(importer.uploadDir, `${stored}.upload`);
  const size = await receive(body, path, deps.uploadMaxBytes);
  const principal = principalOf(c);
  const record = importer.add({ path, name, size_bytes: size, uploaded_by: principal.user.username });
  const accepted = { id: record.id, name: record.name, size_bytes: record.size_bytes, status: record.status };
  await recordAudit(deps.db, {
    actor: { id: principal.user.id, username: principal.user.username },
    action: "capture.upload",
    target: `capture:${record.id}`,
    details: { name, size_bytes: size },
    ip: c.get("clientIp"),
  });
  return c.json(accepted, 202);
});

captureRoutes.get("/captures", requireRole("viewer"), (c) => c.json({ items: importerOf(c).list() }));

captureRoutes.get("/captures/:id", requireRole("viewer"), (c) => {
  const id = c.req.param("id");
  if (!/^[0-9a-f-]{1,64}$/.test(id)) {
    throw new ApiError(400, "invalid", 'Cannot accept path parameter "id": must be a capture id such as 12', {
      field: "id",
    });
  }
  const record = importerOf(c).get(id);
  if (!record) throw notFound(`capture ${JSON.stringify(id)}`);
  return c.json(record);
});
