/**
 * Rapid Spanning Tree BPDUs (IEEE 802.1D-2004 §9.3.3) in IEEE 802.3 frames with an LLC header:
 * ```
 *  0 dst 01:80:c2:00:00:00 | 6 src | 12 length (LLC + BPDU = 39) | 14 LLC DSAP 0x42 SSAP 0x42 ctrl 0x03
 *  17 protocol id 0 (2) | 19 version 2 | 20 type 0x02 (RST) | 21 flags
 *  22 root id: priority+sysid (2), MAC (6) | 30 root path cost (4) | 34 bridge id (8) | 42 port id (2)
 *  44 message age | 46 max age | 48 hello time | 50 forward delay (all in 1/256 s) | 52 version 1 length 0
 * ```
 *
 * @module
 */

import { parseMac, put16, put32 } from "./addr.ts";
import { padFrame } from "./ethernet.ts";

/** Destination of BPDUs: the bridge group address. */
export const STP_MULTICAST: Uint8Array = parseMac("01:80:c2:00:00:00");

/** Contents of an RST BPDU. */
export interface RstpBpdu {
  /** Sender's MAC (port MAC, frame source). */
  readonly srcMac: Uint8Array;
  /** Root bridge priority (multiple of 4096) plus system id extension. */
  readonly rootPriority: number;
  /** Root bridge MAC. */
  readonly rootMac: Uint8Array;
  /** Root path cost. */
  readonly rootPathCost: number;
  /** Sending bridge priority plus system id extension. */
  readonly bridgePriority: number;
  /** Sending bridge MAC. */
  readonly bridgeMac: Uint8Array;
  /** Port priority (high 4 bits) and number. */
  readonly portId: number;
  /** Flags byte (e.g. 0x3c: designated port, learning, forwarding). */
  readonly flags: number;
}

/**
 * Writes an RST BPDU frame (padded to 60 bytes).
 *
 * @param buf Destination.
 * @param offset First byte of the frame.
 * @param bpdu BPDU fields; timers are the defaults (max age 20 s, hello 2 s, forward delay 15 s).
 * @returns Frame length.
 */
export function writeRstpFrame(buf: Uint8Array, offset: number, bpdu: RstpBpdu): number {
  buf.set(STP_MULTICAST, offset);
  buf.set(bpdu.srcMac, offset + 6);
  put16(buf, offset + 12, 39);
  buf[offset + 14] = 0x42;
  buf[offset + 15] = 0x42;
  buf[offset + 16] = 0x03;
  const at = offset + 17;
  put16(buf, at, 0);
  buf[at + 2] = 2;
  buf[at + 3] = 2;
  buf[at + 4] = bpdu.flags;
  put16(buf, at + 5, bpdu.rootPriority);
  buf.set(bpdu.rootMac, at + 7);
  put32(buf, at + 13, bpdu.rootPathCost);
  put16(buf, at + 17, bpdu.bridgePriority);
  buf.set(bpdu.bridgeMac, at + 19);
  put16(buf, at + 25, bpdu.portId);
  put16(buf, at + 27, 0);
  put16(buf, at + 29, 20 * 256);
  put16(buf, at + 31, 2 * 256);
  put16(buf, at + 33, 15 * 256);
  buf[at + 35] = 0;
  return padFrame(buf, offset, 17 + 36);
}
