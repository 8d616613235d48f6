import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "./load.ts";
import { ConfigSchema } from "./schema.ts";

const EXAMPLE = fileURLToPath(new URL("./netsentinel.example.toml", import.meta.url));

async function configFile(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".toml" });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("loadConfig() reads the example file as the defaults", async () => {
  deepStrictEqual(await loadConfig(EXAMPLE, {}), ConfigSchema.parse({}));
});

Deno.test("loadConfig() applies the file, then the environment", async () => {
  const path = await configFile(`
[capture]
filter = "not port 22"
[[capture.interfaces]]
name = "eth0"
[[capture.interfaces]]
name = "eth1"
promiscuous = false
[dissectors.ports]
modbus = { "tcp.port" = [502, 5020] }
`);
  const config = await loadConfig(path, {
    NETSENTINEL_DISSECTORS_WORKERS: "2",
    NETSENTINEL_AGGREGATOR_FLUSH_INTERVAL_S: "2.5",
    NETSENTINEL_CAPTURE_INTERFACES: "eth2, eth3",
    NETSENTINEL_IDENTIFY_ALLOWED_DHCP_SERVERS: "10.0.0.1, 10.0.0.2",
  });
  deepStrictEqual(config.identify.allowed_dhcp_servers, ["10.0.0.1", "10.0.0.2"]);
  strictEqual(config.capture.filter, "not port 22");
  deepStrictEqual(config.capture.interfaces.map((i) => i.name), ["eth2", "eth3"]);
  strictEqual(config.dissectors.workers, 2);
  strictEqual(config.aggregator.flush_interval_s, 2.5);
  deepStrictEqual(config.dissectors.ports, { modbus: { "tcp.port": [502, 5020] } });
  await Deno.remove(path);
});

Deno.test("loadConfig() names the file, key and problem of a bad configuration", async (t) => {
  const cases: [string, string][] = [
    ["[capture]\nsnaplen = 10\n", "capture.snaplen: Number must be greater than or equal to 64"],
    [
      '[capture]\nmode = "inline"\n',
      "capture.mode: Invalid enum value. Expected 'mirror' | 'bypass', received 'inline'",
    ],
    ["[capture]\nsnaplenn = 100\n", "capture: unknown key snaplenn"],
    [
      '[[capture.interfaces]]\nname = "eth0; rm -rf /"\n',
      "capture.interfaces.0.name: must be an interface name such as eth0",
    ],
    ['[dissectors]\nworkers = "two"\n', "dissectors.workers: Expected number, received string"],
    [
      '[identify]\nallowed_dhcp_servers = ["dhcp.example"]\n',
      "identify.allowed_dhcp_servers.0: must be an IPv4 address such as 10.0.0.1",
    ],
    [
      '[identify]\nallowed_dhcp_servers = ["10.0.0.1", "999.1.1.1"]\n',
      "identify.allowed_dhcp_servers.1: must be an IPv4 address such as 10.0.0.1",
    ],
    ["[storage]\nhold_max_mb = -1\n", "storage.hold_max_mb: Number must be greater than or equal to 0"],
    [
      '[dissectors.ports]\nmodbus = { "tcp.port" = [70000] }\n',
      "dissectors.ports.modbus.tcp.port.0: Number must be less than or equal to 65535",
    ],
  ];
  for (const [text, detail] of cases) {
    await t.step(detail, async () => {
      const path = await configFile(text);
      await rejects(
        () => loadConfig(path, {}),
        new ConfigError(`Cannot use the configuration from ${path}: ${detail}`),
      );
      await Deno.remove(path);
    });
  }
});

Deno.test("loadConfig() reports a TOML syntax error and a missing file", async () => {
  const path = await configFile("[capture\nsnaplen = 1\n");
  await rejects(
    () => loadConfig(path, {}),
    new ConfigError(
      `Cannot parse the configuration file ${path}: line 1, column 9: illegal character in key`,
    ),
  );
  await rejects(
    () => loadConfig("/nonexistent/netsentinel.toml", {}),
    new ConfigError("Cannot read the configuration file /nonexistent/netsentinel.toml: no such file"),
  );
  await rejects(
    () => loadConfig(undefined, { NETSENTINEL_DISSECTORS_WORKERS: "0" }),
    new ConfigError(
      "Cannot use the configuration from the environment: dissectors.workers (NETSENTINEL_DISSECTORS_WORKERS): " +
        "Number must be greater than or equal to 1",
    ),
  );
});

Deno.test("loadConfig() reads each environment value as the type its key expects", async () => {
  const config = await loadConfig(undefined, {
    NETSENTINEL_SENSOR_ID: "42",
    NETSENTINEL_CAPTURE_FILTER: "port 502",
    NETSENTINEL_CAPTURE_PROMISCUOUS: "no",
    NETSENTINEL_CAPTURE_SNAPLEN: "1500",
    NETSENTINEL_STORAGE_DATA_DIR: "/var/lib/netsentinel/db 1",
    NETSENTINEL_BUS_COMPRESS: "false",
    NETSENTINEL_BUS_REDIS_URL: "redis://bus:6379/0",
    NETSENTINEL_DISSECTORS_DISABLED: "mdns, ssdp",
    NETSENTINEL_DISSECTORS_PORTS: '{ modbus = { "tcp.port" = [502, 5020] } }',
    NETSENTINEL_IDENTIFY_ALLOWED_DHCP_SERVERS: '["10.0.0.1"]',
  });
  strictEqual(config.sensor.id, "42", "a text key takes the text, even when it looks like a number");
  strictEqual(config.capture.filter, "port 502");
  strictEqual(config.capture.promiscuous, false);
  strictEqual(config.capture.snaplen, 1500);
  strictEqual(config.storage.data_dir, "/var/lib/netsentinel/db 1");
  strictEqual(config.bus.compress, false);
  strictEqual(config.bus.redis_url, "redis://bus:6379/0");
  deepStrictEqual(config.dissectors.disabled, ["mdns", "ssdp"]);
  deepStrictEqual(config.dissectors.ports, { modbus: { "tcp.port": [502, 5020] } });
  deepStrictEqual(config.identify.allowed_dhcp_servers, ["10.0.0.1"], "a TOML array is read as one");
});

Deno.test("loadConfig() names the variable of a bad environment value", async (t) => {
  const cases: [Record<string, string>, string][] = [
    [
      { NETSENTINEL_CAPTURE_PROMISCUOUS: "maybe" },
      "capture.promiscuous (NETSENTINEL_CAPTURE_PROMISCUOUS): Expected boolean, received string",
    ],
    [
      { NETSENTINEL_DISSECTORS_WORKERS: "two" },
      "dissectors.workers (NETSENTINEL_DISSECTORS_WORKERS): Expected number, received string",
    ],
    [
      { NETSENTINEL_IDENTIFY_ALLOWED_DHCP_SERVERS: "10.0.0.1,999.1.1.1" },
      "identify.allowed_dhcp_servers.1 (NETSENTINEL_IDENTIFY_ALLOWED_DHCP_SERVERS): " +
      "must be an IPv4 address such as 10.0.0.1",
    ],
  ];
  for (const [env, detail] of cases) {
    await t.step(detail, async () => {
      await rejects(
        () => loadConfig(undefined, env),
        new ConfigError(`Cannot use the configuration from the environment: ${detail}`),
      );
    });
  }
});

Deno.test("loadConfig() cuts a long value in its message", async () => {
  const huge = "x".repeat(10 * 1024 * 1024);
  for (const env of [{ NETSENTINEL_CAPTURE_MODE: huge }, { [`NETSENTINEL_CAPTURE_${huge}`]: "1" }]) {
    await rejects(() => loadConfig(undefined, env), (error: Error) => {
      strictEqual(error instanceof ConfigError, true);
      strictEqual(error.message.length < 400, true, `${error.message.length} characters`);
      strictEqual(error.message.includes(`${"x".repeat(80)}… (10485760 characters)`), true, error.message);
      return true;
    });
  }
  const path = await configFile(`[capture]\nmode = "${"y".repeat(1_000_000)}"\n`);
  await rejects(() => loadConfig(path, {}), (error: Error) => {
    strictEqual(error.message.length < 400, true, `${error.message.length} characters`);
    strictEqual(error.message.includes("… (1000000 characters)"), true, error.message);
    return true;
  });
  await Deno.remove(path);
});
