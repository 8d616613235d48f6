/**
 * The command line as a user meets it: help for every command, one-line errors for bad input,
 * partial analysis of a damaged file, JSON and CSV output.
 *
 * @module
 */

import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { type CliRun, MAIN, runCli } from "./run_cli.ts";

function cli(...args: string[]): Promise<CliRun> {
  return runCli(args);
}

Deno.test("every command answers --help with its usage", async () => {
  for (const command of ["start", "analyze", "sample"]) {
    const result = await cli(command, "--help");
    strictEqual(result.code, 0, `${command}: ${result.stderr}`);
    match(result.stdout, /Usage: netsentinel/);
  }
  const top = await cli("--help");
  strictEqual(top.code, 0);
  match(top.stdout, /Commands:/);
});

Deno.test("an unknown command or flag is a one-line usage error with status 2", async () => {
  const command = await cli("scan");
  strictEqual(command.code, 2);
  strictEqual(command.stderr.trim().split("\n").length, 1);
  match(command.stderr, /Cannot run "scan": unknown command/);
  const flag = await cli("analyze", "x.pcap", "--bogus");
  strictEqual(flag.code, 2);
  strictEqual(
    flag.stderr.trim(),
    `netsentinel: Cannot parse the arguments of "analyze": Unknown option '--bogus' (see netsentinel analyze --help)`,
  );
  const limit = await cli("analyze", "x.pcap", "--limit", "ten");
  strictEqual(limit.stderr.trim(), 'netsentinel: Cannot parse --limit: "ten" is not a positive integer');
});

Deno.test("a file that is not a capture gets one line and status 1", async () => {
  const result = await cli("analyze", MAIN);
  strictEqual(result.code, 1);
  strictEqual(result.stdout, "");
  strictEqual(
    result.stderr.trim(),
    `netsentinel: Cannot read capture file "${MAIN}": the file is not a pcap or pcapng file (magic 0x2f2a2a0a)`,
  );
  const missing = await cli("analyze", "/nonexistent.pcap");
  strictEqual(missing.code, 1);
  strictEqual(
    missing.stderr.trim(),
    'netsentinel: Cannot open capture file "/nonexistent.pcap": no such file',
  );
});

Deno.test({
  name: `a truncated capture is analysed up to the damage, then reported with its offset${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const whole = await Deno.readFile(sharedCapture("modbus_tcp_test_data_part1.pcap"));
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    // Cut 10 bytes into the last record's data (the file ends with a 60-byte ARP-size frame or longer).
    await Deno.writeFile(path, whole.subarray(0, whole.length - 30));
    const result = await cli("analyze", path, "--json", "--no-metrics");
    strictEqual(result.code, 1);
    const doc = JSON.parse(result.stdout);
    strictEqual(doc.summary.packets, 117, "every record before the damaged one is analysed");
    match(result.stderr, new RegExp(`Cannot read capture file "${path}" at offset \\d+: .*truncated`));
    strictEqual(result.stderr.includes("    at "), false, "no stack trace");
    strictEqual(doc.source.error.startsWith("Cannot read capture file"), true);
    await Deno.remove(path);
  },
});

Deno.test({
  name: `analyze --csv writes one file per table${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const dir = await Deno.makeTempDir();
    const result = await cli("analyze", sharedCapture("vlan_8021q_and_double_tag_cdp.pcap"), "--csv", dir);
    strictEqual(result.code, 0, result.stderr);
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    deepStrictEqual(names, [
      "device_ips.csv",
      "devices.csv",
      "events.csv",
      "protocols.csv",
      "traffic_flows.csv",
      "traffic_metrics.csv",
      "vlans.csv",
    ]);
    const vlans = (await Deno.readTextFile(`${dir}/vlans.csv`)).trim().split("\r\n");
    strictEqual(
      vlans[0],
      "vlan_id,outer_vlan_id,device_count,first_seen,last_seen,total_packets,total_bytes",
    );
    deepStrictEqual(vlans.slice(1).map((line) => line.split(",").slice(0, 3).join(",")).sort(), [
      "10,118,2",
      "118,,2",
      "20,209,2",
      "209,,2",
    ]);
    await Deno.remove(dir, { recursive: true });
  },
});
