import { strictEqual, throws } from "node:assert/strict";
import { checkResidency, netScope, ResidencyError, signingRegion } from "./residency.ts";

const CA = ["s3.ca-1.cloud.ovh.net"];

Deno.test("checkResidency() allows the listed hosts and their ports only", () => {
  const allowed: [string, string[], string][] = [
    ["https://s3.ca-1.cloud.ovh.net", CA, "s3.ca-1.cloud.ovh.net:443"],
    ["https://S3.CA-1.cloud.ovh.net/", CA, "s3.ca-1.cloud.ovh.net:443"],
    ["https://s3.ca-1.cloud.ovh.net:8443", ["s3.ca-1.cloud.ovh.net:8443"], "s3.ca-1.cloud.ovh.net:8443"],
    ["http://127.0.0.1:9000", ["127.0.0.1:9000"], "127.0.0.1:9000"],
  ];
  for (const [endpoint, list, scope] of allowed) strictEqual(netScope(checkResidency(endpoint, list)), scope);
});

Deno.test("checkResidency() refuses every other endpoint with one line", () => {
  const refused: [string, string[], RegExp][] = [
    [
      "https://s3.us-east-1.amazonaws.com",
      CA,
      /is not in \[export\] allowed_endpoints \(s3\.ca-1\.cloud\.ovh\.net\)/,
    ],
    ["https://s3.ca-1.cloud.ovh.net.evil.example", CA, /is not in/],
    ["https://s3.ca-1.cloud.ovh.net:8443", CA, /s3\.ca-1\.cloud\.ovh\.net:8443 is not in/],
    ["http://s3.ca-1.cloud.ovh.net", CA, /only https:\/\/ endpoints/],
    ["https://user:pw@s3.ca-1.cloud.ovh.net", CA, /must be https:\/\/host\[:port\] alone/],
    ["https://s3.ca-1.cloud.ovh.net/bucket", CA, /alone/],
    ["s3.ca-1.cloud.ovh.net", CA, /not a URL/],
    ["https://s3.ca-1.cloud.ovh.net", [], /\(empty\)/],
  ];
  for (const [endpoint, list, expected] of refused) {
    throws(() => checkResidency(endpoint, list), (error: Error) => {
      strictEqual(error instanceof ResidencyError, true);
      strictEqual(expected.test(error.message), true, `${endpoint}: ${error.message}`);
      strictEqual(error.message.includes("\n"), false);
      return true;
    });
  }
});

Deno.test("signingRegion() takes the configured region, else the endpoint's", () => {
  strictEqual(signingRegion(new URL("https://s3.ca-1.cloud.ovh.net"), ""), "ca-1");
  strictEqual(signingRegion(new URL("https://s3.ca-1.cloud.ovh.net"), "bhs"), "bhs");
  strictEqual(signingRegion(new URL("http://127.0.0.1:9000"), ""), "us-east-1");
});
