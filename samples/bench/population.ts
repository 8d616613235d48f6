/**
 * Hosts and flow classes of the benchmark capture.
 *
 * The capture interleaves frames of a fixed number of concurrently active flow *slots*; each slot has
 * a fixed class (L4 kind, IP version, encapsulation) and runs one flow after another. Because frames
 * pick slots uniformly, the share of each class in the capture is the share of slots in that class,
 * whatever the flows' lengths: 10 % 802.1Q, 5 % QinQ, 15 % IPv6, and TCP/UDP/ICMP/ARP mixed.
 * Hosts belong to one encapsulation each, so a host keeps its VLAN from flow to flow.
 *
 * @module
 */

import { dot1q, qinq, type VlanTag } from "../frames.ts";
import type { Rng } from "../rng.ts";

/** Encapsulation of a host's frames. */
export const Encap = { NONE: 0, DOT1Q: 1, QINQ: 2 } as const;
/** Kind of flow. */
export const Kind = { TCP: 0, UDP: 1, ICMP: 2, ARP: 3 } as const;

/** Number of concurrently active flows. */
export const SLOTS = 1000;

const OUIS = [
  [0x18, 0x66, 0xda], // Dell
  [0x3c, 0xd9, 0x2b], // HP
  [0x00, 0x1b, 0x54], // Cisco
  [0x00, 0x1b, 0x1b], // Siemens
  [0x00, 0x80, 0xf4], // Schneider (Telemecanique)
  [0x00, 0x30, 0xde], // WAGO
  [0xa4, 0xbb, 0x6d], // Dell
  [0x00, 0x1b, 0x78], // HP
];

/** Every host: MAC, IPv4 and IPv6 address, encapsulation and VLANs, in flat typed arrays. */
export class HostTable {
  /** Number of hosts. */
  readonly count: number;
  /** MACs, 6 bytes per host. */
  readonly macs: Uint8Array;
  /** IPv4 addresses (10.x.y.z). */
  readonly ipv4: Uint32Array;
  /** IPv6 addresses (2001:db8::/32), 16 bytes per host. */
  readonly ipv6: Uint8Array;

  /**
   * Builds `count` hosts; host `i`'s encapsulation is fixed by `i % 20` (0 QinQ, 1–2 802.1Q).
   *
   * @param count Number of hosts (≥ 40); IPv4 addresses are 10.0.0.2 upwards, 250 per /24.
   */
  constructor(count: number) {
    this.count = count;
    this.macs = new Uint8Array(6 * count);
    this.ipv4 = new Uint32Array(count);
    this.ipv6 = new Uint8Array(16 * count);
    for (let i = 0; i < count; i++) {
      this.macs.set(OUIS[i % OUIS.length], 6 * i);
      this.macs[6 * i + 3] = (i >>> 16) & 0xff;
      this.macs[6 * i + 4] = (i >>> 8) & 0xff;
      this.macs[6 * i + 5] = i & 0xff;
      this.ipv4[i] = (0x0a000000 + Math.floor(i / 250) * 256 + (i % 250) + 2) >>> 0;
      const v6 = 16 * i;
      this.ipv6.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, this.encap(i)], v6);
      this.ipv6[v6 + 12] = ((i + 1) >>> 24) & 0xff;
      this.ipv6[v6 + 13] = ((i + 1) >>> 16) & 0xff;
      this.ipv6[v6 + 14] = ((i + 1) >>> 8) & 0xff;
      this.ipv6[v6 + 15] = (i + 1) & 0xff;
    }
  }

  /** Encapsulation of host `i`. */
  encap(i: number): number {
    const r = i % 20;
    return r === 0 ? Encap.QINQ : r <= 2 ? Encap.DOT1Q : Encap.NONE;
  }

  /** VLAN tags of host `i`'s frames: 802.1Q VLANs 10–80, QinQ 200–201 over 20/30/40. */
  tags(i: number): readonly VlanTag[] | undefined {
    const k = Math.floor(i / 20);
    switch (this.encap(i)) {
      case Encap.DOT1Q:
        return dot1q(10 * (1 + (k % 8)), k % 3 === 0 ? 5 : 0);
      case Encap.QINQ:
        return qinq(200 + (k % 2), 20 + 10 * (k % 3));
      default:
        return undefined;
    }
  }

  /** MAC of host `i` as a view (no copy). */
  mac(i: number): Uint8Array {
    return this.macs.subarray(6 * i, 6 * i + 6);
  }

  /** IPv6 address of host `i` as a view (no copy). */
  ip6(i: number): Uint8Array {
    return this.ipv6.subarray(16 * i, 16 * i + 16);
  }

  /**
   * A random client host of encapsulation `encap`.
   *
   * @param rng Randomness.
   * @param encap Wanted {@linkcode Encap}.
   */
  pickClient(rng: Rng, encap: number): number {
    const offset = pickOffset(rng, encap);
    return offset + 20 * rng.int(0, this.#groups(offset) - 1);
  }

  /**
   * A random server for `client`: one of the first tenth of the hosts of the same encapsulation and
   * the same VLAN(s), never the client itself.
   *
   * @param rng Randomness.
   * @param client Client host.
   */
  pickServer(rng: Rng, client: number): number {
    const encap = this.encap(client);
    const m = encap === Encap.DOT1Q ? 8 : encap === Encap.QINQ ? 6 : 1;
    const offset = pickOffset(rng, encap);
    const groups = this.#groups(offset);
    let k = rng.int(0, Math.max(m, Math.ceil(groups / 10)) - 1);
    k += (Math.floor(client / 20) % m) - (k % m);
    if (k >= groups) k -= m;
    const server = offset + 20 * k;
    if (server !== client) return server;
    return k + m < groups ? server + 20 * m : server - 20 * m;
  }

  #groups(offset: number): number {
    return Math.floor((this.count - 1 - offset) / 20) + 1;
  }
}

function pickOffset(rng: Rng, encap: number): number {
  if (encap === Encap.QINQ) return 0;
  if (encap === Encap.DOT1Q) return rng.int(1, 2);
  return rng.int(3, 19);
}

/** Class of a slot: what kind of flows it runs, over which IP version and encapsulation. */
export interface SlotClasses {
  /** {@linkcode Kind} per slot. */
  readonly kind: Uint8Array;
  /** 1 when the slot's flows are IPv6. */
  readonly v6: Uint8Array;
  /** {@linkcode Encap} per slot. */
  readonly encap: Uint8Array;
}

function shuffled(rng: Rng, counts: readonly [number, number][]): Uint8Array {
  const out = new Uint8Array(SLOTS);
  let at = 0;
  for (const [value, n] of counts) out.fill(value, at, at += n);
  for (let i = SLOTS - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const v = out[i];
    out[i] = out[j];
    out[j] = v;
  }
  return out;
}

/**
 * Deals the slot classes: 5 % QinQ, 10 % 802.1Q; 15 % IPv6; 2 % ARP, 3 % ICMP, 18 % UDP, 77 % TCP.
 * Tiny frames (60 bytes) cannot hold IPv6 or QinQ+TCP headers: they become IPv4 and UDP.
 *
 * @param rng Randomness.
 * @param tiny Whether every frame must fit in 60 bytes.
 */
export function dealSlots(rng: Rng, tiny: boolean): SlotClasses {
  const encap = shuffled(rng, [[Encap.QINQ, 50], [Encap.DOT1Q, 100], [Encap.NONE, 850]]);
  const v6 = shuffled(rng, [[1, 150], [0, 850]]);
  const kind = shuffled(rng, [[Kind.ARP, 20], [Kind.ICMP, 30], [Kind.UDP, 180], [Kind.TCP, 770]]);
  for (let j = 0; j < SLOTS; j++) {
    if (kind[j] === Kind.ARP) v6[j] = 0;
    if (!tiny) continue;
    v6[j] = 0;
    if (encap[j] === Encap.QINQ && kind[j] === Kind.TCP) kind[j] = Kind.UDP;
  }
  return { kind, v6, encap };
}
