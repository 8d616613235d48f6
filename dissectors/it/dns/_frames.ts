/**
 * Test helpers: Ethernet + IPv4 + UDP/TCP frames around a hand-built name-service payload.
 *
 * @module
 */

import { hex } from "../../_testing.ts";

/** Addressing of a test frame. */
export interface FrameOptions {
  srcMac?: string;
  srcIp?: string;
  dstIp?: string;
  srcPort?: number;
  dstPort?: number;
  /** TCP instead of UDP. */
  tcp?: boolean;
}

function ipBytes(text: string): number[] {
  return text.split(".").map(Number);
}

/** A whole frame carrying `payload` (hex text or bytes) in UDP (default) or TCP. */
let nextSeq = 1;

export function frame(payload: string | Uint8Array, options: FrameOptions = {}): Uint8Array {
  const data = typeof payload === "string" ? hex(payload) : payload;
  const l4Length = options.tcp ? 20 : 8;
  const total = 20 + l4Length + data.length;
  const srcPort = options.srcPort ?? 53;
  const dstPort = options.dstPort ?? 40000;
  const bytes = new Uint8Array(14 + total);
  bytes.set(hex("0200000000aa"), 0);
  bytes.set(hex((options.srcMac ?? "02:00:00:00:00:01").replaceAll(":", "")), 6);
  bytes.set([0x08, 0x00], 12);
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, 0, 0, 0, 64, options.tcp ? 6 : 17, 0, 0];
  bytes.set([...ip, ...ipBytes(options.srcIp ?? "10.0.0.1"), ...ipBytes(options.dstIp ?? "10.0.0.2")], 14);
  const l4 = 34;
  bytes.set([srcPort >> 8, srcPort & 0xff, dstPort >> 8, dstPort & 0xff], l4);
  if (options.tcp) {
    // A new sequence number for every frame built (a repeated segment is a retransmission).
    bytes.set([0, 0, 0, 0, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff], l4 + 4);
    new DataView(bytes.buffer).setUint32(l4 + 4, nextSeq);
    nextSeq = (nextSeq + data.length + 1) >>> 0;
  } else {
    bytes.set([(8 + data.length) >> 8, (8 + data.length) & 0xff], l4 + 4);
  }
  bytes.set(data, l4 + l4Length);
  return bytes;
}

/** Hex of a name in wire format (labels, then the zero octet). */
export function wireName(name: string): string {
  let text = "";
  for (const label of name.split(".")) {
    if (label === "") continue;
    text += label.length.toString(16).padStart(2, "0");
    for (const char of label) text += char.charCodeAt(0).toString(16).padStart(2, "0");
  }
  return text + "00";
}
