/**
 * DNP3 (IEEE 1815-2012) over TCP and UDP port 20000, and a heuristic probe for other ports.
 *
 * ```
 * Link header (§9.2.4, 10 octets)                 User data (LEN − 5 octets), in blocks of up to 16
 *  0 start 0x05 0x64   2 LEN (5–255: CTRL..data)   octets each followed by its CRC (2, low first):
 *  3 CTRL: DIR 0x80, PRM 0x40, FCB/FCV, function    transport header (§8.2.1): FIN 0x80, FIR 0x40, seq
 *  4 destination (2, LE)  6 source (2, LE)          application header, FIR segments only (§4.2.2):
 *  8 header CRC (2, LE)                             control, function code, IIN (2) in responses,
 *                                                   then object headers: group, variation, qualifier
 * ```
 * User data is read in place across the CRCs with {@linkcode userByte} (octet `i` of the user data
 * is at `10 + i + 2 × ⌊i / 16⌋` from the frame start): nothing is copied. Several link frames may
 * share a segment; one split over segments is joined by the engine (`packet.desegment`). Every CRC
 * is checked.
 *
 * Identities: `dnp3.role` master (DIR = 1 sender) / outstation, `dnp3.address` = the link address
 * of each end (the source's own, confidence 90; the destination's, 70, unless broadcast/reserved).
 * Events (fields `op`, `function`, `function_name`, `src_address`, `dst_address`, and `group` /
 * `variation` of a request's first object): one per request other than confirm, `dnp3.<function>`
 * with the severity of `_consts.ts` (read info, write notice, select/operate warning, cold/warm
 * restart and stop/start application critical; a write of g50 is `dnp3.time_sync`, warning); each
 * unsolicited response (info); and from responses' internal indications `dnp3.device_restart`
 * (notice), `device_trouble`, `config_corrupt`, `local_control`, `need_time`, `request_refused`.
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import {
  AUTHENTICATE_RESPONSE,
  Control,
  FIRST_RESERVED_ADDRESS,
  type FunctionClass,
  functionName,
  GROUP_TIME_AND_DATE,
  IIN_EVENTS,
  IIN_NAMES,
  IIN_NOTABLE_MASK,
  IIN_REFUSED_MASK,
  isDefinedFunction,
  LINK_CONFIRMED_USER_DATA,
  LINK_UNCONFIRMED_USER_DATA,
  REQUEST_FUNCTIONS,
  REQUEST_REFUSED,
  RESPONSE,
  TIME_SYNC_WRITE,
  Transport,
  UNSOLICITED,
  UNSOLICITED_RESPONSE,
} from "./_consts.ts";
import { dnpCrc } from "./_crc.ts";

const PROTOCOL = "DNP3";
/** Registered port (IANA "dnp"), TCP and UDP. */
export const DNP3_PORT = 20000;
const HEADER_LENGTH = 10;
const BLOCK = 16;
const TAP_SIZE = 16;

/**
 * What the last {@linkcode dnp3} decode found, one entry per link frame (the first 16 of a
 * segment): reused arrays, for taps and tests. `appFunction` and `iin` are -1 when absent.
 */
export const dnp3Tap = {
  count: 0,
  src: new Int32Array(TAP_SIZE),
  dst: new Int32Array(TAP_SIZE),
  control: new Uint8Array(TAP_SIZE),
  appFunction: new Int16Array(TAP_SIZE),
  iin: new Int32Array(TAP_SIZE),
};

/** Offset of user data octet `i` of the frame at `at` (past the CRC after each 16 octets). */
export function userByte(at: number, i: number): number {
  return at + HEADER_LENGTH + i + 2 * (i >> 4);
}

/** Octets of a frame carrying `user` octets of user data. */
function frameSize(user: number): number {
  return HEADER_LENGTH + user + 2 * Math.ceil(user / BLOCK);
}

function hasValidHeader(packet: Packet, at: number): boolean {
  return packet.bytes[at + 2] >= 5 && dnpCrc(packet.bytes, at, 8) === packet.view.getUint16(at + 8, true);
}

function iinText(iin: number): string {
  let text = "";
  for (let bit = 15; bit >= 0; bit--) {
    if (iin & (1 << bit)) text += text === "" ? IIN_NAMES[bit] : `,${IIN_NAMES[bit]}`;
  }
  return text;
}

/** Reports `kind`; `group`, `variation` (first object header) and `iin` are -1 when absent. */
function emit(
  packet: Packet,
  out: Observer,
  kind: FunctionClass,
  code: number,
  at: number,
  group: number,
  iin: number,
): void {
  const fields: Record<string, string | number> = {
    op: kind.op,
    function: code,
    function_name: functionName(code),
    src_address: packet.view.getUint16(at + 6, true),
    dst_address: packet.view.getUint16(at + 4, true),
  };
  if (group >= 0) {
    fields.group = group;
    fields.variation = packet.bytes[userByte(at, 4)];
  }
  if (iin >= 0) fields.iin = iinText(iin & IIN_NOTABLE_MASK);
  out.event(packet, { type: `dnp3.${kind.name}`, severity: kind.severity, fields });
}

/** Application layer of a FIR segment: `user` octets of user data in the frame at `at`. */
function decodeApplication(packet: Packet, out: Observer, at: number, user: number): number {
  const bytes = packet.bytes;
  const slot = dnp3Tap.count - 1;
  if (user < 3) {
    return packet.fail(PROTOCOL, "first segment without an application header", userByte(at, 0), user);
  }
  const code = bytes[userByte(at, 2)];
  if (!isDefinedFunction(code)) {
    return packet.fail(PROTOCOL, "reserved application function code", userByte(at, 2), code);
  }
  if (slot < TAP_SIZE) dnp3Tap.appFunction[slot] = code;
  if (code >= RESPONSE) {
    if (user < 5) {
      return packet.fail(PROTOCOL, "response without internal indications", userByte(at, 2), user);
    }
    const iin = (bytes[userByte(at, 3)] << 8) | bytes[userByte(at, 4)];
    if (slot < TAP_SIZE) dnp3Tap.iin[slot] = iin;
    if (code === UNSOLICITED_RESPONSE) emit(packet, out, UNSOLICITED, code, at, -1, -1);
    if (code === AUTHENTICATE_RESPONSE) return Decoded.DONE;
    for (let i = 0; i < IIN_EVENTS.length; i++) {
      if (iin & IIN_EVENTS[i][0]) emit(packet, out, IIN_EVENTS[i][1], code, at, -1, iin);
    }
    if (iin & IIN_REFUSED_MASK) {
      emit(packet, out, REQUEST_REFUSED, code, at, -1, iin);
    }
    return Decoded.DONE;
  }
  if (code === 0) return Decoded.DONE; // confirm: no event
  // First object header (§4.2.2.8): group, variation, qualifier.
  const group = user >= 5 ? bytes[userByte(at, 3)] : -1;
  const kind = code === 2 && group === GROUP_TIME_AND_DATE ? TIME_SYNC_WRITE : REQUEST_FUNCTIONS[code];
  emit(packet, out, kind, code, at, group, -1);
  return Decoded.DONE;
}

/** One link frame at `at` whose header and CRCs were checked; `user` octets of user data. */
function decodeFrame(packet: Packet, out: Observer, at: number, user: number): number {
  const bytes = packet.bytes;
  const control = bytes[at + 3];
  const dst = packet.view.getUint16(at + 4, true);
  const src = packet.view.getUint16(at + 6, true);
  const slot = dnp3Tap.count++;
  if (slot < TAP_SIZE) {
    dnp3Tap.src[slot] = src;
    dnp3Tap.dst[slot] = dst;
    dnp3Tap.control[slot] = control;
    dnp3Tap.appFunction[slot] = -1;
    dnp3Tap.iin[slot] = -1;
  }
  const fromMaster = (control & Control.DIR) !== 0;
  out.identity(packet, "src", {
    key: "dnp3.role",
    value: fromMaster ? "master" : "outstation",
    confidence: 80,
  });
  out.identity(packet, "dst", {
    key: "dnp3.role",
    value: fromMaster ? "outstation" : "master",
    confidence: 80,
  });
  out.identity(packet, "src", { key: "dnp3.address", value: String(src), confidence: 90 });
  if (dst < FIRST_RESERVED_ADDRESS) {
    out.identity(packet, "dst", { key: "dnp3.address", value: String(dst), confidence: 70 });
  }
  const linkFunction = control & Control.FUNCTION;
  const carriesData = (control & Control.PRM) !== 0 &&
    (linkFunction === LINK_CONFIRMED_USER_DATA || linkFunction === LINK_UNCONFIRMED_USER_DATA);
  if (!carriesData || user === 0) return Decoded.DONE;
  // Only the first transport segment of a fragment starts with the application header.
  if ((bytes[userByte(at, 0)] & Transport.FIR) === 0) return Decoded.DONE;
  return decodeApplication(packet, out, at, user);
}

/** The rest of a frame is in the next segment, or the capture was cut (snapshot length). */
function cut(packet: Packet, at: number, length = 0): number {
  return packet.caplen < packet.wirelen ? packet.truncated(PROTOCOL, at) : packet.desegment(at, length);
}

function decodeDnp3(packet: Packet, out: Observer): number {
  const bytes = packet.bytes;
  const view = packet.view;
  const end = packet.payloadOffset + packet.payloadLength;
  dnp3Tap.count = 0;
  let at = packet.payloadOffset;
  while (at < end) {
    if (end - at < 2) return cut(packet, at);
    if (bytes[at] !== 0x05 || bytes[at + 1] !== 0x64) {
      // A segment may start inside a frame whose beginning came earlier: skip it.
      if (at === packet.payloadOffset) return Decoded.DONE;
      return packet.fail(PROTOCOL, "link frame does not start with 0x0564", at, bytes[at]);
    }
    if (end - at < HEADER_LENGTH) return cut(packet, at);
    const length = bytes[at + 2];
    if (length < 5) return packet.fail(PROTOCOL, "link length below 5", at + 2, length);
    const crc = dnpCrc(bytes, at, 8);
    if (crc !== view.getUint16(at + 8, true)) {
      return packet.fail(PROTOCOL, "link header CRC mismatch", at + 8, crc);
    }
    const user = length - 5;
    const size = frameSize(user);
    if (end - at < size) return cut(packet, at, size);
    for (let block = 0; block * BLOCK < user; block++) {
      const from = at + HEADER_LENGTH + block * (BLOCK + 2);
      const n = Math.min(BLOCK, user - block * BLOCK);
      const blockCrc = dnpCrc(bytes, from, n);
      if (blockCrc !== view.getUint16(from + n, true)) {
        return packet.fail(PROTOCOL, "user data block CRC mismatch", from + n, blockCrc);
      }
    }
    const status = decodeFrame(packet, out, at, user);
    if (status !== Decoded.DONE) return status;
    at += size;
  }
  return Decoded.DONE;
}

/** Heuristic (§9.2.4): start octets 0x05 0x64, LEN ≥ 5 and a valid header CRC. */
function probeDnp3(packet: Packet): boolean {
  const at = packet.payloadOffset;
  if (packet.payloadLength < HEADER_LENGTH) return false;
  return packet.bytes[at] === 0x05 && packet.bytes[at + 1] === 0x64 && hasValidHeader(packet, at);
}

/** DNP3 dissector: TCP and UDP port 20000 and a heuristic for other ports. */
export const dnp3: Dissector = {
  name: "dnp3",
  title: "DNP3 (IEEE 1815-2012)",
  registration: { tables: { "tcp.port": [DNP3_PORT], "udp.port": [DNP3_PORT] }, heuristics: ["tcp", "udp"] },
  decode: decodeDnp3,
  probe: probeDnp3,
};
