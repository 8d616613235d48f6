/**
 * Device alerts: `device.new` for a MAC heard for the first time, and `device.ip_changed` when a
 * device left one IPv4 address for another on the same VLAN (the old one silent before the new one
 * was first heard). Storage passes the devices the batch inserted and every stored address claim of
 * the batch's devices.
 *
 * @module
 */

import type { RaisedAlert } from "./alert.ts";

/** A device the batch inserted. */
export interface NewDevice {
  mac: string;
  firstUs: number;
  lastUs: number;
}

/** One stored (MAC, IP, VLAN) claim with its first and last sending time (µs). */
export interface AddressClaim {
  mac: string;
  ip: string;
  vlan: number | null;
  firstUs: number;
  lastUs: number;
  /** The device is a gateway (routes for others): its addresses are not tracked. */
  gateway: boolean;
  /**
   * The device announced the address itself (ARP, NDP, DHCP), rather than only sending from it: a
   * router forwarding for a remote address sends from it too.
   */
  announced: boolean;
}

/** `device.new` (info) for each inserted device. */
export function newDeviceAlerts(devices: readonly NewDevice[]): RaisedAlert[] {
  return devices.map((device) => ({
    type: "device.new",
    severity: "info",
    message: `New device ${device.mac}`,
    macs: [device.mac],
    dedupKey: device.mac,
    count: 1,
    evidence: { firstUs: device.firstUs, lastUs: device.lastUs, after: device.mac },
  }));
}

function isIpv4(ip: string): boolean {
  return !ip.includes(":");
}

/** Groups claims by a key, each group sorted by first time. */
export function groupClaims(
  claims: readonly AddressClaim[],
  keyOf: (claim: AddressClaim) => string,
): Map<string, AddressClaim[]> {
  const groups = new Map<string, AddressClaim[]>();
  for (const claim of claims) {
    const key = keyOf(claim);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [claim]);
    else group.push(claim);
  }
  for (const group of groups.values()) group.sort((a, b) => a.firstUs - b.firstUs || a.lastUs - b.lastUs);
  return groups;
}

/**
 * `device.ip_changed` (notice) for each device whose IPv4 address on a VLAN was replaced: an
 * address first heard after the previous one was last heard.
 */
export function ipChangedAlerts(claims: readonly AddressClaim[]): RaisedAlert[] {
  const tracked = claims.filter((claim) => !claim.gateway && isIpv4(claim.ip));
  const out: RaisedAlert[] = [];
  for (const group of groupClaims(tracked, (claim) => `${claim.mac}|${claim.vlan ?? ""}`).values()) {
    for (let i = 1; i < group.length; i++) {
      const before = group[i - 1];
      const after = group[i];
      if (before.lastUs >= after.firstUs) continue; // both in use at once: two addresses, no change
      out.push({
        type: "device.ip_changed",
        severity: "notice",
        message: `${after.mac} changed address from ${before.ip} to ${after.ip}`,
        macs: [after.mac],
        dedupKey: `${after.mac}|${after.vlan ?? ""}|${before.ip}>${after.ip}`,
        count: 1,
        evidence: { firstUs: before.lastUs, lastUs: after.firstUs, before: before.ip, after: after.ip },
      });
    }
  }
  return out;
}
