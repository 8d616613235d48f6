/**
 * Test frames: IEC 60870-5-104 APDUs built from IEC 60870-5-104 §5 and IEC 60870-5-101 §7, in
 * Ethernet/IPv4/TCP to or from port 2404 (the controlled station).
 *
 * @module
 */

import { frame, toClient, toServer } from "../_testing.ts";

/** A U-format APDU with control octet `control` (0x07 STARTDT act, 0x13 STOPDT act, 0x43 TESTFR act…). */
export function uFrame(control: number): number[] {
  return [0x68, 4, control, 0, 0, 0];
}

/** An I-format APDU: ASDU of `typeId`, one object at `ioa` with `element` bytes, cause `cot`, common address 1. */
export function iFrame(typeId: number, cot: number, ioa: number, element: number[]): number[] {
  const asdu = [typeId, 1, cot, 0, 1, 0, ioa & 0xff, (ioa >> 8) & 0xff, ioa >> 16, ...element];
  return [0x68, 4 + asdu.length, 2, 0, 4, 0, ...asdu];
}

/** 7-byte CP56Time2a: 2026-11-22 10:00:00.000. */
const TIME = [0, 0, 0, 10, 22, 11, 26];

export const STARTDT_ACT: number[] = uFrame(0x07);
export const STARTDT_CON: number[] = uFrame(0x0b);
export const STOPDT_ACT: number[] = uFrame(0x13);
export const TESTFR_ACT: number[] = uFrame(0x43);
export const S_ACK: number[] = [0x68, 4, 0x01, 0, 6, 0];
/** C_SC_NA_1 (45) activation: single command ON, select/execute = execute, at IOA 4500. */
export const SINGLE_COMMAND: number[] = iFrame(45, 6, 4500, [0x01]);
/** Its activation confirmation. */
export const SINGLE_COMMAND_CON: number[] = iFrame(45, 7, 4500, [0x01]);
/** C_IC_NA_1 (100) station interrogation (QOI 20). */
export const INTERROGATION: number[] = iFrame(100, 6, 0, [20]);
/** C_CS_NA_1 (103) clock synchronisation. */
export const CLOCK_SYNC: number[] = iFrame(103, 6, 0, TIME);
/** C_RP_NA_1 (105) reset process (QRP 1: general reset). */
export const RESET_PROCESS: number[] = iFrame(105, 6, 0, [1]);
/** M_ME_NC_1 (13) short float measurement, spontaneous, at IOA 1300, with `value`. */
export function measurement(value: number): number[] {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return iFrame(13, 3, 1300, [...bytes, 0]);
}

/** Controlling station → controlled station (port 2404). */
export function toStation(payload: number[], port = 2404): Uint8Array {
  return frame("tcp", toServer(port), Uint8Array.from(payload));
}

/** Controlled station → controlling station. */
export function fromStation(payload: number[], port = 2404): Uint8Array {
  return frame("tcp", toClient(port), Uint8Array.from(payload));
}

/** Built frames for the fuzzer. */
export function builtFrames(): Uint8Array[] {
  return [
    toStation(STARTDT_ACT),
    fromStation(STARTDT_CON),
    toStation([...SINGLE_COMMAND, ...S_ACK]),
    fromStation([...SINGLE_COMMAND_CON, ...measurement(1.5)]),
    toStation(INTERROGATION),
    toStation(CLOCK_SYNC),
    toStation(RESET_PROCESS),
    toStation([...TESTFR_ACT, ...STOPDT_ACT]),
  ];
}
