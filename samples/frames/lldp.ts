/**
 * LLDP frames (IEEE 802.1AB-2016 §8): EtherType 0x88cc to the nearest-bridge group address
 * 01:80:c2:00:00:0e, a sequence of TLVs, each `type (7 bits) | length (9 bits) | value`:
 * ```
 *  1 Chassis ID   subtype 4 (MAC address) + 6 bytes                         §8.5.2
 *  2 Port ID      subtype 5 (interface name) + text                          §8.5.3
 *  3 TTL          2 bytes, seconds                                           §8.5.4
 *  4 Port Description  text (optional)                                       §8.5.5
 *  5 System Name  text                                                       §8.5.6
 *  6 System Description  text                                                §8.5.7
 *  7 System Capabilities  2 bytes capabilities + 2 bytes enabled             §8.5.8
 *  8 Management Address  string length, subtype 1 (IPv4), address,
 *                 interface subtype 2 (ifIndex), interface number (4), OID length 0   §8.5.9
 *  0 End of LLDPDU, length 0                                                 §8.5.1
 * ```
 *
 * @module
 */

import { parseMac, put16, put32, putAscii, putIpv4, putText } from "./addr.ts";
import { EtherType, padFrame, writeEthernet } from "./ethernet.ts";

/** Destination of LLDPDUs: the nearest-bridge group address. */
export const LLDP_MULTICAST: Uint8Array = parseMac("01:80:c2:00:00:0e");

/** System capability bits (IEEE 802.1AB §8.5.8.1). */
export const LldpCapability = {
  OTHER: 0x01,
  REPEATER: 0x02,
  BRIDGE: 0x04,
  WLAN_AP: 0x08,
  ROUTER: 0x10,
} as const;

/** Contents of an LLDPDU. */
export interface LldpInfo {
  /** Chassis MAC address (also the frame's source). */
  readonly chassisMac: Uint8Array;
  /** Interface name of the sending port. */
  readonly portId: string;
  /** Seconds the information stays valid. Default 120. */
  readonly ttl?: number;
  /** Port description. Default none. */
  readonly portDescription?: string;
  /** System name: ASCII text, or the TLV's bytes as they are. */
  readonly systemName: string | Uint8Array;
  /** System description. */
  readonly systemDescription: string;
  /** Capabilities ({@linkcode LldpCapability} bits). */
  readonly capabilities: number;
  /** Enabled capabilities. Default same as `capabilities`. */
  readonly enabledCapabilities?: number;
  /** IPv4 management address. Default none. */
  readonly managementIp?: number;
  /** ifIndex reported with the management address. Default 1. */
  readonly managementIfIndex?: number;
}

function tlvHeader(buf: Uint8Array, at: number, type: number, length: number): number {
  put16(buf, at, (type << 9) | length);
  return at + 2;
}

function textTlv(buf: Uint8Array, at: number, type: number, text: string | Uint8Array): number {
  const v = tlvHeader(buf, at, type, text.length);
  return v + putText(buf, v, text);
}

/**
 * Writes an LLDP frame.
 *
 * @param buf Destination.
 * @param offset First byte of the frame.
 * @param info LLDPDU contents.
 * @returns Frame length.
 */
export function writeLldpFrame(buf: Uint8Array, offset: number, info: LldpInfo): number {
  let at = offset + writeEthernet(buf, offset, { dst: LLDP_MULTICAST, src: info.chassisMac }, EtherType.LLDP);
  at = tlvHeader(buf, at, 1, 7);
  buf[at] = 4;
  buf.set(info.chassisMac, at + 1);
  at += 7;
  at = tlvHeader(buf, at, 2, 1 + info.portId.length);
  buf[at] = 5;
  at += 1 + putAscii(buf, at + 1, info.portId);
  at = tlvHeader(buf, at, 3, 2);
  put16(buf, at, info.ttl ?? 120);
  at += 2;
  if (info.portDescription !== undefined) at = textTlv(buf, at, 4, info.portDescription);
  at = textTlv(buf, at, 5, info.systemName);
  at = textTlv(buf, at, 6, info.systemDescription);
  at = tlvHeader(buf, at, 7, 4);
  put16(buf, at, info.capabilities);
  put16(buf, at + 2, info.enabledCapabilities ?? info.capabilities);
  at += 4;
  if (info.managementIp !== undefined) {
    at = tlvHeader(buf, at, 8, 12);
    buf[at] = 5;
    buf[at + 1] = 1;
    putIpv4(buf, at + 2, info.managementIp);
    buf[at + 6] = 2;
    put32(buf, at + 7, info.managementIfIndex ?? 1);
    buf[at + 11] = 0;
    at += 12;
  }
  at = tlvHeader(buf, at, 0, 0);
  return padFrame(buf, offset, at - offset);
}
