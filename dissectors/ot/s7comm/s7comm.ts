/**
 * ISO transport on TCP port 102: TPKT (RFC 1006 §6), COTP (ISO 8073 / X.224 class 0, RFC 905 §13)
 * and, in COTP data, S7comm (protocol id 0x32) or S7comm-plus (0x72). Other COTP users on the port
 * (ISO session / MMS of IEC 61850) are left alone.
 *
 * ```
 * TPKT  0 version (3)  1 reserved (0)  2 length (2, whole TPKT)
 * COTP  4 length indicator (header bytes after this one)  5 PDU type (high nibble: 0xE CR, 0xD CC,
 *       0x8 DR, 0xC DC, 0xF DT, 0x1 ED, 0x2 EA, 0x5 RJ, 0x6 AK, 0x7 ER)
 *   DT  6 EOT (bit 7) + TPDU number; user data after the header
 *   CR/CC 6 destination reference (2)  8 source reference (2)  10 class/options
 *       11 parameters: code (0xC0 TPDU size, 0xC1 calling TSAP, 0xC2 called TSAP), length, value
 * ```
 * Several TPKTs in one TCP segment are decoded in turn; for one that continues in the next segment
 * the engine is asked for the rest (`packet.desegment`); a segment that does not start with a TPKT
 * header (the capture began inside a PDU) is skipped.
 *
 * Identities: `s7comm.role` (client / server: the port 102 side), `iso_tsap.role`, `iso_tsap.tsap`
 * (called TSAP) and, for an S7 TSAP (0x01xx–0x03xx), `s7comm.rack` / `s7comm.slot` on the server.
 *
 * @module
 */

import { Decoded, decodeText, type Dissector, type Observer, type Packet } from "../../api.ts";
import { COTP, ISO_TSAP_PORT, isToServer, S7COMM_ID, S7COMM_PLUS_ID, TPKT } from "./_consts.ts";
import { decodeS7comm } from "./s7comm_pdu.ts";
import { tapTpdu } from "./_tap.ts";
import { decodeS7commPlus } from "./s7comm_plus.ts";

const TPKT_HEADER = 4;
const MIN_TPKT_LENGTH = 7;
const CR = 0xe;
const CC = 0xd;
const DT = 0xf;
/** COTP PDU types (high nibble) that ISO 8073 defines. */
const KNOWN_TYPES = 0b1111_0001_1110_0110; // bits 1, 2, 5, 6, 7, 8, 12, 13, 14, 15
const PARAM_CALLED_TSAP = 0xc2;

/**
 * A TSAP as tshark shows it: an octet string (ISO 8073 CR/CC parameter), text by the project's rule when every
 * byte is printable ASCII, else `0x` and hex digits.
 */
export function tsapText(bytes: Uint8Array, at: number, length: number): string {
  let printable = length > 0;
  for (let i = at; i < at + length; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e) printable = false;
  if (printable) return decodeText(bytes, at, length);
  let text = "0x";
  for (let i = at; i < at + length; i++) text += bytes[i].toString(16).padStart(2, "0");
  return text;
}

/** Segment ends inside a TPKT: truncated when the capture cut it, else a PDU continued in the next segment. */
function cut(packet: Packet, at: number, length = 0): number {
  return packet.caplen < packet.wirelen ? packet.truncated(TPKT, at) : packet.desegment(at, length);
}

/** Connection request / confirm: TSAP parameters between `at + 7` and `headerEnd`. */
function decodeConnect(packet: Packet, out: Observer, at: number, headerEnd: number, type: number): number {
  const bytes = packet.bytes;
  let calledAt = -1;
  let calledLength = 0;
  for (let p = at + 7; p < headerEnd;) {
    if (headerEnd - p < 2 || p + 2 + bytes[p + 1] > headerEnd) {
      return packet.fail(COTP, "parameter longer than the header", p, bytes[p]);
    }
    if (bytes[p] === PARAM_CALLED_TSAP) {
      calledAt = p + 2;
      calledLength = bytes[p + 1];
    }
    p += 2 + bytes[p + 1];
  }
  if (type !== CR) return Decoded.DONE;
  const server = isToServer(packet) ? "dst" : "src";
  const client = server === "dst" ? "src" : "dst";
  out.identity(packet, server, { key: "iso_tsap.role", value: "server", confidence: 60 });
  out.identity(packet, client, { key: "iso_tsap.role", value: "client", confidence: 60 });
  if (calledLength > 0) {
    const tsap = tsapText(bytes, calledAt, calledLength);
    out.identity(packet, "dst", { key: "iso_tsap.tsap", value: tsap, confidence: 70 });
    // S7 TSAP: connection type (1 PG, 2 OP, 3 S7 basic) then rack (3 bits) and slot (5 bits).
    if (calledLength === 2 && bytes[calledAt] >= 1 && bytes[calledAt] <= 3) {
      const rackSlot = bytes[calledAt + 1];
      out.identity(packet, "dst", { key: "s7comm.rack", value: String(rackSlot >> 5), confidence: 60 });
      out.identity(packet, "dst", { key: "s7comm.slot", value: String(rackSlot & 0x1f), confidence: 60 });
    }
  }
  return Decoded.DONE;
}

/** One TPKT of `length` bytes at `at` (fully captured): its COTP PDU and the S7 PDU it carries. */
function decodeTpdu(packet: Packet, out: Observer, at: number, tpktEnd: number): number {
  const bytes = packet.bytes;
  const li = bytes[at + TPKT_HEADER];
  const headerEnd = at + TPKT_HEADER + 1 + li;
  if (li === 0 || li === 255 || headerEnd > tpktEnd) {
    return packet.fail(COTP, "length indicator does not fit the TPKT", at + TPKT_HEADER, li);
  }
  const type = bytes[at + TPKT_HEADER + 1] >> 4;
  if (((KNOWN_TYPES >> type) & 1) === 0) {
    return packet.fail(COTP, "unknown PDU type", at + TPKT_HEADER + 1, bytes[at + TPKT_HEADER + 1]);
  }
  tapTpdu(type);
  if (type === CR || type === CC) {
    if (li < 6) return packet.fail(COTP, "connection PDU header shorter than 7 bytes", at + TPKT_HEADER, li);
    return decodeConnect(packet, out, at + TPKT_HEADER, headerEnd, type);
  }
  if (type !== DT) return Decoded.DONE;
  if (li < 2) return packet.fail(COTP, "data PDU header shorter than 3 bytes", at + TPKT_HEADER, li);
  // A DT without end-of-TSDU is the first part of a segmented S7 PDU: nothing to decode alone.
  if ((bytes[at + TPKT_HEADER + 2] & 0x80) === 0 || headerEnd >= tpktEnd) return Decoded.DONE;
  if (bytes[headerEnd] === S7COMM_ID) return decodeS7comm(packet, out, headerEnd, tpktEnd);
  if (bytes[headerEnd] === S7COMM_PLUS_ID) return decodeS7commPlus(packet, out, headerEnd, tpktEnd);
  return Decoded.DONE;
}

/** Decodes every TPKT of the TCP payload. */
function decodeSegment(packet: Packet, out: Observer): number {
  const bytes = packet.bytes;
  const view = packet.view;
  const end = packet.payloadOffset + packet.payloadLength;
  let at = packet.payloadOffset;
  // A segment not starting with a TPKT header continues a PDU of an earlier segment.
  if (bytes[at] !== 3 || (end - at > 1 && bytes[at + 1] !== 0)) return Decoded.DONE;
  while (at < end) {
    if (end - at < TPKT_HEADER) return cut(packet, at);
    if (bytes[at] !== 3) return packet.fail(TPKT, "version is not 3", at, bytes[at]);
    const length = view.getUint16(at + 2);
    if (length < MIN_TPKT_LENGTH) return packet.fail(TPKT, "length shorter than 7 bytes", at + 2, length);
    if (at + length > end) return cut(packet, at, length);
    const status = decodeTpdu(packet, out, at, at + length);
    if (status !== Decoded.DONE) return status;
    at += length;
  }
  return Decoded.DONE;
}

/** TPKT/COTP/S7comm dissector on TCP port 102. */
export const s7comm: Dissector = {
  name: "s7comm",
  title: "Siemens S7comm / S7comm-plus over ISO-on-TCP (RFC 1006, ISO 8073)",
  registration: { tables: { "tcp.port": [ISO_TSAP_PORT] } },
  decode(packet, out) {
    if (packet.payloadLength <= 0) return Decoded.DONE;
    return decodeSegment(packet, out);
  },
};
