import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { DRIVERS } from "../storage/_testing.ts";
import { WebConfigSchema } from "../config/web_schema.ts";
import { isLoopback, parseListen, startWebServer, WebServerError } from "./server.ts";
import { TEST_COST } from "./_testing.ts";

/** A test CA and a certificate it signs for 127.0.0.1 (rustls refuses a self-signed CA as a server certificate); returns the CA's PEM. */
async function makeCertificate(dir: string, cert: string, key: string): Promise<string> {
  const run = async (...args: string[]) => {
    const done = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
      .output();
    if (done.code !== 0) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(done.stderr)}`);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run(
    "req",
    "-x509",
    ...ec,
    "-subj",
    "/CN=NetSentinel test CA",
    "-days",
    "1",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  );
  await run("req", ...ec, "-subj", "/CN=localhost", "-keyout", key, "-out", "leaf.csr");
  await Deno.writeTextFile(join(dir, "leaf.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
  await run(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    "leaf.ext",
    "-out",
    cert,
  );
  return await Deno.readTextFile(join(dir, "ca.pem"));
}

const postgres = DRIVERS.find((driver) => driver.name === "postgres")!;

Deno.test("parseListen() and isLoopback()", () => {
  deepStrictEqual(parseListen("127.0.0.1:8080"), { hostname: "127.0.0.1", port: 8080 });
  deepStrictEqual(parseListen("[::1]:0"), { hostname: "::1", port: 0 });
  for (const bad of ["8080", "host:", "host:65536", "a b:80"]) {
    try {
      parseListen(bad);
      throw new Error(`accepted ${bad}`);
    } catch (error) {
      ok(error instanceof WebServerError, bad);
    }
  }
  deepStrictEqual(
    ["127.0.0.1", "127.9.9.9", "::1", "localhost", "0.0.0.0", "10.0.0.1", "::"].map(isLoopback),
    [
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ],
  );
});

Deno.test({
  name: `startWebServer() over a real port: first admin, sign-in, TLS, refusals [postgres]${
    postgres.skip ? ` (${postgres.skip})` : ""
  }`,
  ignore: postgres.skip !== null,
  async fn(t) {
    const scratch = await postgres.open();
    const logged: string[] = [];
    const log = (line: string) => logged.push(line);
    try {
      await t.step(
        "plain HTTP on the loopback; the one-time password works once over the socket",
        async () => {
          const server = await startWebServer({
            config: WebConfigSchema.parse({ listen: "127.0.0.1:0" }),
            db: scratch.db,
            log,
            passwordCost: TEST_COST,
          });
          try {
            ok(server.port > 0 && server.url === `http://127.0.0.1:${server.port}`);
            const line = logged.find((entry) => entry.startsWith("first start"))!;
            const password = /one-time password (\S+)/.exec(line)![1];
            const health = await (await fetch(`${server.url}/api/v1/health`)).json();
            strictEqual(health.status, "ok");
            const login = await fetch(`${server.url}/api/v1/auth/login`, {
              method: "POST",
              headers: { origin: server.url, "content-type": "application/json" },
              body: JSON.stringify({ username: "admin", password }),
            });
            strictEqual(login.status, 200);
            strictEqual((await login.json()).must_change_password, true);
            const [audit] = await scratch.db.query<{ ip: string }>(
              "SELECT host(ip_address) AS ip FROM audit_log WHERE action = 'login'",
            );
            strictEqual(audit.ip, "127.0.0.1", "the client address comes from the socket");
          } finally {
            await server.shutdown();
          }
          const again = await startWebServer({
            config: WebConfigSchema.parse({ listen: "127.0.0.1:0" }),
            db: scratch.db,
            log,
          });
          await again.shutdown();
          strictEqual(logged.filter((entry) => entry.startsWith("first start")).length, 1, "printed once");
        },
      );

      await t.step("HTTPS with a certificate signed by a CA; HSTS", async () => {
        const dir = await Deno.makeTempDir({ prefix: "netsentinel-tls-" });
        const cert = join(dir, "cert.pem");
        const key = join(dir, "key.pem");
        const ca = await makeCertificate(dir, cert, key);
        const server = await startWebServer({
          config: WebConfigSchema.parse({ listen: "127.0.0.1:0", tls_cert: cert, tls_key: key }),
          db: scratch.db,
          log,
        });
        const client = Deno.createHttpClient({ caCerts: [ca] });
        try {
          ok(server.url.startsWith("https://127.0.0.1:"));
          const answer = await fetch(`${server.url}/api/v1/auth/login`, {
            client,
            method: "POST",
            headers: { origin: server.url, "content-type": "application/json" },
            body: JSON.stringify({ username: "nobody", password: "x" }),
          });
          strictEqual(answer.status, 401);
          await answer.body?.cancel();
          ok(/max-age=/.test(answer.headers.get("strict-transport-security") ?? ""));
        } finally {
          client.close();
          await server.shutdown();
          await Deno.remove(dir, { recursive: true });
        }
      });

      await t.step(
        "refusals: no TLS off the loopback, half a TLS pair, an unreadable key, a port in use",
        async () => {
          const start = (web: Record<string, unknown>, insecureHttp?: boolean) =>
            startWebServer({ config: WebConfigSchema.parse(web), db: scratch.db, log, insecureHttp });
          await rejects(
            start({ listen: "0.0.0.0:0" }),
            /Cannot listen on 0\.0\.0\.0:0 without TLS: set \[web\] tls_cert/,
          );
          await rejects(
            start({ listen: "127.0.0.1:0", tls_cert: "/nope.pem" }),
            /set both \[web\] tls_cert and tls_key/,
          );
          await rejects(
            start({ listen: "127.0.0.1:0", tls_cert: "/nope.pem", tls_key: "/nope.key" }),
            /Cannot read the TLS certificate \/nope\.pem/,
          );
          const open = await start({ listen: "0.0.0.0:0" }, true);
          ok(logged.some((line) => line.includes("plain HTTP")), "warned");
          await rejects(
            start({ listen: `127.0.0.1:${open.port}` }),
            /Cannot listen on 127\.0\.0\.1:\d+: the address is in use/,
          );
          await open.shutdown();
        },
      );
    } finally {
      await scratch.dispose();
    }
  },
});
