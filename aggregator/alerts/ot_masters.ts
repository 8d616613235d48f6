/**
 * `ot.new_master` (warning): a device starts commanding a controller — it sends writes, commands,
 * program or mode changes to it, and no command between the two was stored before this batch.
 *
 * @module
 */

import type { RaisedAlert } from "./alert.ts";

/** A (master, controller) pair that sent commands in the batch, with its stored history. */
export interface CommandPair {
  srcMac: string | null;
  srcIp: string | null;
  dstMac: string | null;
  dstIp: string | null;
  /** First command between the two ever stored (µs), this batch's included. */
  firstUs: number;
  /** First and last command of this batch (µs). */
  batchFirstUs: number;
  batchLastUs: number;
}

/** `ot.new_master` for each pair whose first command is in this batch. */
export function newMasterAlerts(pairs: readonly CommandPair[]): RaisedAlert[] {
  const out: RaisedAlert[] = [];
  for (const pair of pairs) {
    if (pair.firstUs < pair.batchFirstUs) continue;
    const master = pair.srcIp ?? pair.srcMac ?? "?";
    const controller = pair.dstIp ?? pair.dstMac ?? "?";
    out.push({
      type: "ot.new_master",
      severity: "warning",
      message: `${master} started commanding ${controller}`,
      macs: [pair.dstMac, pair.srcMac].filter((mac): mac is string => mac !== null),
      dedupKey: `${master}>${controller}`,
      count: 1,
      evidence: {
        firstUs: pair.batchFirstUs,
        lastUs: pair.batchFirstUs,
        flow: { src_mac: pair.srcMac, src_ip: pair.srcIp, dst_mac: pair.dstMac, dst_ip: pair.dstIp },
        after: master,
      },
    });
  }
  return out;
}
