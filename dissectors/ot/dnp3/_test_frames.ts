/**
 * Hand-built DNP3 frames for the tests (IEEE 1815-2012 §9.2 link frames with their CRCs).
 *
 * @module
 */

import { frame, toClient, toServer } from "../_testing.ts";
import { dnpCrc } from "./_crc.ts";
import { DNP3_PORT } from "./dnp3.ts";

/** Link control of a master's unconfirmed user data (DIR 1, PRM 1, function 4). */
export const MASTER_DATA = 0xc4;
/** Link control of an outstation's unconfirmed user data (DIR 0, PRM 1, function 4). */
export const OUTSTATION_DATA = 0x44;
/** Master link address used by the tests. */
export const MASTER = 1;
/** Outstation link address used by the tests. */
export const OUTSTATION = 10;

/** A link frame: header + CRC, then `user` data in 16-octet blocks each followed by its CRC. */
export function linkFrame(control: number, dst: number, src: number, user: readonly number[]): Uint8Array {
  const blocks = Math.ceil(user.length / 16);
  const out = new Uint8Array(10 + user.length + 2 * blocks);
  out.set([0x05, 0x64, user.length + 5, control, dst & 0xff, dst >> 8, src & 0xff, src >> 8]);
  let crc = dnpCrc(out, 0, 8);
  out[8] = crc & 0xff;
  out[9] = crc >> 8;
  for (let b = 0; b < blocks; b++) {
    const chunk = user.slice(b * 16, b * 16 + 16);
    const at = 10 + b * 18;
    out.set(chunk, at);
    crc = dnpCrc(out, at, chunk.length);
    out[at + chunk.length] = crc & 0xff;
    out[at + chunk.length + 1] = crc >> 8;
  }
  return out;
}

/** A master request: transport FIR|FIN seq 0, application control FIR|FIN seq 1, function, objects. */
export function masterRequest(fn: number, objects: readonly number[] = []): Uint8Array {
  return linkFrame(MASTER_DATA, OUTSTATION, MASTER, [0xc0, 0xc1, fn, ...objects]);
}

/** An outstation response (129) or unsolicited response (130) with internal indications `iin`. */
export function outstationResponse(fn: number, iin: number, objects: readonly number[] = []): Uint8Array {
  return linkFrame(OUTSTATION_DATA, MASTER, OUTSTATION, [
    0xc0,
    fn === 130 ? 0xf0 : 0xc1,
    fn,
    iin >> 8,
    iin & 0xff,
    ...objects,
  ]);
}

/** Master 10.0.0.10 → outstation 10.0.0.20:`port` over TCP (or UDP). */
export function toOutstation(
  payload: Uint8Array,
  port = DNP3_PORT,
  proto: "tcp" | "udp" = "tcp",
): Uint8Array {
  return frame(proto, toServer(port), payload);
}

/** Outstation 10.0.0.20:`port` → master 10.0.0.10. */
export function toMaster(payload: Uint8Array, port = DNP3_PORT, proto: "tcp" | "udp" = "tcp"): Uint8Array {
  return frame(proto, toClient(port), payload);
}

/** g50v1 time and date, qualifier 0x07 (one object), 6-octet time. */
const TIME_OBJECT = [50, 1, 0x07, 1, 0, 0, 0, 0, 0];
/** g12v1 CROB, qualifier 0x28 (2-octet count and index), one control: latch on. */
const CROB = [12, 1, 0x28, 1, 0, 3, 0, 0x03, 1, 0xe8, 3, 0, 0, 0, 0, 0, 0, 0];
/** g30v1 analog inputs 0–7 (qualifier 0x00), 5 octets each: spans three CRC blocks. */
const ANALOG = [30, 1, 0x00, 0, 7, ...Array.from({ length: 40 }, (_, i) => i)];

/** Built frames covering each function class, for the tests and the fuzzer. */
export const BUILT_FRAMES: readonly Uint8Array[] = [
  toOutstation(masterRequest(1, [60, 1, 0x06])),
  toMaster(outstationResponse(129, 0x0000, ANALOG)),
  toOutstation(masterRequest(2, TIME_OBJECT)),
  toOutstation(masterRequest(3, CROB)),
  toOutstation(masterRequest(4, CROB)),
  toOutstation(masterRequest(13)),
  toOutstation(masterRequest(18)),
  toMaster(outstationResponse(130, 0x8000)),
  toOutstation(masterRequest(25, [70, 3, 0x5b, 1, 0, 0])),
  toOutstation(linkFrame(0xc0, OUTSTATION, MASTER, [])),
  toMaster(linkFrame(0x00, MASTER, OUTSTATION, [])),
  toOutstation(masterRequest(5, CROB), DNP3_PORT, "udp"),
];
