/**
 * Test helpers for the hint dissectors: Ethernet/IPv4/TCP and UDP frames around a payload, an
 * engine with the hint dissectors, and what it collected.
 *
 * @module
 */

import { testEngine } from "../../_testing.ts";
import type { DissectionEngine } from "../../engine.ts";
import type { FlushRecord } from "../../../model/flush_record.ts";
import { HINT_DISSECTORS } from "./mod.ts";

/** Addresses and ports of a test frame (dotted IPv4). */
export interface Endpoints {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
}

/** Client 10.0.0.10:50000 → server 10.0.0.20 on `port`. */
export function toServer(port: number): Endpoints {
  return { srcIp: "10.0.0.10", dstIp: "10.0.0.20", srcPort: 50000, dstPort: port };
}

/** Server 10.0.0.20 on `port` → client 10.0.0.10:50000. */
export function toClient(port: number): Endpoints {
  return { srcIp: "10.0.0.20", dstIp: "10.0.0.10", srcPort: port, dstPort: 50000 };
}

function ipBytes(dotted: string): number[] {
  return dotted.split(".").map(Number);
}

/**
 * Sequence number of the next TCP test frame: each frame built is new data (the engine does not
 * decode a segment twice: a repeated one is a retransmission).
 */
let nextSeq = 1;

/**
 * Ethernet II + IPv4 (20 bytes, checksum 0: not verified) + TCP (20 bytes, PSH ACK, a new sequence
 * number for every frame built) or UDP, then `payload` (bytes, or text encoded as Latin-1).
 */
export function frame(proto: "tcp" | "udp", ends: Endpoints, payload: Uint8Array | string): Uint8Array {
  const data = typeof payload === "string" ? Uint8Array.from(payload, (c) => c.charCodeAt(0)) : payload;
  const l4 = proto === "tcp" ? 20 : 8;
  const ipLength = 20 + l4 + data.length;
  const bytes = new Uint8Array(14 + ipLength);
  bytes.set([2, 0, 0, 0, 0, 0x20, 2, 0, 0, 0, 0, 0x10, 0x08, 0x00]);
  bytes.set([0x45, 0, ipLength >> 8, ipLength & 0xff, 0, 0, 0x40, 0, 64, proto === "tcp" ? 6 : 17, 0, 0], 14);
  bytes.set([...ipBytes(ends.srcIp), ...ipBytes(ends.dstIp)], 26);
  bytes.set([ends.srcPort >> 8, ends.srcPort & 0xff, ends.dstPort >> 8, ends.dstPort & 0xff], 34);
  if (proto === "tcp") {
    bytes.set([0, 0, 0, 0, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0], 38);
    new DataView(bytes.buffer).setUint32(38, nextSeq);
    nextSeq = (nextSeq + data.length + 1) >>> 0;
  } else {
    bytes.set([(8 + data.length) >> 8, (8 + data.length) & 0xff, 0, 0], 38);
  }
  bytes.set(data, 34 + l4);
  return bytes;
}

/** Offset of the TCP sequence number in the test frames (Ethernet 14 + IPv4 20 + 4). */
const SEQUENCE_AT = 38;

/** The TCP sequence number of a test frame. */
export function sequenceOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset).getUint32(SEQUENCE_AT);
}

/** Sets the TCP sequence number of a test frame (in place); returns the frame. */
export function withSequence(frame: Uint8Array, seq: number): Uint8Array {
  new DataView(frame.buffer, frame.byteOffset).setUint32(SEQUENCE_AT, seq >>> 0);
  return frame;
}

/** An engine with the built-ins and the hint dissectors, fed `frames`. */
export function engineFor(...frames: Uint8Array[]): DissectionEngine {
  const engine = testEngine(HINT_DISSECTORS);
  for (const f of frames) engine.dissectFrame(f);
  return engine;
}

/** Identities of a flush as `ip key=value (confidence)`, sorted. */
export function identitiesOf(record: FlushRecord): string[] {
  return record.identities.map((i) => `${i.ip} ${i.key}=${i.value} (${i.confidence})`).sort();
}

/** Events of a flush as `type src_ip>dst_ip {fields}`. */
export function eventsOf(record: FlushRecord): string[] {
  return record.events.map((e) => `${e.type} ${e.src_ip}>${e.dst_ip} ${JSON.stringify(e.fields)}`);
}
