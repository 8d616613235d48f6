/**
 * Flows summed per MAC pair and direction against tshark's `-z conv,eth`, on every shared capture
 * and on the sample plant, for the traffic the TCP/UDP flow cross-check (tshark_crosscheck_test.ts)
 * does not see one flow at a time: ICMP and ICMPv6, ARP, and L2 protocols (LLDP, STP, CDP, GOOSE,
 * PROFINET, BACnet/Ethernet…), plus all frames together.
 *
 * | class | tshark table filter             | NetSentinel flows                         |
 * | ----- | ------------------------------- | ----------------------------------------- |
 * | all   | none                            | every flow                                |
 * | icmp  | `icmp \|\| icmpv6`              | IP protocol 1 or 58                       |
 * | arp   | `arp`                           | EtherType 0x0806                          |
 * | l2    | `!ip && !ipv6 && !arp`          | no IP protocol, not ARP (LLC frames too)  |
 *
 * Deliberate differences: tshark prints conversation bytes rounded down to SI units above 999
 * (`26 kB`), so bytes are compared in the unit tshark shows (frames exactly); flows without MACs
 * (NULL/loopback captures) are not Ethernet conversations and are left out; an ICMP error quoting
 * a TCP or UDP header is an ICMP frame on both sides (tshark's `icmp` matches it, NetSentinel keys
 * it on the outer protocol). A fragmented ICMP message would differ (tshark shows `icmp` on the
 * first or reassembled fragment only); no capture here has one.
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import type { Flow } from "../aggregator/inventory_types.ts";
import { inventoryOf, sorted, testOnEveryCapture } from "./tshark_oracle.ts";
import { shownBytesMatch, tsharkEthConversations } from "./tshark_tables.ts";

const CLASSES: { name: string; filter: string; picks: (flow: Flow) => boolean }[] = [
  { name: "all", filter: "", picks: () => true },
  { name: "icmp", filter: "icmp || icmpv6", picks: (f) => f.ip_protocol === 1 || f.ip_protocol === 58 },
  { name: "arp", filter: "arp", picks: (f) => f.ethertype === 0x0806 },
  {
    name: "l2",
    filter: "!ip && !ipv6 && !arp",
    picks: (f) => f.ip_protocol === null && f.ethertype !== 0x0806,
  },
];

async function assertConversationsAgree(path: string): Promise<void> {
  const [doc, tables] = await Promise.all([
    inventoryOf(path),
    tsharkEthConversations(path, CLASSES.map((c) => (c.filter === "" ? "conv,eth" : `conv,eth,${c.filter}`))),
  ]);
  CLASSES.forEach((cls, i) => {
    const flows = new Map<string, { frames: number; bytes: number }>();
    for (const flow of doc.flows) {
      if (flow.src_mac === null || flow.dst_mac === null || !cls.picks(flow)) continue;
      const key = `${flow.src_mac}>${flow.dst_mac}`;
      const sum = flows.get(key) ?? { frames: 0, bytes: 0 };
      sum.frames += flow.packet_count;
      sum.bytes += flow.byte_count;
      flows.set(key, sum);
    }
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const [key, shown] of tables[i]) {
      if (shown.frames === 0) continue;
      want[key] = `${shown.frames} frames, ${shown.bytes}`;
      const sum = flows.get(key);
      // Shown in tshark's unit when the bytes round to it, else the exact figure (which then differs).
      got[key] = sum === undefined
        ? "none"
        : `${sum.frames} frames, ${
          shownBytesMatch(sum.bytes, shown.bytes) ? shown.bytes : `${sum.bytes} bytes`
        }`;
    }
    for (const [key, sum] of flows) got[key] ??= `${sum.frames} frames, ${sum.bytes} bytes (not in tshark)`;
    deepStrictEqual(
      Object.fromEntries(sorted(Object.entries(got))),
      Object.fromEntries(sorted(Object.entries(want))),
      `${cls.name} flows per MAC pair (src>dst)`,
    );
  });
}

testOnEveryCapture("ICMP, ARP and L2 flows per MAC pair equal tshark -z conv,eth", assertConversationsAgree);
