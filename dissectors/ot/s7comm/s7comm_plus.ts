/**
 * S7comm-plus (protocol id 0x72: S7-1200 / S7-1500 with TIA Portal), header only. Siemens does not
 * publish it; the layout below is the one of the open-source s7comm-plus Wireshark plugin's notes.
 *
 * ```
 * 0 protocol id (0x72)  1 version (1, 2; 3 adds an integrity part before the data)  2 data length (2)
 * 4 opcode (0x31 request, 0x32 response, 0x33 notification)  5 reserved (2)  7 function (2)
 *   (0x04ca CreateObject, 0x04d4 DeleteObject, 0x0542 SetMultiVariables, …)
 * … data …, then a trailer: 0x72, version, 0x0000
 * ```
 *
 * Identities: `s7comm.role`, `ot.vendor` Siemens, `s7comm.protocol` = `s7comm-plus` on the server;
 * from a CreateObject response of a version 1 session, the server session version string
 * (attribute 319, `<n>;<order number>;V<firmware>`): `ot.order_number` and `ot.firmware`
 * (confidence 80). Event: `s7comm_plus.session` (info, op session, fields version and function)
 * for each request.
 *
 * @module
 */

import { Decoded, decodeText, type Observer, type Packet } from "../../api.ts";
import { hex4, isToServer, PLUS_FUNCTION_NAMES, PlusOpcode, S7COMM_PLUS } from "./_consts.ts";
import { reportRoles } from "./s7comm_pdu.ts";
import { TAP_PLUS, tapPdu } from "./_tap.ts";

/** Attribute 319 (ServerSessionVersion, encoded 0x82 0x3f), flags 0, type WString (0x15). */
const SESSION_VERSION = [0x82, 0x3f, 0x00, 0x15];
const CREATE_OBJECT = 0x04ca;

/** Order number and firmware from the session version string of a CreateObject response. */
function reportSessionVersion(packet: Packet, out: Observer, at: number, end: number): void {
  const bytes = packet.bytes;
  for (let i = at; i + 5 <= end; i++) {
    if (
      bytes[i] !== SESSION_VERSION[0] || bytes[i + 1] !== SESSION_VERSION[1] ||
      bytes[i + 2] !== SESSION_VERSION[2] || bytes[i + 3] !== SESSION_VERSION[3]
    ) continue;
    const length = bytes[i + 4];
    if (length >= 0x80 || i + 5 + length > end) return;
    const parts = decodeText(bytes, i + 5, length).split(";");
    if (parts.length < 3) return;
    const order = parts[1].trim();
    const firmware = parts[2].trim();
    if (order.startsWith("6E")) {
      out.identity(packet, "src", { key: "ot.order_number", value: order, confidence: 80 });
    }
    if (/^V\d+(\.\d+)*$/.test(firmware)) {
      out.identity(packet, "src", { key: "ot.firmware", value: firmware, confidence: 80 });
    }
    return;
  }
}

/** One S7comm-plus PDU at `at`, ending at most at `limit` (the end of its TPKT). */
export function decodeS7commPlus(packet: Packet, out: Observer, at: number, limit: number): number {
  const bytes = packet.bytes;
  if (limit - at < 4) return packet.fail(S7COMM_PLUS, "header longer than its TPKT", at, limit - at);
  const version = bytes[at + 1];
  const length = packet.view.getUint16(at + 2);
  const end = at + 4 + length;
  if (end > limit) return packet.fail(S7COMM_PLUS, "data length longer than the TPKT", at + 2, length);
  reportRoles(packet, out, "s7comm-plus");
  // Versions 1 and 2 start the data with the opcode; version 3 puts an integrity part first.
  const plain = (version === 1 || version === 2) && length >= 9;
  const opcode = plain ? bytes[at + 4] : 0;
  const func = plain ? packet.view.getUint16(at + 7) : -1;
  tapPdu(TAP_PLUS, func);
  if (isToServer(packet) && (!plain || opcode === PlusOpcode.REQUEST)) {
    const fields: Record<string, string | number> = { op: "session", version };
    if (func >= 0) fields.function = PLUS_FUNCTION_NAMES[func] ?? hex4(func);
    out.event(packet, { type: "s7comm_plus.session", severity: "info", fields });
  } else if (opcode === PlusOpcode.RESPONSE && func === CREATE_OBJECT && version === 1) {
    reportSessionVersion(packet, out, at + 9, end);
  }
  return Decoded.DONE;
}
