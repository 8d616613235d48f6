import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, loadConfig } from "./load.ts";

Deno.test("[web] defaults: the loopback, no TLS, 30 min idle sessions", async () => {
  const config = await loadConfig(undefined, {});
  deepStrictEqual(config.web, {
    listen: "127.0.0.1:8080",
    tls_cert: "",
    tls_key: "",
    insecure_http: false,
    allowed_origins: [],
    session_idle_minutes: 30,
    session_max_hours: 12,
    login_attempts_per_user: 5,
    login_attempts_per_address: 20,
    login_window_minutes: 15,
    upload_max_mb: 1024,
    require_totp_for_admins: false,
  });
});

Deno.test("[web] from a file and the environment; bad values named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-web-config-" });
  const file = join(dir, "netsentinel.toml");
  try {
    await Deno.writeTextFile(
      file,
      '[web]\nlisten = "[::1]:8443"\nallowed_origins = ["https://ns.example"]\n',
    );
    const config = await loadConfig(file, { NETSENTINEL_WEB_REQUIRE_TOTP_FOR_ADMINS: "true" });
    deepStrictEqual([config.web.listen, config.web.allowed_origins, config.web.require_totp_for_admins], [
      "[::1]:8443",
      ["https://ns.example"],
      true,
    ]);
    for (
      const [text, pattern] of [
        ['[web]\nlisten = "8080"\n', /web\.listen.*must be ADDRESS:PORT/],
        ['[web]\nlisten = "0.0.0.0:70000"\n', /the port must be at most 65535/],
        ['[web]\nallowed_origins = ["https://ns.example/path"]\n', /must be an origin/],
        ["[web]\nsession_idle_minutes = 0\n", /session_idle_minutes/],
        ["[web]\ncolour = 1\n", /colour/],
      ] as const
    ) {
      await Deno.writeTextFile(file, text);
      await rejects(loadConfig(file, {}), (error: Error) => {
        strictEqual(error instanceof ConfigError, true);
        strictEqual(pattern.test(error.message), true, error.message);
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
