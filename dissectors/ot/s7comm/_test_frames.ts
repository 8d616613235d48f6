/**
 * Test frames: TPKT + COTP + S7comm / S7comm-plus PDUs built from their layout (S7 PDUs as open S7
 * tools such as Snap7 send them), wrapped in Ethernet/IPv4/TCP to or from port 102.
 *
 * @module
 */

import { frame, toClient, toServer } from "../_testing.ts";

/** Bytes of text (Latin-1). */
export function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function u16(value: number): number[] {
  return [value >> 8, value & 0xff];
}

/** A TPKT around a COTP DT (class 0, end of TSDU) around `data`. */
export function tpktDt(data: number[]): number[] {
  return [3, 0, ...u16(7 + data.length), 2, 0xf0, 0x80, ...data];
}

/** An S7comm PDU: header of `rosctr` (12 bytes for ack / ack-data), `param`, `data`. */
export function s7(rosctr: number, param: number[], data: number[] = [], error = [0, 0]): number[] {
  const ack = rosctr === 2 || rosctr === 3;
  return [
    0x32,
    rosctr,
    0,
    0,
    0,
    1,
    ...u16(param.length),
    ...u16(data.length),
    ...(ack ? error : []),
    ...param,
    ...data,
  ];
}

/** A userdata request of `group` / `subfunction` with `payload` (return code 0xff, octet string). */
export function userdata(group: number, subfunction: number, payload: number[]): number[] {
  return s7(7, [0, 1, 0x12, 4, 0x11, 0x40 | group, subfunction, 0], [
    0xff,
    9,
    ...u16(payload.length),
    ...payload,
  ]);
}

/** PI service `name` with `block` as parameter block (job function 0x28). */
export function piService(name: string, block: number[] = []): number[] {
  return s7(1, [0x28, 0, 0, 0, 0, 0, 0, 0xfd, ...u16(block.length), ...block, name.length, ...ascii(name)]);
}

/** COTP connection request from TSAP 0x0100 to `called` (e.g. rack 0 slot 2: 0x0102). */
export const CONNECT_REQUEST: number[] = [
  3,
  0,
  0,
  0x16,
  0x11,
  0xe0,
  0,
  0,
  0,
  1,
  0,
  0xc1,
  2,
  1,
  0,
  0xc2,
  2,
  1,
  2,
  0xc0,
  1,
  0x0a,
];
/** Setup communication, PDU length 480. */
export const SETUP: number[] = tpktDt(s7(1, [0xf0, 0, 0, 1, 0, 1, 0x01, 0xe0]));
/** Read var, one S7ANY item: DB 1, 2 bytes at 0. */
export const READ_DB1: number[] = tpktDt(s7(1, [4, 1, 0x12, 0x0a, 0x10, 2, 0, 2, 0, 1, 0x84, 0, 0, 0]));
/** Write var, one item: marker bytes (area 0x83). */
export const WRITE_M: number[] = tpktDt(
  s7(1, [5, 1, 0x12, 0x0a, 0x10, 2, 0, 1, 0, 0, 0x83, 0, 0, 0], [0, 4, 0, 8, 0x2a]),
);
/** PLC stop (job function 0x29, service P_PROGRAM). */
export const PLC_STOP: number[] = tpktDt(s7(1, [0x29, 0, 0, 0, 0, 0, 9, ...ascii("P_PROGRAM")]));
/** Hot restart and cold restart (PI service P_PROGRAM, parameter "C " for cold). */
export const HOT_START: number[] = tpktDt(piService("P_PROGRAM"));
export const COLD_START: number[] = tpktDt(piService("P_PROGRAM", ascii("C ")));
/** Delete DB 1 (PI service _DELE). */
export const DELETE_DB1: number[] = tpktDt(piService("_DELE", [1, 0, ...ascii("0A00001B")]));
/** Request download of OB 1 and start upload of DB 1. */
export const DOWNLOAD_OB1: number[] = tpktDt(s7(1, [0x1a, 0, 1, 0, 0, 0, 0, 0, 9, ...ascii("_0800001P")]));
export const UPLOAD_DB1: number[] = tpktDt(s7(1, [0x1d, 0, 0, 0, 0, 0, 0, 0, 9, ...ascii("_0A00001A")]));
/** Userdata: read SZL 0x0011 index 0, set clock, send a password. */
export const SZL_READ: number[] = tpktDt(userdata(4, 1, [0, 0x11, 0, 0]));
export const SET_CLOCK: number[] = tpktDt(
  userdata(7, 2, [0, 0x19, 0x05, 0x28, 0x08, 0x12, 0x90, 0x00, 0x00, 0x04]),
);
export const PASSWORD: number[] = tpktDt(userdata(5, 1, ascii("secret!!")));
/** Ack-data of PLC stop with error class 0x81 code 0x04. */
export const STOP_REFUSED: number[] = tpktDt(s7(3, [0x29], [], [0x81, 0x04]));
/** S7comm-plus CreateObject request (version 1). */
export const PLUS_CREATE: number[] = tpktDt([
  0x72,
  1,
  0,
  13,
  0x31,
  0,
  0,
  0x04,
  0xca,
  0,
  0,
  0,
  1,
  0,
  0,
  1,
  0x20,
  0x72,
  1,
  0,
  0,
]);
/** An MMS-like COTP data unit (ISO session, first byte 0x01): not S7. */
export const ISO_SESSION: number[] = tpktDt([0x01, 0x00, 0x01, 0x00, 0x61, 0x02]);

/** Client → PLC frame (port 102). */
export function toPlc(payload: number[]): Uint8Array {
  return frame("tcp", toServer(102), Uint8Array.from(payload));
}

/** PLC → client frame. */
export function fromPlc(payload: number[]): Uint8Array {
  return frame("tcp", toClient(102), Uint8Array.from(payload));
}

/** Every built request, as frames to the PLC. */
export const BUILT_REQUESTS: readonly number[][] = [
  CONNECT_REQUEST,
  SETUP,
  READ_DB1,
  WRITE_M,
  PLC_STOP,
  HOT_START,
  COLD_START,
  DELETE_DB1,
  DOWNLOAD_OB1,
  UPLOAD_DB1,
  SZL_READ,
  SET_CLOCK,
  PASSWORD,
  PLUS_CREATE,
  ISO_SESSION,
];

/** Built frames for the fuzzer: every request, the refusal, and two PDUs in one segment. */
export function builtFrames(): Uint8Array[] {
  return [
    ...BUILT_REQUESTS.map(toPlc),
    fromPlc(STOP_REFUSED),
    toPlc([...READ_DB1, ...WRITE_M]),
  ];
}
