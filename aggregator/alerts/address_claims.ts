/**
 * Alerts about one IP address claimed by several MACs (arpwatch's "changed ethernet address" and
 * "flip flop"):
 *
 * | type                 | severity | when                                                                     |
 * | -------------------- | -------- | ------------------------------------------------------------------------ |
 * | `device.mac_changed` | notice   | the address is now answered by another MAC, the old one silent before    |
 * | `ip.conflict`        | warning  | two MACs claim the address over the same time                            |
 * | `arp.spoofing`       | critical | as `ip.conflict`, and the address is a gateway's, or the new MAC claims  |
 * |                      |          | addresses of two or more other devices at once                           |
 *
 * Only claims a device announced (ARP, NDP, DHCP) count: two routers forwarding for one remote
 * address both send from it, and that is no conflict.
 *
 * @module
 */

import type { RaisedAlert } from "./alert.ts";
import { type AddressClaim, groupClaims } from "./devices.ts";

function overlaps(a: AddressClaim, b: AddressClaim): boolean {
  return a.firstUs <= b.lastUs && b.firstUs <= a.lastUs;
}

/** MAC → how many addresses it claims that another MAC claims over the same time. */
function contestedCounts(groups: Iterable<AddressClaim[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const group of groups) {
    const contested = new Set<string>();
    for (const a of group) {
      for (const b of group) if (a.mac !== b.mac && overlaps(a, b)) contested.add(a.mac);
    }
    for (const mac of contested) counts.set(mac, (counts.get(mac) ?? 0) + 1);
  }
  return counts;
}

/**
 * Alerts of every address claimed by two MACs.
 *
 * @param claims stored claims of the batch's addresses, every MAC that claims them (those not
 *   announced are ignored)
 */
export function addressClaimAlerts(claims: readonly AddressClaim[]): RaisedAlert[] {
  const announced = claims.filter((claim) => claim.announced);
  const groups = groupClaims(announced, (claim) => `${claim.ip}|${claim.vlan ?? ""}`);
  const contested = contestedCounts(groups.values());
  const out: RaisedAlert[] = [];
  for (const group of groups.values()) {
    for (let i = 1; i < group.length; i++) {
      const after = group[i];
      for (const before of group.slice(0, i)) {
        if (before.mac === after.mac) continue;
        const vlan = after.vlan ?? "";
        const evidence = {
          firstUs: Math.min(before.lastUs, after.firstUs),
          lastUs: Math.max(before.lastUs, after.firstUs),
          before: before.mac,
          after: after.mac,
          facts: { ip: after.ip },
        };
        if (!overlaps(before, after)) {
          out.push({
            type: "device.mac_changed",
            severity: "notice",
            message: `${after.ip} is now answered by ${after.mac} (was ${before.mac})`,
            macs: [after.mac, before.mac],
            dedupKey: `${after.ip}|${vlan}|${before.mac}>${after.mac}`,
            count: 1,
            evidence,
          });
          continue;
        }
        const spoofer = (contested.get(after.mac) ?? 0) >= 2 || before.gateway ? after.mac : undefined;
        const pair = [before.mac, after.mac].sort().join("|");
        out.push(
          spoofer === undefined
            ? {
              type: "ip.conflict",
              severity: "warning",
              message: `${after.ip} is claimed by ${before.mac} and ${after.mac}`,
              macs: [after.mac, before.mac],
              dedupKey: `${after.ip}|${vlan}|${pair}`,
              count: 1,
              evidence,
            }
            : {
              type: "arp.spoofing",
              severity: "critical",
              message: `${spoofer} claims ${after.ip}, the address of ${before.mac}`,
              macs: [after.mac, before.mac],
              dedupKey: `${after.ip}|${vlan}|${pair}`,
              count: 1,
              evidence: { ...evidence, facts: { ip: after.ip, contested: contested.get(after.mac) ?? 0 } },
            },
        );
      }
    }
  }
  return out;
}
