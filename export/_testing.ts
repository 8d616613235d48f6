/**
 * Test helpers of the export: a PGlite database filled from shared captures, and a real
 * S3-compatible server (s3rver) behind a gateway that checks Signature V4 (s3rver checks the
 * access key but not a V4 signature): a request signed with a wrong secret, or whose body does not
 * match its signed SHA-256, is refused with 403 SignatureDoesNotMatch / 400 as S3 does.
 *
 * @module
 */

import S3rver from "s3rver";
import { AwsClient, AwsV4Signer } from "aws4fetch";
import { join } from "node:path";
import { DRIVERS, flushRecordsOf, type ScratchDatabase } from "../storage/_testing.ts";
import { Persistence } from "../storage/persistence.ts";
import { SHARED_PCAPS_DIR } from "../tests/shared_pcaps.ts";
import { sha256Hex } from "./objects.ts";

/** Small captures on different days: Modbus/TCP, S7comm, DHCP. */
export const EXPORT_CAPTURES = [
  "modbus_tcp_test_data_part1.pcap",
  "s7comm_reading_plc_status.pcap",
  "dhcp_zeek_dhcp.pcap",
];

/** A key for tests (64 hex characters). */
export const TEST_EXPORT_KEY = "7f".repeat(16) + "0123456789abcdef".repeat(2);

/** A database (PGlite by default) with `captures` imported through the persistence path. */
export async function exportDatabase(
  captures: readonly string[] = EXPORT_CAPTURES,
  driver: "pglite" | "postgres" = "pglite",
): Promise<ScratchDatabase> {
  const scratch = await DRIVERS.find((candidate) => candidate.name === driver)!.open();
  const persistence = new Persistence(scratch.db);
  const boot = crypto.randomUUID();
  let seq = 0;
  for (const name of captures) {
    for (const record of await flushRecordsOf(join(SHARED_PCAPS_DIR, name), 1000)) {
      await persistence.apply({ sensor: "test", boot, seq: seq++, record });
    }
  }
  return scratch;
}

/** The S3 server of a test. */
export interface TestS3 {
  /** `http://127.0.0.1:PORT` (the signature-checking gateway). */
  endpoint: string;
  /** `127.0.0.1:PORT`, for `allowed_endpoints`. */
  host: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** A client with the right keys (to read back what was uploaded). */
  client: AwsClient;
  /** Requests the gateway received. */
  requests: number;
  close(): Promise<void>;
}

const ACCESS_KEY = "S3RVER";
const SECRET_KEY = "S3RVER";

function s3Error(status: number, code: string, message: string): Response {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    { status, headers: { "content-type": "application/xml" } },
  );
}

async function checkSignature(request: Request, body: Uint8Array<ArrayBuffer>): Promise<Response | null> {
  const authorization = request.headers.get("authorization") ?? "";
  const parts =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/
      .exec(authorization);
  if (!parts) return s3Error(403, "AccessDenied", "Signature V4 is required");
  const [, accessKey, , region, signedHeaders, signature] = parts;
  if (accessKey !== ACCESS_KEY) return s3Error(403, "InvalidAccessKeyId", "The access key does not exist");
  const headers = new Headers();
  for (const name of signedHeaders.split(";")) {
    if (name !== "host") headers.set(name, request.headers.get(name) ?? "");
  }
  const hash = request.headers.get("x-amz-content-sha256");
  if (hash && hash !== "UNSIGNED-PAYLOAD" && hash !== await sha256Hex(body)) {
    return s3Error(400, "XAmzContentSHA256Mismatch", "The body does not match its signed SHA-256");
  }
  const expected = await new AwsV4Signer({
    method: request.method,
    url: request.url,
    headers,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    service: "s3",
    region,
    datetime: request.headers.get("x-amz-date") ?? "",
  }).sign();
  const computed = /Signature=([0-9a-f]{64})/.exec(expected.headers.get("authorization") ?? "")?.[1];
  if (computed !== signature) {
    return s3Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided",
    );
  }
  return null;
}

/** Starts s3rver with `bucket`, and the signature-checking gateway in front of it. */
export async function startTestS3(bucket = "netsentinel-export"): Promise<TestS3> {
  const directory = await Deno.makeTempDir({ prefix: "netsentinel-s3rver-" });
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port: backendPort } = await server.run() as unknown as { port: number };
  const state = { requests: 0 };
  const gateway = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    state.requests++;
    const body = new Uint8Array(await request.arrayBuffer());
    const refused = await checkSignature(request, body);
    if (refused) return refused;
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete("host");
    const answer = await fetch(`http://127.0.0.1:${backendPort}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: request.method === "GET" || request.method === "HEAD" ? undefined : body,
    });
    return new Response(await answer.arrayBuffer(), { status: answer.status, headers: answer.headers });
  });
  const host = `127.0.0.1:${gateway.addr.port}`;
  return {
    endpoint: `http://${host}`,
    host,
    bucket,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    client: new AwsClient({
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      service: "s3",
      region: "ca-1",
    }),
    get requests() {
      return state.requests;
    },
    async close() {
      await gateway.shutdown();
      await server.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}
