/**
 * EtherNet/IP encapsulation (ODVA CIP Networks Library Vol 2 §2-3, §2-4, §2-6) on TCP/UDP 44818,
 * and class 1 implicit I/O on UDP 2222 (Vol 2 §3-3).
 *
 * ```
 * encapsulation header (24 bytes, little endian):
 *  0 command (u16)  2 length of the data (u16)  4 session handle (u32)  8 status (u32)
 * 12 sender context (8)  20 options (u32)  24 data…
 * SendRRData / SendUnitData data: interface handle (u32, 0 = CIP) | timeout (u16) | common packet format
 * common packet format: item count (u16) | items: type (u16) | length (u16) | data
 *   0x00B2 unconnected data: a CIP message; 0x00B1 connected data: sequence count (u16) + CIP message
 * ListIdentity reply item 0x000C: encapsulation version (u16) | socket address (16, big endian) |
 *   vendor id | device type | product code (u16 each) | revision major, minor | status (u16) |
 *   serial number (u32) | product name length | product name | state
 * implicit I/O datagram: item count | 0x8002 sequenced address (connection id, sequence) | 0x00B1 data
 * ```
 * A TCP segment may carry several encapsulations; one split over segments is joined by the engine
 * (`packet.desegment`).
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { Command, commandName, Item } from "./_consts.ts";
import { decodeCip, resetCipTrace } from "./cip.ts";
import { exchange, IDENTITY_FIXED, reportIdentity } from "./identity.ts";

const PROTOCOL = "EtherNet/IP";
/** Registered port of explicit messaging and list commands (TCP and UDP). */
export const ENIP_PORT = 44818;
/** Registered port of class 0/1 implicit I/O (UDP). */
export const ENIP_IO_PORT = 2222;
const HEADER = 24;
/** Session handle of the encapsulation being decoded. */
const session = { handle: 0 };
const MAX_COMMANDS = 16;

/** Encapsulation commands of the current packet, in order (reused; tests compare them with tshark). */
export const enipTrace = { count: 0, commands: new Uint16Array(MAX_COMMANDS) };

/** Tiny table of I/O producers reported recently (IPv4 → time), so a 1 ms RPI does not cost a record per packet. */
const IO_SLOTS = 256;
/** Recently reported I/O producers, per engine (keyed by its observer: engines never share it). */
const ioByObserver = new WeakMap<Observer, { address: Uint32Array; reportedUs: Float64Array }>();

function ioStateOf(out: Observer): { address: Uint32Array; reportedUs: Float64Array } {
  let state = ioByObserver.get(out);
  if (state === undefined) {
    state = { address: new Uint32Array(IO_SLOTS), reportedUs: new Float64Array(IO_SLOTS) };
    ioByObserver.set(out, state);
  }
  return state;
}
const IO_REPORT_EVERY_US = 10e6;

function say(
  packet: Packet,
  out: Observer,
  about: "src" | "dst",
  key: string,
  value: string,
  confidence: number,
): void {
  out.identity(packet, about, { key, value, confidence });
}

/** True when the sender is the EtherNet/IP target (server side) of the conversation. */
function fromServer(packet: Packet): boolean {
  if (packet.srcPort === ENIP_PORT) return packet.dstPort !== ENIP_PORT;
  if (packet.dstPort === ENIP_PORT) return false;
  return packet.srcPort < packet.dstPort;
}

/** Identity item of a ListIdentity reply (`at`…`end` is the item's data). */
function identityItem(packet: Packet, out: Observer, at: number, end: number): number {
  // Encapsulation version (2) and socket address (16) precede the Identity attributes.
  if (!reportIdentity(packet, out, at + 18, end, "")) {
    return packet.fail(PROTOCOL, "identity item shorter than its attributes", at, end - at);
  }
  const after = at + 18 + IDENTITY_FIXED + packet.bytes[at + 18 + 14];
  if (end > after) say(packet, out, "src", "enip.state", String(packet.bytes[after]), 90);
  say(packet, out, "src", "enip.role", "server", 90);
  return Decoded.DONE;
}

/**
 * Walks the common packet format at `at`…`end`: CIP messages of data items, identity items.
 *
 * @returns {@linkcode Decoded.DONE} or {@linkcode Decoded.MALFORMED}
 */
function commonPacketFormat(packet: Packet, out: Observer, at: number, end: number): number {
  if (end - at < 2) return packet.fail(PROTOCOL, "common packet format without an item count", at);
  const view = packet.view;
  const count = view.getUint16(at, true);
  let p = at + 2;
  for (let i = 0; i < count; i++) {
    if (end - p < 4) return packet.fail(PROTOCOL, "item header beyond the encapsulation data", p, count);
    const type = view.getUint16(p, true);
    const length = view.getUint16(p + 2, true);
    const data = p + 4;
    if (end - data < length) {
      return packet.fail(PROTOCOL, "item longer than the encapsulation data", p + 2, length);
    }
    let status: number = Decoded.DONE;
    if (type === Item.UNCONNECTED_DATA || type === Item.CONNECTED_DATA) {
      const cip = type === Item.CONNECTED_DATA ? data + 2 : data;
      if (cip > data + length) {
        return packet.fail(PROTOCOL, "connected data item without a sequence count", p);
      }
      if (cip < data + length) {
        const response = (packet.bytes[cip] & 0x80) !== 0;
        say(packet, out, "src", "enip.role", response ? "server" : "client", 80);
        say(packet, out, "dst", "enip.role", response ? "client" : "server", 70);
        status = decodeCip(packet, out, cip, data + length, 0, "");
      }
    } else if (type === Item.IDENTITY) {
      status = identityItem(packet, out, data, data + length);
    }
    if (status !== Decoded.DONE) return status;
    p = data + length;
  }
  return Decoded.DONE;
}

/** One encapsulation whose data `at`…`end` is wholly captured. */
function encapsulation(packet: Packet, out: Observer, command: number, at: number, end: number): number {
  const view = packet.view;
  const header = at - HEADER;
  const status = view.getUint32(header + 8, true);
  const length = end - at;
  const name = commandName(command);
  if (status !== 0) {
    out.event(packet, {
      type: "enip.encapsulation_error",
      severity: "notice",
      fields: { command, command_name: name, status, op: "exception" },
    });
    return Decoded.DONE;
  }
  switch (command) {
    case Command.LIST_IDENTITY:
    case Command.LIST_SERVICES:
    case Command.LIST_INTERFACES:
      if (length === 0) {
        out.event(packet, { type: `enip.${name}`, severity: "info", fields: { command, op: "identify" } });
        return Decoded.DONE;
      }
      return commonPacketFormat(packet, out, at, end);
    case Command.REGISTER_SESSION:
      if (length !== 4) {
        return packet.fail(PROTOCOL, "RegisterSession data is not 4 bytes", header + 2, length);
      }
      if (!fromServer(packet)) {
        const version = view.getUint16(at, true);
        out.event(packet, {
          type: "enip.register_session",
          severity: "info",
          fields: { version, op: "session" },
        });
      }
      return Decoded.DONE;
    case Command.UNREGISTER_SESSION:
      out.event(packet, { type: "enip.unregister_session", severity: "info", fields: { op: "session" } });
      return Decoded.DONE;
    case Command.SEND_RR_DATA:
    case Command.SEND_UNIT_DATA:
      session.handle = view.getUint32(header + 4, true);
      exchange.key = (session.handle ^ view.getUint32(header + 12, true) ^
        Math.imul(view.getUint32(header + 16, true), 31)) >>> 0;
      if (length < 6) {
        return packet.fail(PROTOCOL, "SendRRData/SendUnitData shorter than its header", at, length);
      }
      return commonPacketFormat(packet, out, at + 6, end);
  }
  return Decoded.DONE;
}

function trace(command: number): void {
  if (enipTrace.count < MAX_COMMANDS) enipTrace.commands[enipTrace.count++] = command;
}

function decodeEncapsulations(packet: Packet, out: Observer, tcp: boolean): number {
  const view = packet.view;
  const end = packet.payloadOffset + packet.payloadLength;
  let at = packet.payloadOffset;
  let first = true;
  while (at < end) {
    if (end - at < HEADER || end - at < HEADER + view.getUint16(at + 2, true)) {
      if (packet.caplen < packet.wirelen) return packet.truncated(PROTOCOL, at);
      // TCP: the rest of this encapsulation is in the next segment: the engine joins them.
      if (tcp) return packet.desegment(at, end - at < HEADER ? 0 : HEADER + view.getUint16(at + 2, true));
      return packet.fail(PROTOCOL, "datagram shorter than the encapsulation", at, end - at);
    }
    const command = view.getUint16(at, true);
    if (commandName(command) === "" || view.getUint32(at + 20, true) !== 0) {
      // A TCP segment that starts inside an encapsulation: not a header, nothing to decode.
      if (tcp && first) return Decoded.DONE;
      return packet.fail(PROTOCOL, "unknown encapsulation command or options not 0", at, command);
    }
    trace(command);
    const dataEnd = at + HEADER + view.getUint16(at + 2, true);
    const status = encapsulation(packet, out, command, at + HEADER, dataEnd);
    if (status !== Decoded.DONE) return status;
    at = dataEnd;
    first = false;
  }
  return Decoded.DONE;
}

/** Class 1 implicit I/O: reports the sender as an I/O producer (at most every 10 s per address). */
function decodeIo(packet: Packet, out: Observer): number {
  const view = packet.view;
  const end = packet.payloadOffset + packet.payloadLength;
  const at = packet.payloadOffset;
  if (end - at < 2) return packet.truncated(PROTOCOL, at);
  const count = view.getUint16(at, true);
  let p = at + 2;
  let sequenced = false;
  for (let i = 0; i < count; i++) {
    if (end - p < 4) return packet.truncated(PROTOCOL, p);
    const type = view.getUint16(p, true);
    const length = view.getUint16(p + 2, true);
    if (i === 0 && (type !== Item.SEQUENCED_ADDRESS || length !== 8)) {
      return packet.fail(PROTOCOL, "I/O datagram does not start with a sequenced address item", p, type);
    }
    if (end - p - 4 < length) return packet.truncated(PROTOCOL, p);
    sequenced = true;
    p += 4 + length;
  }
  if (!sequenced || packet.ipVersion !== 4) return Decoded.DONE;
  const address = view.getUint32(packet.srcIpOffset);
  const slot = (address ^ (address >>> 8) ^ (address >>> 16)) & (IO_SLOTS - 1);
  const { address: ioAddress, reportedUs: ioReportedUs } = ioStateOf(out);
  if (
    ioAddress[slot] === address && packet.timeUs - ioReportedUs[slot] < IO_REPORT_EVERY_US &&
    packet.timeUs >= ioReportedUs[slot]
  ) {
    return Decoded.DONE;
  }
  ioAddress[slot] = address;
  ioReportedUs[slot] = packet.timeUs;
  say(packet, out, "src", "enip.io_producer", "true", 70);
  return Decoded.DONE;
}

/**
 * Strict probe for EtherNet/IP on other ports: one whole encapsulation of a known command other
 * than NOP, status and options 0, and for the data commands the CIP interface handle 0.
 */
function probeEncapsulation(packet: Packet): boolean {
  const at = packet.payloadOffset;
  const length = packet.payloadLength;
  if (length < HEADER) return false;
  const view = packet.view;
  const command = view.getUint16(at, true);
  const dataLength = view.getUint16(at + 2, true);
  if (command === Command.NOP || commandName(command) === "" || HEADER + dataLength !== length) return false;
  if (view.getUint32(at + 8, true) !== 0 || view.getUint32(at + 20, true) !== 0) return false;
  if (command === Command.REGISTER_SESSION) return dataLength === 4;
  if (command === Command.SEND_RR_DATA || command === Command.SEND_UNIT_DATA) {
    return dataLength >= 8 && view.getUint32(at + HEADER, true) === 0;
  }
  return true;
}

/** EtherNet/IP + CIP dissector. */
export const enip: Dissector = {
  name: "enip",
  title: "EtherNet/IP and CIP (ODVA)",
  registration: {
    tables: { "tcp.port": [ENIP_PORT], "udp.port": [ENIP_PORT, ENIP_IO_PORT] },
    heuristics: ["tcp"],
  },
  decode(packet, out) {
    enipTrace.count = 0;
    resetCipTrace();
    const tcp = packet.ipProto === 6;
    if (!tcp && packet.srcPort !== ENIP_PORT && packet.dstPort !== ENIP_PORT) {
      if (packet.srcPort === ENIP_IO_PORT || packet.dstPort === ENIP_IO_PORT) return decodeIo(packet, out);
    }
    return decodeEncapsulations(packet, out, tcp);
  },
  probe(packet) {
    return packet.ipProto === 6 && probeEncapsulation(packet);
  },
};
