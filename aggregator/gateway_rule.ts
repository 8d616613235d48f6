/**
 * The gateway rule: a MAC that sends from {@linkcode GATEWAY_MIN_FOREIGN_IPS} or more IPs outside
 * its own subnets is forwarding for others. Its own subnets are the /24 (IPv4) or /64 (IPv6) of the
 * addresses it announced (ARP, NDP, DHCP), or else of its busiest source address (most packets
 * sent; on a tie the address that sorts first, so the verdict does not depend on the order the
 * addresses come in). Link-local IPv6 addresses (fe80::/10 as `fe80:` text) are left out; each IP version is
 * judged on its own.
 *
 * A pure function over a device's addresses, called by `analyze` (derive_devices.ts, on the
 * inventory in memory) and by storage (on the addresses stored for a device, after each batch).
 *
 * @module
 */

/** Foreign source IPs from which a MAC counts as a gateway. */
export const GATEWAY_MIN_FOREIGN_IPS = 3;

/** One address of a device, on one VLAN, as the rule reads it. */
export interface GatewayAddress {
  /** The address as text (`10.0.0.1`, `2001:db8::1`). */
  ip: string;
  version: 4 | 6;
  /** Packets the device sent from it. */
  packetsSent: number;
  /** How it was learnt: `traffic` (source of frames), `arp`, `ndp`, `dhcp`… */
  learnt: readonly string[];
}

const ANNOUNCED = ["arp", "ndp", "dhcp"];

/** The /24 of an IPv4 address, the /64 of an IPv6 one, as text. */
export function subnetOf(ip: string): string {
  if (!ip.includes(":")) return ip.split(".").slice(0, 3).join(".") + ".0/24";
  const [head, tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = tail !== undefined ? 8 - left.length - right.length : 0;
  return [...left, ...new Array(missing).fill("0"), ...right].slice(0, 4).join(":") + "::/64";
}

/**
 * Why a device is a gateway: one reason per IP version it forwards for, none when it is not.
 *
 * @param addresses every address of the device (all VLANs)
 * @returns the reasons, e.g. `sends from 3 IPv4 addresses outside its own subnet 10.0.0.0/24`
 *
 * @example
 * ```ts
 * import { gatewayReasons } from "./gateway_rule.ts";
 * const sent = (ip: string) => ({ ip, version: 4 as const, packetsSent: 1, learnt: ["traffic"] });
 * const reasons = gatewayReasons([
 *   { ip: "10.0.0.1", version: 4, packetsSent: 0, learnt: ["arp"] },
 *   sent("192.0.2.1"), sent("198.51.100.1"), sent("203.0.113.1"),
 * ]);
 * if (reasons[0] !== "sends from 3 IPv4 addresses outside its own subnet 10.0.0.0/24") throw new Error();
 * ```
 */
export function gatewayReasons(addresses: readonly GatewayAddress[]): string[] {
  const reasons: string[] = [];
  for (const version of [4, 6]) {
    const mine = addresses.filter((a) => a.version === version && !a.ip.startsWith("fe80:"));
    const traffic = mine.filter((a) => a.learnt.includes("traffic"));
    if (traffic.length < GATEWAY_MIN_FOREIGN_IPS) continue;
    const announced = mine.filter((a) => a.learnt.some((label) => ANNOUNCED.includes(label)));
    let busiest = traffic[0];
    for (const address of traffic) {
      const more = address.packetsSent - busiest.packetsSent;
      if (more > 0 || (more === 0 && address.ip < busiest.ip)) busiest = address;
    }
    const own = new Set((announced.length > 0 ? announced : [busiest]).map((a) => subnetOf(a.ip)));
    const foreign = new Set(traffic.filter((a) => !own.has(subnetOf(a.ip))).map((a) => a.ip));
    if (foreign.size >= GATEWAY_MIN_FOREIGN_IPS) {
      reasons.push(
        `sends from ${foreign.size} IPv${version} addresses outside its own subnet ${[...own].join(", ")}`,
      );
    }
  }
  return reasons;
}
