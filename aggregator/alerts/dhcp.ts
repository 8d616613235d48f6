/**
 * `dhcp.rogue_server` (critical): a DHCP server that should not answer, by the inventory's own rule
 * (`aggregator/identify/dhcp_servers.ts`: with an allowed list, every server not in it; without,
 * every server of a subnet where several answer).
 *
 * @module
 */

import { rogueServers } from "../identify/dhcp_servers.ts";
import type { EventFact } from "../inventory_types.ts";
import type { RaisedAlert } from "./alert.ts";

/**
 * Alerts for rogue DHCP servers.
 *
 * @param answers DHCP OFFER/ACK events heard (the batch's and the stored ones)
 * @param allowed `[identify] allowed_dhcp_servers`
 */
export function rogueDhcpAlerts(answers: EventFact[], allowed: readonly string[]): RaisedAlert[] {
  return rogueServers(answers, [...allowed]).map((rogue) => ({
    type: "dhcp.rogue_server",
    severity: "critical",
    message: `Rogue DHCP server ${rogue.server}${
      rogue.mac === null ? "" : ` (${rogue.mac})`
    }: ${rogue.reason}`,
    macs: rogue.mac === null ? [] : [rogue.mac],
    dedupKey: rogue.server,
    count: 1,
    evidence: {
      firstUs: Date.parse(rogue.first_seen) * 1000,
      lastUs: Date.parse(rogue.last_seen) * 1000,
      after: rogue.server,
      facts: { subnets: rogue.subnets.join(" "), messages: rogue.messages },
    },
  }));
}
