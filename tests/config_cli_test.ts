/**
 * The `[dissectors]` configuration reaches the dissector workers, and bad configuration values are
 * refused by the CLI with one line: `max_errors` sets when a failing plugin is disabled, `disabled`
 * and `ports` take effect and refuse unknown names (with the close ones), environment values are
 * read as their key's type, long values are cut, and an impossible IPv4 address is refused.
 *
 * @module
 */

import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { runCli } from "./run_cli.ts";
import { BUILTIN_DISSECTORS } from "../dissectors/builtin.ts";

/** Every built-in dissector's name, sorted, as the refusal lists them. */
const BUILTIN_NAMES = BUILTIN_DISSECTORS.map((dissector) => dissector.name).sort().join(", ");

const THROWER = fileURLToPath(new URL("./fixtures/thrower", import.meta.url));

async function configFile(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".toml" });
  await Deno.writeTextFile(path, text);
  return path;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  strictEqual(lines.length, 1, `one line on stderr, got:\n${stderr.slice(0, 2000)}`);
  strictEqual(stderr.includes("    at "), false, "no stack trace");
  return lines[0];
}

/** The thrower plugin moved onto DNS's port (DNS disabled): it throws on every DNS packet. */
const THROWER_ON_DNS = `[dissectors]
disabled = ["dns"]
[dissectors.ports]
thrower = { "udp.port" = [53] }
`;

async function throwerStats(extraConfig: string, env: Record<string, string> = {}) {
  const path = await configFile(THROWER_ON_DNS.replace("[dissectors]\n", `[dissectors]\n${extraConfig}`));
  const run = await runCli([
    "analyze",
    sharedCapture("dns_mdns_llmnr_mix.pcap"),
    "--json",
    "--no-metrics",
    "--config",
    path,
    "--plugins",
    THROWER,
  ], env);
  await Deno.remove(path);
  strictEqual(run.code, 0, run.stderr);
  const stats = Object.values(JSON.parse(run.stdout).stats)[0] as {
    dissector_errors: Record<string, number>;
    disabled_dissectors: { name: string; reason: string }[];
  };
  return stats;
}

Deno.test({
  name: `[dissectors] max_errors, disabled and ports reach the dissector workers${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const byDefault = await throwerStats("");
    strictEqual(
      byDefault.dissector_errors.thrower > 5,
      true,
      "the capture has more DNS packets than the budgets",
    );
    const budget = Math.min(100, byDefault.dissector_errors.thrower);
    strictEqual(byDefault.disabled_dissectors.length, budget === 100 ? 1 : 0);

    const three = await throwerStats("max_errors = 3\n");
    strictEqual(three.dissector_errors.thrower, 3);
    deepStrictEqual(three.disabled_dissectors, [{
      name: "thrower",
      reason: "threw 3 times; last error: deliberate failure",
    }]);

    const fromEnv = await throwerStats("", { NETSENTINEL_DISSECTORS_MAX_ERRORS: "5" });
    strictEqual(fromEnv.dissector_errors.thrower, 5);
  },
});

Deno.test("a misspelt dissector name in disabled or ports is refused with the close names", async (t) => {
  const capture = await Deno.makeTempFile({ suffix: ".pcap" });
  strictEqual((await runCli(["sample", "--out", capture])).code, 0);
  const cases: [string, string][] = [
    [
      '[dissectors]\ndisabled = ["modbsu"]\n',
      'Cannot disable dissector "modbsu" ([dissectors] disabled): no dissector has that name (did you mean modbus?)',
    ],
    [
      '[dissectors.ports]\nmodbuss = { "tcp.port" = [5020] }\n',
      'Cannot move the ports of dissector "modbuss" ([dissectors.ports]): no dissector has that name ' +
      "(did you mean modbus?)",
    ],
    [
      '[dissectors]\ndisabled = ["nothing_like_it"]\n',
      'Cannot disable dissector "nothing_like_it" ([dissectors] disabled): no dissector has that name ' +
      `(known: ${BUILTIN_NAMES})`,
    ],
  ];
  for (const [text, message] of cases) {
    await t.step(message.slice(0, 40), async () => {
      const path = await configFile(text);
      const run = await runCli(["analyze", capture, "--config", path]);
      await Deno.remove(path);
      strictEqual(run.code, 2);
      strictEqual(run.stdout, "");
      strictEqual(oneLine(run.stderr), `netsentinel: ${message}`);
    });
  }
  await Deno.remove(capture);
});

Deno.test("environment values take their key's type; long values are cut; bad addresses refused", async () => {
  const capture = await Deno.makeTempFile({ suffix: ".pcap" });
  strictEqual((await runCli(["sample", "--out", capture])).code, 0);

  // A text key takes the raw text: the sensor id 42 is "42" (it was refused as a number before).
  const id = await runCli(["analyze", capture, "--no-progress"], { NETSENTINEL_SENSOR_ID: "42" });
  strictEqual(id.code, 0, id.stderr);

  const address = await runCli(["analyze", capture], {
    NETSENTINEL_IDENTIFY_ALLOWED_DHCP_SERVERS: "999.1.1.1",
  });
  strictEqual(address.code, 2);
  strictEqual(
    oneLine(address.stderr),
    "netsentinel: Cannot use the configuration from the environment: identify.allowed_dhcp_servers.0 " +
      "(NETSENTINEL_IDENTIFY_ALLOWED_DHCP_SERVERS): must be an IPv4 address such as 10.0.0.1",
  );

  // An environment variable holds at most 128 KiB on Linux; a file can hold 10 MB.
  const env = await runCli(["analyze", capture], { NETSENTINEL_CAPTURE_MODE: "m".repeat(100_000) });
  strictEqual(env.code, 2);
  match(oneLine(env.stderr), /received 'm{80}… \(100000 characters\)'$/);
  strictEqual(env.stderr.length < 400, true, `${env.stderr.length} characters`);

  const path = await configFile(`[capture]\nmode = "${"y".repeat(10 * 1024 * 1024)}"\n`);
  const file = await runCli(["analyze", capture, "--config", path]);
  await Deno.remove(path);
  strictEqual(file.code, 2);
  match(oneLine(file.stderr), /capture\.mode: .*received 'y{80}… \(10485760 characters\)'$/);
  strictEqual(file.stderr.length < 400 + path.length, true, `${file.stderr.length} characters`);
  await Deno.remove(capture);
});
