/**
 * IEC 60870-5-104 (telecontrol over TCP, port 2404): APCI (IEC 60870-5-104 §5) and the ASDU
 * header (IEC 60870-5-101 §7, with the -104 sizes of §9: 2-byte cause, 2-byte common address,
 * 3-byte information object address).
 *
 * ```
 * APCI 0 start (0x68)  1 length of the rest (4–253)  2 control field (4)
 *        I format: bit 0 of octet 1 is 0; send sequence (octets 1–2 >> 1), receive sequence (3–4 >> 1)
 *        S format: octet 1 = 0x01; receive sequence (3–4 >> 1)
 *        U format: octet 1 = 0x03 | function (0x04 STARTDT act, 0x08 con, 0x10 STOPDT act,
 *                  0x20 con, 0x40 TESTFR act, 0x80 con)
 * ASDU (I format only) 6 type id  7 SQ (bit 7) + number of objects  8 cause (6 bits) + P/N (bit 6)
 *        + test (bit 7)  9 originator address  10 common address (2, little endian)
 *        12 first information object address (3, little endian)
 * ```
 * Several APDUs in one TCP segment are decoded in turn; one continued in the next segment is
 * joined by the engine (`packet.desegment`); a segment that does not start with 0x68 is skipped.
 *
 * Identities: `iec104.role` (controlling; controlled = the port 2404 side), `iec104.common_address`
 * on the controlled station (not the broadcast address 0xFFFF). Events (fields: type id and name, cause, common address, IOA):
 * `iec104.command` (warning, C_SC/C_DC/C_RC/C_SE/C_BO activation or deactivation),
 * `iec104.command_confirmation` (info), `iec104.interrogation` / `iec104.counter_interrogation` /
 * `iec104.read` (info, read), `iec104.clock_sync` (warning, time_sync), `iec104.reset_process`
 * (critical, restart), `iec104.test` (info), `iec104.parameter` (warning, config_change),
 * `iec104.file_transfer` (notice), `iec104.end_of_init` (info), `iec104.startdt` (info),
 * `iec104.stopdt` (notice), and for monitoring data one `iec104.monitoring` (info, publish) per
 * type id and common address (no per-measurement event).
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet, type Severity } from "../../api.ts";
import { tapApdu } from "./_tap.ts";
import { Cot, IEC104, IEC104_PORT, isCommand, START, TYPE_NAMES, U_FUNCTIONS } from "./_consts.ts";

const MIN_LENGTH = 4;
const MAX_LENGTH = 253;
/** Control field + type, VSQ, cause, originator, common address. */
const MIN_I_LENGTH = 10;

/** Which end is the controlled station: the port 2404 side (else the lower port). */
function controlledSide(packet: Packet): "src" | "dst" {
  if (packet.dstPort === IEC104_PORT) return "dst";
  if (packet.srcPort === IEC104_PORT) return "src";
  return packet.dstPort < packet.srcPort ? "dst" : "src";
}

function reportRoles(packet: Packet, out: Observer): "src" | "dst" {
  const controlled = controlledSide(packet);
  out.identity(packet, controlled, { key: "iec104.role", value: "controlled", confidence: 80 });
  out.identity(packet, controlled === "dst" ? "src" : "dst", {
    key: "iec104.role",
    value: "controlling",
    confidence: 80,
  });
  return controlled;
}

function emit(
  packet: Packet,
  out: Observer,
  type: string,
  severity: Severity,
  fields: Record<string, string | number | boolean>,
): void {
  out.event(packet, { type, severity, fields });
}

/** The ASDU of an I-format APDU at `at` (control field first), `length` bytes after the length octet. */
function decodeAsdu(
  packet: Packet,
  out: Observer,
  at: number,
  length: number,
  controlled: "src" | "dst",
): number {
  const bytes = packet.bytes;
  const typeId = bytes[at + 4];
  if (typeId === 0) return packet.fail(IEC104, "type identification 0 is not defined", at + 4, 0);
  const cause = bytes[at + 6] & 0x3f;
  const negative = (bytes[at + 6] & 0x40) !== 0;
  const commonAddress = bytes[at + 8] | (bytes[at + 9] << 8);
  tapApdu(0, -1, typeId, cause, commonAddress);
  // 0xFFFF is the broadcast (global) address, not a station's own.
  if (commonAddress !== 0xffff) {
    out.identity(packet, controlled, {
      key: "iec104.common_address",
      value: String(commonAddress),
      confidence: 80,
    });
  }
  const ioa = length >= MIN_I_LENGTH + 3
    ? bytes[at + 10] | (bytes[at + 11] << 8) | (bytes[at + 12] << 16)
    : -1;
  if (typeId < 45) {
    emit(packet, out, "iec104.monitoring", "info", {
      op: "publish",
      type_id: typeId,
      common_address: commonAddress,
    });
    return Decoded.DONE;
  }
  const request = cause === Cot.ACTIVATION || cause === Cot.DEACTIVATION;
  const base = {
    type_id: typeId,
    type_name: TYPE_NAMES[typeId] ?? `type_${typeId}`,
    cot: cause,
    common_address: commonAddress,
  };
  if (isCommand(typeId)) {
    const fields = ioa >= 0 ? { ...base, ioa } : base;
    if (request) emit(packet, out, "iec104.command", "warning", { op: "command", ...fields });
    else emit(packet, out, "iec104.command_confirmation", "info", { op: "command", ...fields, negative });
    return Decoded.DONE;
  }
  if (!request) return Decoded.DONE;
  switch (typeId) {
    case 100:
      emit(packet, out, "iec104.interrogation", "info", { op: "read", ...base });
      break;
    case 101:
      emit(packet, out, "iec104.counter_interrogation", "info", { op: "read", ...base });
      break;
    case 102:
      emit(packet, out, "iec104.read", "info", { op: "read", ...base, ...(ioa >= 0 ? { ioa } : {}) });
      break;
    case 103:
      emit(packet, out, "iec104.clock_sync", "warning", { op: "time_sync", ...base });
      break;
    case 104:
    case 107:
      emit(packet, out, "iec104.test", "info", { op: "diagnostic", ...base });
      break;
    case 105:
      emit(packet, out, "iec104.reset_process", "critical", { op: "restart", ...base });
      break;
    case 110:
    case 111:
    case 112:
    case 113:
      emit(packet, out, "iec104.parameter", "warning", { op: "config_change", ...base });
      break;
    default:
      if (typeId >= 120 && typeId <= 127) {
        emit(packet, out, "iec104.file_transfer", "notice", { op: "file_transfer", ...base });
      }
  }
  return Decoded.DONE;
}

/** One APDU whose control field starts at `at`, `length` bytes (the length octet's value). */
function decodeApdu(packet: Packet, out: Observer, at: number, length: number): number {
  const bytes = packet.bytes;
  const control = bytes[at];
  const controlled = reportRoles(packet, out);
  if ((control & 0x01) === 0) {
    if (length < MIN_I_LENGTH) {
      return packet.fail(IEC104, "I-format APDU shorter than an ASDU header", at - 1, length);
    }
    return decodeAsdu(packet, out, at, length, controlled);
  }
  if (length !== MIN_LENGTH) {
    return packet.fail(IEC104, "S- or U-format APDU longer than 4 bytes", at - 1, length);
  }
  if ((control & 0x03) === 0x01) {
    tapApdu(1, -1);
    return Decoded.DONE;
  }
  const func = U_FUNCTIONS[control & 0xfc];
  if (func === undefined) {
    return packet.fail(IEC104, "U-format control field is not one function", at, control);
  }
  tapApdu(3, control >> 2);
  if (func === "startdt_act") emit(packet, out, "iec104.startdt", "info", { op: "session" });
  else if (func === "stopdt_act") emit(packet, out, "iec104.stopdt", "notice", { op: "session" });
  return Decoded.DONE;
}

/** Every APDU of the TCP payload. */
function decodeSegment(packet: Packet, out: Observer): number {
  const bytes = packet.bytes;
  const end = packet.payloadOffset + packet.payloadLength;
  let at = packet.payloadOffset;
  // A segment not starting with 0x68 continues an APDU of an earlier segment.
  if (bytes[at] !== START) return Decoded.DONE;
  while (at < end) {
    if (bytes[at] !== START) return packet.fail(IEC104, "start byte is not 0x68", at, bytes[at]);
    if (end - at < 2) return cut(packet, at);
    const length = bytes[at + 1];
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
      return packet.fail(IEC104, "APDU length outside 4–253", at + 1, length);
    }
    if (at + 2 + length > end) return cut(packet, at, 2 + length);
    const status = decodeApdu(packet, out, at + 2, length);
    if (status !== Decoded.DONE) return status;
    at += 2 + length;
  }
  return Decoded.DONE;
}

/** Segment ends inside an APDU: truncated when the capture cut it, else continued in the next segment. */
function cut(packet: Packet, at: number, length = 0): number {
  return packet.caplen < packet.wirelen ? packet.truncated(IEC104, at) : packet.desegment(at, length);
}

/** Heuristic: a whole first APDU with a sound control field, followed by nothing or another 0x68. */
function looksLikeIec104(packet: Packet): boolean {
  const bytes = packet.bytes;
  const at = packet.payloadOffset;
  const available = packet.payloadLength;
  if (available < 6 || bytes[at] !== START) return false;
  const length = bytes[at + 1];
  if (length < MIN_LENGTH || length > MAX_LENGTH || 2 + length > available) return false;
  if (2 + length < available && bytes[at + 2 + length] !== START) return false;
  const control = bytes[at + 2];
  if ((control & 0x01) === 0) {
    return length >= MIN_I_LENGTH && TYPE_NAMES[bytes[at + 6]] !== undefined && (bytes[at + 8] & 0x3f) !== 0;
  }
  if (length !== MIN_LENGTH || bytes[at + 3] !== 0) return false;
  if (control === 0x01) return (bytes[at + 4] & 0x01) === 0;
  return U_FUNCTIONS[control & 0xfc] !== undefined && (control & 0x03) === 0x03 && bytes[at + 4] === 0 &&
    bytes[at + 5] === 0;
}

/** IEC 60870-5-104 dissector: TCP port 2404, and heuristically on other ports. */
export const iec104: Dissector = {
  name: "iec104",
  title: "IEC 60870-5-104 telecontrol",
  registration: { tables: { "tcp.port": [IEC104_PORT] }, heuristics: ["tcp"] },
  decode(packet, out) {
    if (packet.payloadLength <= 0) return Decoded.DONE;
    return decodeSegment(packet, out);
  },
  probe: looksLikeIec104,
};
