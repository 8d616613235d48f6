/**
 * Constants of S7comm (Siemens S7 communication, protocol id 0x32) and S7comm-plus (0x72), and the
 * small text helpers the decoders share.
 *
 * @module
 */

import type { Packet } from "../../api.ts";

/** ISO transport over TCP (RFC 1006 §5): the port S7 PLCs listen on. */
export const ISO_TSAP_PORT = 102;

/** First byte of an S7comm PDU. */
export const S7COMM_ID = 0x32;
/** First byte of an S7comm-plus PDU (S7-1200/1500). */
export const S7COMM_PLUS_ID = 0x72;

/** Protocol names given to `packet.fail` / `packet.truncated`. */
export const TPKT = "TPKT";
export const COTP = "COTP";
export const S7COMM = "S7comm";
export const S7COMM_PLUS = "S7comm-plus";

/** ROSCTR (message type) values. */
export const Rosctr = { JOB: 1, ACK: 2, ACK_DATA: 3, USERDATA: 7 } as const;

/** Job functions (parameter byte 0). */
export const Func = {
  CPU_SERVICES: 0x00,
  READ_VAR: 0x04,
  WRITE_VAR: 0x05,
  REQUEST_DOWNLOAD: 0x1a,
  DOWNLOAD_BLOCK: 0x1b,
  DOWNLOAD_ENDED: 0x1c,
  START_UPLOAD: 0x1d,
  UPLOAD: 0x1e,
  END_UPLOAD: 0x1f,
  PI_SERVICE: 0x28,
  PLC_STOP: 0x29,
  SETUP_COMMUNICATION: 0xf0,
} as const;

/** Memory areas of an S7ANY item address. */
export const AREA_NAMES: Readonly<Record<number, string>> = {
  0x03: "system_info",
  0x05: "system_flags",
  0x06: "analog_inputs",
  0x07: "analog_outputs",
  0x1c: "counter",
  0x1d: "timer",
  0x1e: "iec_counter",
  0x1f: "iec_timer",
  0x80: "peripheral",
  0x81: "inputs",
  0x82: "outputs",
  0x83: "flags",
  0x84: "data_block",
  0x85: "instance_db",
  0x86: "local",
};

/** Block types as they appear (two hex digits) in a download/upload file name `_TTNNNNNF`. */
export const BLOCK_TYPE_NAMES: Readonly<Record<string, string>> = {
  "08": "OB",
  "09": "CMOD",
  "0A": "DB",
  "0B": "SDB",
  "0C": "FC",
  "0D": "SFC",
  "0E": "FB",
  "0F": "SFB",
};

/** Userdata function groups (low nibble of the type/group byte). */
export const Group = { PROGRAMMER: 1, CYCLIC: 2, BLOCK: 3, CPU: 4, SECURITY: 5, TIME: 7 } as const;

/** Userdata type (high nibble of the type/group byte). */
export const UserdataType = { PUSH: 0, REQUEST: 4, RESPONSE: 8 } as const;

/** S7comm-plus opcodes. */
export const PlusOpcode = { REQUEST: 0x31, RESPONSE: 0x32, NOTIFICATION: 0x33 } as const;

/** S7comm-plus function codes. */
export const PLUS_FUNCTION_NAMES: Readonly<Record<number, string>> = {
  0x04bb: "Explore",
  0x04ca: "CreateObject",
  0x04d4: "DeleteObject",
  0x04f2: "SetVariable",
  0x04fc: "GetVariable",
  0x0524: "GetLink",
  0x0542: "SetMultiVariables",
  0x054c: "GetMultiVariables",
  0x0556: "BeginSequence",
  0x0560: "EndSequence",
  0x056b: "Invoke",
  0x057c: "SetVarSubStreamed",
  0x0586: "GetVarSubStreamed",
  0x0590: "GetVariablesAddress",
  0x059a: "Abort",
  0x05a9: "Error",
  0x05b3: "InitSsl",
};

/** Operating modes of SZL 0x0424 (requested mode, low nibble of bzu-id), as a simple state. */
export const CPU_STATES: readonly string[] = [
  "unknown",
  "stop",
  "stop",
  "stop",
  "stop",
  "startup",
  "startup",
  "startup",
  "run",
  "run",
  "hold",
  "unknown",
  "unknown",
  "defect",
  "unknown",
  "unknown",
];

/** `0x` and four hex digits. */
export function hex4(value: number): string {
  return `0x${value.toString(16).padStart(4, "0")}`;
}

/** True when the packet goes to the S7/ISO server (the port 102 side). */
export function isToServer(packet: Packet): boolean {
  if (packet.dstPort === ISO_TSAP_PORT) return true;
  if (packet.srcPort === ISO_TSAP_PORT) return false;
  return packet.dstPort < packet.srcPort;
}

/**
 * Adds `block_type` and `block_number` to `fields` from the 7 characters `TTNNNNN` at `at` (block
 * type as two hex digits, block number as five decimal digits), when they read so.
 */
export function addBlock(
  bytes: Uint8Array,
  at: number,
  fields: Record<string, string | number | boolean>,
): void {
  const type = BLOCK_TYPE_NAMES[String.fromCharCode(bytes[at], bytes[at + 1]).toUpperCase()];
  let number = 0;
  for (let i = at + 2; i < at + 7; i++) {
    if (bytes[i] < 0x30 || bytes[i] > 0x39) return;
    number = number * 10 + bytes[i] - 0x30;
  }
  if (type === undefined) return;
  fields.block_type = type;
  fields.block_number = number;
}
