/**
 * `listInterfaces()` and `netsentinel interfaces` in a throw-away network namespace, where the
 * interfaces, their state, MACs and addresses are known.
 */
import assert from "node:assert/strict";
import { NETNS, Netns } from "./netns.ts";
import { INTERFACES_HELP, runInterfaces } from "../cli/interfaces.ts";
import { UsageError } from "../cli/usage_error.ts";

const CLI = new URL("../cli/interfaces.ts", import.meta.url).href;
const suffix = NETNS.note;

/** Runs `netsentinel interfaces ARGS` inside the namespace (through cli/interfaces.ts). */
async function interfacesIn(ns: Netns, args: string[]): Promise<string> {
  const code = `import { runInterfaces } from ${JSON.stringify(CLI)};\n` +
    `Deno.exit(await runInterfaces(${JSON.stringify(args)}));`;
  return await ns.exec(Deno.execPath(), ["eval", "--ext=ts", code]);
}

Deno.test({
  name: `interfaces --json reports names, link types, MACs, addresses and state${suffix}`,
  ignore: NETNS.skip,
  async fn() {
    await using ns = await Netns.create();
    await ns.exec("ip", ["addr", "add", "192.0.2.10/24", "dev", ns.sendIface]);
    const link = (iface: string) =>
      ns.exec("ip", ["-j", "link", "show", "dev", iface]).then((t) => JSON.parse(t)[0]);
    const capture = await link(ns.captureIface);
    const send = await link(ns.sendIface);
    // `interfaces --json` uses the inventory's snake_case keys.
    const list = JSON.parse(await interfacesIn(ns, ["--json"])) as Record<string, unknown>[];
    assert.deepEqual(list.map((info) => info.name), ["lo", "veth-cap", "veth-send", "any"]);
    const [lo, cap, sender, any] = list;
    assert.deepEqual(lo, {
      name: "lo",
      link_type: 1,
      link_type_name: "ETHERNET",
      arphrd: 772,
      mac: null,
      addresses: [],
      up: false,
      running: false,
      loopback: true,
      capturable: false,
      reason: "down (ip link set lo up)",
    });
    assert.deepEqual(cap, {
      name: "veth-cap",
      link_type: 1,
      link_type_name: "ETHERNET",
      arphrd: 1,
      mac: capture.address,
      addresses: [],
      up: true,
      running: true,
      loopback: false,
      capturable: true,
      reason: null,
    });
    assert.equal(sender.mac, send.address);
    assert.deepEqual(sender.addresses, [{ family: "ipv4", address: "192.0.2.10", prefix_length: 24 }]);
    assert.equal(any.link_type_name, "LINUX_SLL");
    assert.equal(any.capturable, true);
  },
});

Deno.test({
  name: `netsentinel interfaces prints a table${suffix}`,
  ignore: NETNS.skip,
  async fn() {
    await using ns = await Netns.create();
    const lines = (await interfacesIn(ns, [])).trimEnd().split("\n");
    assert.match(lines[0], /^INTERFACE\s+STATE\s+LINK TYPE\s+MAC\s+ADDRESSES\s+CAPTURE$/);
    assert.match(lines[1], /^lo\s+down\s+ETHERNET \(loopback\)\s+-\s+-\s+no: down \(ip link set lo up\)$/);
    assert.match(lines[2], /^veth-cap\s+up\s+ETHERNET\s+([0-9a-f]{2}:){5}[0-9a-f]{2}\s+-\s+yes$/);
    assert.match(lines[4], /^any\s+up\s+LINUX_SLL\s+-\s+-\s+yes$/);
  },
});

Deno.test("netsentinel interfaces --help, and a stray argument is a usage error", async () => {
  const log = console.log;
  const printed: string[] = [];
  console.log = (text: string) => printed.push(text);
  try {
    assert.equal(await runInterfaces(["--help"]), 0);
  } finally {
    console.log = log;
  }
  assert.deepEqual(printed, [INTERFACES_HELP]);
  await assert.rejects(
    () => runInterfaces(["eth0"]),
    (error: unknown) =>
      error instanceof UsageError && error.message === 'Cannot list interfaces: unexpected argument "eth0"',
  );
});
