/**
 * Per-flow header templates of the benchmark capture: the Ethernet/IP/L4 headers of both directions of
 * every active flow, built once when the flow starts, with the variable fields (lengths, IPv4 id,
 * sequence numbers, flags, checksums) zeroed and the checksum of everything else precomputed. A frame
 * is then a copy of its template, a copy of filler payload, and a few patched words: checksums are
 * finished from the precomputed sums plus a prefix sum of the filler, never recomputed over the payload.
 *
 * @module
 */

import {
  type EthernetHeader,
  EtherType,
  type IpHeader,
  IpProto,
  l4PseudoSum,
  put16,
  sumWords,
  writeEthernet,
  writeIp,
} from "../frames.ts";

/** Bytes reserved per template. */
export const TEMPLATE_STRIDE = 128;

/** L4 header lengths without options. */
export const L4_HEADER = { TCP: 20, UDP: 8, ICMP: 8 } as const;

/** Header templates of `count` flow directions. */
export class FlowTemplates {
  /** Template bytes, {@linkcode TEMPLATE_STRIDE} per template. */
  readonly arena: Uint8Array;
  /** One view per template over the arena (made once, so copying a template allocates nothing). */
  readonly views: Uint8Array[];
  /** Offset of the IP header in each template. */
  readonly l3Offset: Uint8Array;
  /** Offset of the L4 header in each template (the L4 header length is known from the kind). */
  readonly l4Offset: Uint8Array;
  /** 1 when the template is IPv4, 0 for IPv6. */
  readonly v4: Uint8Array;
  /** IPv4 header sum without total length, id and checksum (0 for IPv6). */
  readonly ipSum: Float64Array;
  /** Pseudo-header (length 0) plus L4 header sum without the variable fields. */
  readonly l4Sum: Float64Array;

  /**
   * Allocates room for `count` templates.
   *
   * @param count Number of templates (two per flow slot).
   */
  constructor(count: number) {
    this.arena = new Uint8Array(count * TEMPLATE_STRIDE);
    this.views = Array.from(
      { length: count },
      (_, i) => this.arena.subarray(i * TEMPLATE_STRIDE, (i + 1) * TEMPLATE_STRIDE),
    );
    this.l3Offset = new Uint8Array(count);
    this.l4Offset = new Uint8Array(count);
    this.v4 = new Uint8Array(count);
    this.ipSum = new Float64Array(count);
    this.l4Sum = new Float64Array(count);
  }

  #network(t: number, eth: EthernetHeader, ip: IpHeader, protocol: number): number {
    const base = t * TEMPLATE_STRIDE;
    const a = this.arena;
    const l3 = writeEthernet(a, base, eth, ip.version === 4 ? EtherType.IPV4 : EtherType.IPV6);
    const l4 = l3 + writeIp(a, base + l3, ip, protocol, 0);
    this.v4[t] = ip.version === 4 ? 1 : 0;
    if (ip.version === 4) {
      put16(a, base + l3 + 2, 0);
      put16(a, base + l3 + 10, 0);
      this.ipSum[t] = sumWords(a, base + l3, l4 - l3);
    } else {
      put16(a, base + l3 + 4, 0);
      this.ipSum[t] = 0;
    }
    this.l3Offset[t] = l3;
    this.l4Offset[t] = l4;
    return base + l4;
  }

  /**
   * TCP template: ports, data offset 5, window; sequence, acknowledgment, flags and checksum zero.
   *
   * @param t Template index.
   * @param eth Link header.
   * @param ip Network header (id and lengths are patched per frame).
   * @param ports Source port (high 16 bits) and destination port (low 16 bits).
   * @param window Receive window.
   */
  tcp(t: number, eth: EthernetHeader, ip: IpHeader, ports: number, window: number): void {
    const at = this.#network(t, eth, ip, IpProto.TCP);
    const a = this.arena;
    a.fill(0, at, at + L4_HEADER.TCP);
    put16(a, at, ports >>> 16);
    put16(a, at + 2, ports & 0xffff);
    a[at + 12] = 0x50;
    put16(a, at + 14, window);
    this.l4Sum[t] = l4PseudoSum(ip, IpProto.TCP, 0) + sumWords(a, at, L4_HEADER.TCP);
  }

  /**
   * UDP template: ports; length and checksum zero.
   *
   * @param t Template index.
   * @param eth Link header.
   * @param ip Network header.
   * @param ports Source port (high 16 bits) and destination port (low 16 bits).
   */
  udp(t: number, eth: EthernetHeader, ip: IpHeader, ports: number): void {
    const at = this.#network(t, eth, ip, IpProto.UDP);
    const a = this.arena;
    put16(a, at, ports >>> 16);
    put16(a, at + 2, ports & 0xffff);
    put16(a, at + 4, 0);
    put16(a, at + 6, 0);
    this.l4Sum[t] = l4PseudoSum(ip, IpProto.UDP, 0) + sumWords(a, at, L4_HEADER.UDP);
  }

  /**
   * ICMP (IPv4) or ICMPv6 echo template: type, identifier; checksum and sequence zero.
   *
   * @param t Template index.
   * @param eth Link header.
   * @param ip Network header.
   * @param reply Echo reply rather than request.
   * @param id Echo identifier.
   */
  icmpEcho(t: number, eth: EthernetHeader, ip: IpHeader, reply: boolean, id: number): void {
    const v4 = ip.version === 4;
    const protocol = v4 ? IpProto.ICMP : IpProto.ICMPV6;
    const at = this.#network(t, eth, ip, protocol);
    const a = this.arena;
    a[at] = v4 ? (reply ? 0 : 8) : (reply ? 129 : 128);
    a[at + 1] = 0;
    put16(a, at + 2, 0);
    put16(a, at + 4, id);
    put16(a, at + 6, 0);
    this.l4Sum[t] = (v4 ? 0 : l4PseudoSum(ip, protocol, 0)) + sumWords(a, at, L4_HEADER.ICMP);
  }
}

/** Payload bytes of every benchmark frame: one fixed text, with a view and a checksum sum per length. */
export class Filler {
  /** `views[n]` is the first `n` filler bytes (made once: copying them allocates nothing). */
  readonly views: Uint8Array[];
  /** `sums[n]` is the unfolded Internet checksum sum of the first `n` filler bytes. */
  readonly sums: Float64Array;

  /**
   * Builds the filler and its prefix sums.
   *
   * @param maxLength Longest payload.
   */
  constructor(maxLength: number) {
    const text =
      "NetSentinel synthetic benchmark payload: the quick brown fox jumps over the lazy dog 0123456789. ";
    const bytes = new Uint8Array(maxLength);
    for (let i = 0; i < maxLength; i++) bytes[i] = text.charCodeAt(i % text.length);
    this.views = Array.from({ length: maxLength + 1 }, (_, n) => bytes.subarray(0, n));
    this.sums = new Float64Array(maxLength + 1);
    for (let n = 1; n <= maxLength; n++) {
      this.sums[n] = n & 1
        ? this.sums[n - 1] + (bytes[n - 1] << 8)
        : this.sums[n - 2] + ((bytes[n - 2] << 8) | bytes[n - 1]);
    }
  }
}
