/**
 * Residency: an export goes only to an endpoint whose host is in `[export] allowed_endpoints`
 * (by default OVH's Québec region alone). The check reads the configured URL only: it runs before
 * any name lookup, connection or process start.
 *
 * @module
 */

/** An endpoint the export may not use. */
export class ResidencyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResidencyError";
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The endpoint as a URL, once it passes the allow-list: an entry `host` allows that host on the
 * scheme's default port, `host:port` that port. HTTPS is required, except to a loopback address
 * (a local gateway or a test server).
 *
 * @throws {ResidencyError} with one line naming the endpoint and the allow-list
 */
export function checkResidency(endpoint: string, allowed: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ResidencyError(
      `Cannot export to "${endpoint}": it is not a URL such as https://s3.ca-1.cloud.ovh.net`,
    );
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.test(url.hostname))) {
    throw new ResidencyError(
      `Cannot export to ${url.origin}: only https:// endpoints are allowed (plain http only to a loopback address)`,
    );
  }
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  const ok = allowed.some((entry) => {
    const wanted = entry.trim().toLowerCase();
    return wanted === host || (wanted === hostname && url.port === "");
  });
  if (!ok) {
    throw new ResidencyError(
      `Cannot export to ${url.origin}: ${host} is not in [export] allowed_endpoints (${
        allowed.join(", ") || "empty"
      }); exports stay in the allowed region`,
    );
  }
  if (url.pathname !== "/" || url.search !== "" || url.username !== "" || url.password !== "") {
    throw new ResidencyError(
      `Cannot export to ${url.origin}: the endpoint must be https://host[:port] alone`,
    );
  }
  return url;
}

/** The `--allow-net` value of the uploader: `host:port`, the port written out. */
export function netScope(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}

/** The signing region: the configured one, else `<region>` of `s3.<region>.…`, else us-east-1. */
export function signingRegion(url: URL, configured: string): string {
  if (configured) return configured;
  return /^s3\.([a-z0-9-]+)\./i.exec(url.hostname)?.[1] ?? "us-east-1";
}
