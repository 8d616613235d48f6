/**
 * Cisco Discovery Protocol version 2 frames: IEEE 802.3 (a length, not an EtherType) to the
 * multicast address 01:00:0c:cc:cc:cc, LLC/SNAP header `aa aa 03 00 00 0c 20 00`, then
 * ```
 *  0 version (2) | 1 TTL (seconds) | 2 checksum | 4 TLVs: type (2), length (2, header included), value
 *  TLV 0x0001 Device ID (text) | 0x0003 Port ID (text) | 0x0006 Platform (text)
 * ```
 * The checksum is the Internet checksum of the CDP PDU, except for an odd last byte, which Cisco
 * adds as the low byte of a word (minus one and with 0xff above it when its top bit is set) rather
 * than padding it with a zero; tshark checks it the same way.
 *
 * @module
 */

import { parseMac, put16, putText } from "./addr.ts";
import { finishChecksum, sumWords } from "./checksum.ts";
import { padFrame } from "./ethernet.ts";

/** Destination of CDP frames. */
export const CDP_MULTICAST: Uint8Array = parseMac("01:00:0c:cc:cc:cc");

const LLC_SNAP = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00];

/** Contents of a CDP frame. */
export interface CdpInfo {
  /** Source MAC of the frame. */
  readonly src: Uint8Array;
  /** Device ID: ASCII text, or the TLV's bytes as they are. */
  readonly deviceId: string | Uint8Array;
  /** Port ID (interface name). */
  readonly portId: string;
  /** Platform. Default none. */
  readonly platform?: string;
  /** Seconds the information stays valid. Default 180. */
  readonly ttl?: number;
}

function textTlv(buf: Uint8Array, at: number, type: number, text: string | Uint8Array): number {
  put16(buf, at, type);
  put16(buf, at + 2, 4 + text.length);
  return at + 4 + putText(buf, at + 4, text);
}

/** Checksum of a CDP PDU, with Cisco's handling of an odd last byte (see the module doc). */
function cdpChecksum(buf: Uint8Array, offset: number, length: number): number {
  let sum = sumWords(buf, offset, length & ~1);
  if (length & 1) {
    const last = buf[offset + length - 1];
    sum += last & 0x80 ? 0xff00 + last - 1 : last;
  }
  return finishChecksum(sum);
}

/**
 * Writes a CDP version 2 frame.
 *
 * @param buf Destination.
 * @param offset First byte of the frame.
 * @param info Frame contents.
 * @returns Frame length (padded to 60 bytes).
 */
export function writeCdpFrame(buf: Uint8Array, offset: number, info: CdpInfo): number {
  buf.set(CDP_MULTICAST, offset);
  buf.set(info.src, offset + 6);
  buf.set(LLC_SNAP, offset + 14);
  const pdu = offset + 22;
  buf[pdu] = 2;
  buf[pdu + 1] = info.ttl ?? 180;
  put16(buf, pdu + 2, 0);
  let at = textTlv(buf, pdu + 4, 0x0001, info.deviceId);
  at = textTlv(buf, at, 0x0003, info.portId);
  if (info.platform !== undefined) at = textTlv(buf, at, 0x0006, info.platform);
  put16(buf, pdu + 2, cdpChecksum(buf, pdu, at - pdu));
  put16(buf, offset + 12, at - (offset + 14));
  return padFrame(buf, offset, at - offset);
}
