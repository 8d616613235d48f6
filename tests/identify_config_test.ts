/**
 * The `[identify]` configuration reaches the report: a DHCP server missing from
 * `allowed_dhcp_servers` is listed as rogue, one in it is not.
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { runCli } from "./run_cli.ts";

async function rogueServers(allowed: string): Promise<string[]> {
  const run = await runCli(["analyze", sharedCapture("dhcp_zeek_dhcp.pcap"), "--json"], {
    NETSENTINEL_IDENTIFY_ALLOWED_DHCP_SERVERS: allowed,
  });
  if (run.code !== 0) throw new Error(run.stderr);
  const doc = JSON.parse(run.stdout);
  return doc.dhcp.rogue_servers.map((rogue: { server: string; reason: string }) =>
    `${rogue.server}: ${rogue.reason}`
  );
}

Deno.test({
  name: `identify.allowed_dhcp_servers decides which DHCP servers are rogue${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    deepStrictEqual(await rogueServers("10.9.9.9"), [
      "128.2.6.152: sent DHCP OFFER/ACK but is not an allowed server (10.9.9.9)",
    ]);
    deepStrictEqual(await rogueServers("10.9.9.9, 128.2.6.152"), []);
  },
});
