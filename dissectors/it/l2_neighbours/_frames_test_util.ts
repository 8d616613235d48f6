/**
 * Test helpers: frames built byte by byte for the LLDP, CDP and STP tests (no capture needed).
 *
 * @module
 */

import { testEngine } from "../../_testing.ts";
import { BUILTIN_DISSECTORS } from "../../builtin.ts";
import type { DissectionEngine } from "../../engine.ts";
import { NEIGHBOUR_DISSECTORS } from "./mod.ts";

const encoder = new TextEncoder();

/**
 * A test engine with the neighbour dissectors: added to the built-ins, unless the built-ins already
 * hold them (once they are wired in, registering them twice would be refused).
 */
export function neighbourEngine(): DissectionEngine {
  return testEngine(NEIGHBOUR_DISSECTORS.filter((dissector) => !BUILTIN_DISSECTORS.includes(dissector)));
}

/** Bytes of a text, or the bytes themselves. */
function asBytes(value: string | number[] | Uint8Array): Uint8Array {
  return typeof value === "string" ? encoder.encode(value) : Uint8Array.from(value);
}

/** Concatenation of byte arrays. */
export function concat(...parts: (number[] | Uint8Array)[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Six bytes of a MAC written as text. */
export function mac(text: string): number[] {
  return text.split(":").map((part) => parseInt(part, 16));
}

/** An LLDP TLV: 7-bit type, 9-bit length, value (IEEE 802.1AB-2016 clause 8.4). */
export function lldpTlv(type: number, value: string | number[] | Uint8Array): Uint8Array {
  const bytes = asBytes(value);
  return concat([(type << 1) | (bytes.length >> 8), bytes.length & 0xff], bytes);
}

/** An LLDP frame from `src` (Ethernet II, EtherType 0x88CC) carrying `tlvs`. */
export function lldpFrame(src: string, ...tlvs: (number[] | Uint8Array)[]): Uint8Array {
  return concat(mac("01:80:c2:00:00:0e"), mac(src), [0x88, 0xcc], ...tlvs);
}

/** A CDP TLV: 2-byte type, 2-byte length counting the header, value. */
export function cdpTlv(type: number, value: string | number[] | Uint8Array): Uint8Array {
  const bytes = asBytes(value);
  const length = bytes.length + 4;
  return concat([type >> 8, type & 0xff, length >> 8, length & 0xff], bytes);
}

/** An 802.3 frame from `src` to `dst` with an LLC header `llc` and `payload` (length field computed). */
export function frame8023(dst: string, src: string, llc: number[], payload: Uint8Array): Uint8Array {
  const length = llc.length + payload.length;
  return concat(mac(dst), mac(src), [length >> 8, length & 0xff], llc, payload);
}

/** A CDP version 2 frame (SNAP OUI 00-00-0C, PID 0x2000) from `src` carrying `tlvs`. */
export function cdpFrame(src: string, ...tlvs: (number[] | Uint8Array)[]): Uint8Array {
  const llc = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00];
  return frame8023("01:00:0c:cc:cc:cc", src, llc, concat([0x02, 0xb4, 0x00, 0x00], ...tlvs));
}

/** An STP frame (LLC DSAP/SSAP 0x42, UI) from `src` carrying `bpdu`. */
export function stpFrame(src: string, bpdu: Uint8Array): Uint8Array {
  return frame8023("01:80:c2:00:00:00", src, [0x42, 0x42, 0x03], bpdu);
}

/** Eight bytes of a bridge id: priority + system id extension, then the MAC. */
export function bridgeId(priority: number, extension: number, address: string): number[] {
  const head = priority | extension;
  return [head >> 8, head & 0xff, ...mac(address)];
}
