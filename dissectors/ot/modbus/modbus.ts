/**
 * Modbus/TCP (Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3; Modbus Application
 * Protocol Specification v1.1b3 §4–§7), TCP port 502 and a heuristic probe for other ports.
 *
 * ```
 * MBAP header (7 bytes, big endian)        PDU (1–253 bytes)
 *  0 transaction id (2)                     7 function code (bit 7 set: exception response)
 *  2 protocol id (2, always 0)              8 data: start address (2) + quantity (2) for reads,
 *  4 length (2): unit id + PDU, 2–254         byte count + values for writes, exception code (1)…
 *  6 unit id (1): 0/255 the device itself, other values a serial device behind a gateway
 * ```
 * Several ADUs may share one segment; an ADU split over segments is joined by the engine
 * (`packet.desegment`). A request is the
 * segment going to the server: the side on port 502, else (heuristic flows) the lower port.
 *
 * Reports, per request, one event `modbus.read|write|diagnostic|identify|file_read|file_write|other`
 * (`restart_communications` / `force_listen_only` for diagnostics sub-functions 1 and 4) with
 * `op`, `function`, `function_name`, `unit` and, where the function addresses a range, `start` and
 * `quantity`; per exception response a `modbus.exception` event from the server. Identities:
 * `modbus.role` client/server; Read Device Identification (43/14) objects 0–6 of the server
 * (`ot.vendor`, `ot.product_code`, `ot.firmware`, `modbus.vendor_url`, `ot.product`,
 * `modbus.model_name`, `modbus.user_application_name`, confidence 90).
 *
 * Unit ids (gateway rule): a response for a unit id other than 0 and 255 (the values §4.4 of the
 * implementation guide reserves for addressing the TCP device itself) is a device behind the server
 * address: `child/modbus.unit/<id>/seen = true` on the server, and that unit's 43/14 objects are
 * `child/modbus.unit/<id>/<key>`. Exceptions 10/11 (gateway path unavailable / target failed to
 * respond) prove the server is a gateway (`modbus.gateway = true`) but not that the unit exists.
 *
 * @module
 */

import { Decoded, decodeText, type Dissector, type Observer, type Packet } from "../../api.ts";
import { checkResponse, parseRequest, request } from "./_pdu.ts";
import {
  DEVICE_ID_KEYS,
  DIAG_FORCE_LISTEN_ONLY,
  DIAG_RESTART_COMMUNICATIONS,
  EXCEPTION,
  EXCEPTION_GATEWAY_PATH_UNAVAILABLE,
  EXCEPTION_GATEWAY_TARGET_FAILED,
  exceptionName,
  type FunctionClass,
  functionClass,
  functionName,
  isPublicFunction,
  LISTEN_ONLY,
  MEI_READ_DEVICE_ID,
  RESTART,
} from "./_consts.ts";

const PROTOCOL = "Modbus/TCP";
/** Registered port (IANA "mbap"). */
export const MODBUS_PORT = 502;
const MBAP_LENGTH = 7;
/** §4.1: a TCP ADU is at most 260 bytes, so unit id + PDU is at most 254. */
const MAX_LENGTH = 254;
const ROLE_CONFIDENCE = 80;
const TAP_SIZE = 16;

/**
 * What the last {@linkcode modbus} decode found, one entry per ADU (the first 16 of a segment):
 * reused arrays, for taps and tests. `func` is the raw function byte (exception bit included),
 * `start`/`quantity`/`exception` are -1 when absent.
 */
export const modbusTap = {
  count: 0,
  request: new Uint8Array(TAP_SIZE),
  unit: new Int16Array(TAP_SIZE),
  func: new Int16Array(TAP_SIZE),
  start: new Int32Array(TAP_SIZE),
  quantity: new Int32Array(TAP_SIZE),
  exception: new Int16Array(TAP_SIZE),
};

/** `child/modbus.unit/<id>/seen` for every unit id, built once. */
const CHILD_SEEN_KEYS: readonly string[] = Array.from(
  { length: 256 },
  (_, id) => `child/modbus.unit/${id}/seen`,
);

function isOwnUnit(unit: number): boolean {
  return unit === 0 || unit === 255;
}

/** True when the segment goes to the server (port 502, else the lower port). */
function isRequest(packet: Packet): boolean {
  if (packet.dstPort === MODBUS_PORT) return true;
  if (packet.srcPort === MODBUS_PORT) return false;
  return packet.dstPort < packet.srcPort;
}

function roles(packet: Packet, out: Observer, fromClient: boolean): void {
  out.identity(packet, fromClient ? "src" : "dst", {
    key: "modbus.role",
    value: "client",
    confidence: ROLE_CONFIDENCE,
  });
  out.identity(packet, fromClient ? "dst" : "src", {
    key: "modbus.role",
    value: "server",
    confidence: ROLE_CONFIDENCE,
  });
}

function requestEvent(packet: Packet, out: Observer, unit: number, pdu: number): void {
  const code = packet.bytes[pdu];
  let kind: FunctionClass = functionClass(code, code === 43 ? packet.bytes[pdu + 1] : -1);
  if (request.sub === DIAG_RESTART_COMMUNICATIONS) kind = RESTART;
  else if (request.sub === DIAG_FORCE_LISTEN_ONLY) kind = LISTEN_ONLY;
  const fields: Record<string, string | number> = {
    op: kind.op,
    function: code,
    function_name: functionName(code),
    unit,
  };
  if (request.start >= 0) fields.start = request.start;
  if (request.quantity >= 0) fields.quantity = request.quantity;
  if (request.readStart >= 0) {
    fields.read_start = request.readStart;
    fields.read_quantity = request.readQuantity;
  }
  if (request.sub >= 0) fields.sub_function = request.sub;
  if (code === 43) fields.mei_type = packet.bytes[pdu + 1];
  out.event(packet, { type: kind.type, severity: kind.severity, fields });
}

/**
 * Read Device Identification response objects (§6.21) at `pdu`, `n` bytes: checks them (`report`
 * false) or reports them (true, once checked); a problem or "".
 */
function deviceIdentification(
  packet: Packet,
  out: Observer,
  unit: number,
  pdu: number,
  n: number,
  report: boolean,
): string {
  if (n < 7) return "read device identification response too short";
  const bytes = packet.bytes;
  const end = pdu + n;
  let at = pdu + 7;
  for (let i = 0; i < bytes[pdu + 6]; i++) {
    if (end - at < 2 || end - at - 2 < bytes[at + 1]) return "device identification object runs past the PDU";
    const id = bytes[at];
    const length = bytes[at + 1];
    if (report && id < DEVICE_ID_KEYS.length) {
      const value = decodeText(bytes, at + 2, length);
      const key = isOwnUnit(unit) ? DEVICE_ID_KEYS[id] : `child/modbus.unit/${unit}/${DEVICE_ID_KEYS[id]}`;
      if (value !== "") out.identity(packet, "src", { key, value, confidence: 90 });
    }
    at += 2 + length;
  }
  return "";
}

function tap(isReq: boolean, unit: number, code: number, exception: number): void {
  const i = modbusTap.count++;
  if (i >= TAP_SIZE) return;
  modbusTap.request[i] = isReq ? 1 : 0;
  modbusTap.unit[i] = unit;
  modbusTap.func[i] = code;
  modbusTap.start[i] = isReq ? request.start : -1;
  modbusTap.quantity[i] = isReq ? request.quantity : -1;
  modbusTap.exception[i] = exception;
}

/** Decodes one ADU whose unit id is at `at` and whose length field is `length` (checked). */
function decodeAdu(packet: Packet, out: Observer, at: number, length: number, isReq: boolean): number {
  const bytes = packet.bytes;
  const unit = bytes[at];
  const pdu = at + 1;
  const n = length - 1;
  const code = bytes[pdu];
  if (code === 0) return packet.fail(PROTOCOL, "function code 0 is not defined", pdu, 0);
  if (isReq) {
    if (code & 0x80) return packet.fail(PROTOCOL, "request function code has the exception bit", pdu, code);
    const problem = parseRequest(packet, pdu, n);
    if (problem !== "") return packet.fail(PROTOCOL, problem, pdu, code);
    tap(true, unit, code, -1);
    roles(packet, out, true);
    requestEvent(packet, out, unit, pdu);
    return Decoded.DONE;
  }
  if (code & 0x80) {
    // §7: function code + 0x80, one exception code byte.
    if (n < 2) return packet.fail(PROTOCOL, "exception response too short", at - 2, length);
    const exception = bytes[pdu + 1];
    if (exception === 0) return packet.fail(PROTOCOL, "exception code 0 is not defined", pdu + 1, 0);
    tap(false, unit, code, exception);
    roles(packet, out, false);
    const gateway = exception === EXCEPTION_GATEWAY_PATH_UNAVAILABLE ||
      exception === EXCEPTION_GATEWAY_TARGET_FAILED;
    if (gateway) out.identity(packet, "src", { key: "modbus.gateway", value: "true", confidence: 80 });
    else if (!isOwnUnit(unit)) {
      out.identity(packet, "src", { key: CHILD_SEEN_KEYS[unit], value: "true", confidence: 80 });
    }
    out.event(packet, {
      type: EXCEPTION.type,
      severity: EXCEPTION.severity,
      fields: {
        op: EXCEPTION.op,
        function: code & 0x7f,
        function_name: functionName(code & 0x7f),
        unit,
        exception_code: exception,
        exception_name: exceptionName(exception),
      },
    });
    return Decoded.DONE;
  }
  const problem = code === 43 && n >= 2 && bytes[pdu + 1] === MEI_READ_DEVICE_ID
    ? deviceIdentification(packet, out, unit, pdu, n, false)
    : checkResponse(packet, pdu, n);
  if (problem !== "") return packet.fail(PROTOCOL, problem, pdu, code);
  tap(false, unit, code, -1);
  roles(packet, out, false);
  if (code === 43 && n >= 2 && bytes[pdu + 1] === MEI_READ_DEVICE_ID) {
    deviceIdentification(packet, out, unit, pdu, n, true);
  }
  if (!isOwnUnit(unit)) {
    out.identity(packet, "src", { key: CHILD_SEEN_KEYS[unit], value: "true", confidence: 80 });
  }
  return Decoded.DONE;
}

/** The rest of an ADU is in the next segment, or the capture was cut (snapshot length). */
function cut(packet: Packet, at: number, length = 0): number {
  return packet.caplen < packet.wirelen ? packet.truncated(PROTOCOL, at) : packet.desegment(at, length);
}

function decodeModbusTcp(packet: Packet, out: Observer): number {
  const view = packet.view;
  const end = packet.payloadOffset + packet.payloadLength;
  const isReq = isRequest(packet);
  modbusTap.count = 0;
  let at = packet.payloadOffset;
  while (at < end) {
    if (end - at < MBAP_LENGTH + 1) return cut(packet, at);
    const protocolId = view.getUint16(at + 2);
    const length = view.getUint16(at + 4);
    if (protocolId !== 0 || length < 2 || length > MAX_LENGTH) {
      // The first ADU of a segment may start inside a PDU whose beginning came earlier: skip it.
      if (at === packet.payloadOffset) return Decoded.DONE;
      if (protocolId !== 0) return packet.fail(PROTOCOL, "protocol identifier is not 0", at + 2, protocolId);
      return packet.fail(PROTOCOL, "length field out of range 2-254", at + 4, length);
    }
    if (end - at - 6 < length) return cut(packet, at, 6 + length);
    const status = decodeAdu(packet, out, at + 6, length, isReq);
    if (status !== Decoded.DONE) return status;
    at += 6 + length;
  }
  return Decoded.DONE;
}

/** Heuristic (§4.1): protocol id 0, lengths 2–254 that chain to the end of the payload, known functions. */
function probeModbusTcp(packet: Packet): boolean {
  const bytes = packet.bytes;
  const view = packet.view;
  const end = packet.payloadOffset + packet.payloadLength;
  let at = packet.payloadOffset;
  for (let adus = 0; adus < 4; adus++) {
    if (end - at < MBAP_LENGTH + 1) return false;
    const length = view.getUint16(at + 4);
    if (view.getUint16(at + 2) !== 0 || length < 2 || length > MAX_LENGTH || end - at - 6 < length) {
      return false;
    }
    const code = bytes[at + 7];
    if (!isPublicFunction(code & 0x7f) || ((code & 0x80) !== 0 && length !== 3)) return false;
    at += 6 + length;
    if (at === end) return true;
  }
  return false;
}

/** Modbus/TCP dissector: TCP port 502 and a heuristic for other ports. */
export const modbus: Dissector = {
  name: "modbus",
  title: "Modbus/TCP (Modbus Application Protocol v1.1b3)",
  registration: { tables: { "tcp.port": [MODBUS_PORT] }, heuristics: ["tcp"] },
  decode: decodeModbusTcp,
  probe: probeModbusTcp,
};
