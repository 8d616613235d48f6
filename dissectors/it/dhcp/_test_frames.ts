/**
 * Test helpers for the DHCP dissector: builds Ethernet/IPv4/UDP frames around a BOOTP header and
 * an options area given as hex, and reads back what the engine collected.
 *
 * @module
 */

import { hex, testEngine } from "../../_testing.ts";
import { formatIpv4, formatMac } from "../../../model/address.ts";
import type { DissectionEngine } from "../../engine.ts";
import type { FlushRecord } from "../../../model/flush_record.ts";
import { SIGHTING_KEY_WORDS } from "../../../model/flush_record.ts";
import { DHCP_DISSECTORS } from "./mod.ts";

/** Addresses, ports and BOOTP fields of a test frame; addresses are hex (MAC) or dotted (IP). */
export interface FrameSpec {
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** 1 BOOTREQUEST, 2 BOOTREPLY. */
  op: number;
  /** Transaction id, 8 hex digits. */
  xid: string;
  ciaddr?: string;
  yiaddr?: string;
  giaddr?: string;
  /** Client MAC, 12 hex digits. */
  chaddr: string;
  /** Contents of the `file` field (hex), for option overload. */
  file?: string;
  /** Options after the magic cookie, hex with `#` comments (see `hex`). */
  options: string;
}

function ipBytes(dotted: string): number[] {
  return dotted.split(".").map(Number);
}

/**
 * A frame: Ethernet II, IPv4 (20 bytes, no options, TTL 64, checksum left 0: not verified by the
 * engine), UDP, then the 236-byte BOOTP header of RFC 2131 section 2 (htype 1, hlen 6), the magic
 * cookie 63825363 and the options, padded with zeros to the 300-byte BOOTP minimum.
 */
export function dhcpFrame(spec: FrameSpec): Uint8Array {
  const options = hex(spec.options);
  const bootp = new Uint8Array(Math.max(300, 240 + options.length));
  bootp.set([spec.op, 1, 6, 0, ...hex(spec.xid)]);
  bootp.set(ipBytes(spec.ciaddr ?? "0.0.0.0"), 12);
  bootp.set(ipBytes(spec.yiaddr ?? "0.0.0.0"), 16);
  bootp.set(ipBytes(spec.giaddr ?? "0.0.0.0"), 24);
  bootp.set(hex(spec.chaddr), 28);
  if (spec.file) bootp.set(hex(spec.file), 108);
  bootp.set([0x63, 0x82, 0x53, 0x63], 236);
  bootp.set(options, 240);
  const udpLength = 8 + bootp.length;
  const ipLength = 20 + udpLength;
  const frame = new Uint8Array(14 + ipLength);
  frame.set([...hex(spec.dstMac), ...hex(spec.srcMac), 0x08, 0x00]);
  frame.set([0x45, 0, ipLength >> 8, ipLength & 0xff, 0, 0, 0, 0, 64, 17, 0, 0], 14);
  frame.set([...ipBytes(spec.srcIp), ...ipBytes(spec.dstIp)], 26);
  frame.set([spec.srcPort >> 8, spec.srcPort & 0xff, spec.dstPort >> 8, spec.dstPort & 0xff], 34);
  frame.set([udpLength >> 8, udpLength & 0xff, 0, 0], 38);
  frame.set(bootp, 42);
  return frame;
}

/** An engine with the built-ins and the DHCP dissector, fed `frames`. */
export function engineFor(...frames: Uint8Array[]): DissectionEngine {
  const engine = testEngine(DHCP_DISSECTORS);
  for (const frame of frames) engine.dissectFrame(frame);
  return engine;
}

/** Sightings of a flush as `mac ip source`. */
export function sightingsOf(record: FlushRecord): string[] {
  const { count, keys } = record.sightings;
  const found: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = i * SIGHTING_KEY_WORDS;
    const mac = formatMac(keys[k], keys[k + 1] >>> 16);
    found.push(`${mac} ${formatIpv4(keys[k + 2])} source ${(keys[k + 1] >>> 8) & 0xff}`);
  }
  return found.sort();
}

/** Identities of a flush as `mac|ip key=value (confidence)`, sorted. */
export function identitiesOf(record: FlushRecord): string[] {
  return record.identities.map((i) => `${i.mac}|${i.ip} ${i.key}=${i.value} (${i.confidence})`).sort();
}
