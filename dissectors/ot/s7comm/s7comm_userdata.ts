/**
 * S7comm userdata (ROSCTR 7): programmer commands, cyclic data, block functions, CPU functions
 * (SZL, the system status list), security and time functions.
 *
 * ```
 * parameter  0 head (0x00 0x01 0x12)  3 length (4 or 8)  4 method (0x11 request, 0x12 response)
 *            5 type (high nibble: 0 push, 4 request, 8 response) + function group (low nibble)
 *            6 subfunction  7 sequence number
 *            (length 8) 8 data unit reference  9 last data unit (0 yes)  10 error code (2)
 * data       0 return code (0xff success)  1 transport size  2 length (2)  4 payload
 * SZL        payload 0 SZL id (2)  2 index (2); in a response also 4 record length (2)
 *            6 record count (2)  8 records
 *   xy11 (module identification, 28 bytes): index (2), MLFB order number (20), BGTyp (2),
 *        Ausbg (2), Ausbe (2); index 0x0007 (firmware) holds 'V', major, minor, patch
 *   xy1c (component identification, 34 bytes): index (2), text (32): 1 PLC name, 2 module name,
 *        3 plant id, 4 copyright, 5 serial number, 7 module type name, 11 location
 *   xy24 (operating state): ereig (2), ae, bzu-id (low nibble: requested mode), …
 * ```
 *
 * Identities of the PLC (the responder, confidence 90): `ot.order_number`, `ot.firmware`,
 * `ot.serial`, `ot.cpu_type` and `ot.product`, `s7comm.plc_name`, `s7comm.module_name`,
 * `s7comm.plant_id`, `s7comm.copyright`, `s7comm.location`.
 * Events (requests only): `s7comm.szl_read` (info), `s7comm.cpu_state` (info, from SZL xy24
 * responses), `s7comm.block_info` (info), `s7comm.programmer` (info), `s7comm.cyclic` /
 * `s7comm.message_service` (info), `s7comm.clock_read` (info), `s7comm.clock_set` (warning,
 * time_sync), `s7comm.password` (notice: the password itself is never kept).
 *
 * A response split into several data units is not reassembled: the records of its first unit
 * (which holds the SZL header) are read, the following units skipped.
 *
 * @module
 */

import { Decoded, decodeText, type Observer, type Packet } from "../../api.ts";
import { tapPdu } from "./_tap.ts";
import { addBlock, CPU_STATES, Group, hex4, S7COMM, UserdataType } from "./_consts.ts";

type Fields = Record<string, string | number | boolean>;

const SZL_MODULE_ID = 0x11;
const SZL_COMPONENT_ID = 0x1c;
const SZL_STATE = 0x24;
/** Identity keys of the SZL xy1c records, by index (undefined: not reported). */
const COMPONENT_KEYS: readonly (string | undefined)[] = [
  undefined,
  "s7comm.plc_name",
  "s7comm.module_name",
  "s7comm.plant_id",
  "s7comm.copyright",
  "ot.serial",
  undefined,
  "ot.cpu_type",
  undefined,
  undefined,
  undefined,
  "s7comm.location",
];

function say(packet: Packet, out: Observer, key: string, value: string): void {
  if (value !== "") out.identity(packet, "src", { key, value, confidence: 90 });
}

/**
 * Records of an SZL response: identification lists and the operating state. `first` is the first
 * data unit of a split response: it holds the list header and the records that fit.
 */
function decodeSzlRecords(packet: Packet, out: Observer, at: number, end: number, first: boolean): number {
  const bytes = packet.bytes;
  const view = packet.view;
  const szlId = view.getUint16(at);
  const recordLength = view.getUint16(at + 4);
  let count = view.getUint16(at + 6);
  // Extract 0x0Fxx is the list header alone (the count of records, none sent).
  if (recordLength < 4 || (szlId & 0x0f00) === 0x0f00) return Decoded.DONE;
  if (at + 8 + recordLength * count > end) {
    if (!first) return packet.fail(S7COMM, "SZL records longer than the data", at + 6, count);
    count = Math.floor((end - at - 8) / recordLength);
  }
  const list = szlId & 0xff;
  for (let i = 0, r = at + 8; i < count; i++, r += recordLength) {
    const index = view.getUint16(r);
    if (list === SZL_MODULE_ID && recordLength >= 28) {
      if (index === 0x0001) say(packet, out, "ot.order_number", decodeText(bytes, r + 2, 20));
      // Basic firmware: Ausbg 'V' + major, Ausbe minor + patch.
      if (index === 0x0007 && bytes[r + 24] === 0x56) {
        say(packet, out, "ot.firmware", `V${bytes[r + 25]}.${bytes[r + 26]}.${bytes[r + 27]}`);
      }
    } else if (list === SZL_COMPONENT_ID && recordLength >= 34) {
      const key = index < COMPONENT_KEYS.length ? COMPONENT_KEYS[index] : undefined;
      if (key === undefined) continue;
      const text = decodeText(bytes, r + 2, 32);
      say(packet, out, key, text);
      if (index === 7) say(packet, out, "ot.product", text);
    } else if (list === SZL_STATE && recordLength >= 4 && i === 0) {
      const state = CPU_STATES[bytes[r + 3] & 0x0f];
      out.event(packet, { type: "s7comm.cpu_state", severity: "info", fields: { op: "diagnostic", state } });
    }
  }
  return Decoded.DONE;
}

/** Events of a userdata request (type 4) of `group` / `subfunction`; `payload` is the data payload or -1. */
function reportRequest(
  packet: Packet,
  out: Observer,
  group: number,
  subfunction: number,
  payload: number,
  payloadLength: number,
): void {
  const view = packet.view;
  switch (group) {
    case Group.CPU:
      if (subfunction === 1 && payloadLength >= 4) {
        const szlId = view.getUint16(payload);
        const list = szlId & 0xff;
        out.event(packet, {
          type: "s7comm.szl_read",
          severity: "info",
          fields: {
            op: list === SZL_MODULE_ID || list === SZL_COMPONENT_ID ? "identify" : "diagnostic",
            szl_id: hex4(szlId),
            szl_index: hex4(view.getUint16(payload + 2)),
          },
        });
      } else if (subfunction === 2) {
        out.event(packet, { type: "s7comm.message_service", severity: "info", fields: { op: "subscribe" } });
      }
      break;
    case Group.BLOCK: {
      const fields: Fields = { op: "read", subfunction };
      if (subfunction === 3 && payloadLength >= 8) addBlock(packet.bytes, payload, fields);
      out.event(packet, { type: "s7comm.block_info", severity: "info", fields });
      break;
    }
    case Group.PROGRAMMER:
      out.event(packet, {
        type: "s7comm.programmer",
        severity: "info",
        fields: { op: "diagnostic", subfunction },
      });
      break;
    case Group.CYCLIC:
      out.event(packet, {
        type: "s7comm.cyclic",
        severity: "info",
        fields: { op: "subscribe", subfunction },
      });
      break;
    case Group.TIME:
      if (subfunction === 1 || subfunction === 3) {
        out.event(packet, { type: "s7comm.clock_read", severity: "info", fields: { op: "read" } });
      } else if (subfunction === 2 || subfunction === 4) {
        out.event(packet, { type: "s7comm.clock_set", severity: "warning", fields: { op: "time_sync" } });
      }
      break;
    case Group.SECURITY:
      if (subfunction === 1) {
        out.event(packet, {
          type: "s7comm.password",
          severity: "notice",
          fields: { op: "session", password: "present" },
        });
      }
      break;
  }
}

/** A userdata PDU: parameter at `param` (`parlg` bytes), data at `data` (`datlg` bytes). */
export function decodeUserdata(
  packet: Packet,
  out: Observer,
  param: number,
  parlg: number,
  data: number,
  datlg: number,
): number {
  const bytes = packet.bytes;
  const view = packet.view;
  if (parlg < 8 || bytes[param] !== 0 || bytes[param + 1] !== 1 || bytes[param + 2] !== 0x12) {
    return Decoded.DONE;
  }
  const type = bytes[param + 5] >> 4;
  const group = bytes[param + 5] & 0x0f;
  const subfunction = bytes[param + 6];
  let payload = -1;
  let payloadLength = 0;
  if (datlg >= 4 && bytes[data] === 0xff) {
    payloadLength = view.getUint16(data + 2);
    if (payloadLength > datlg - 4) {
      return packet.fail(S7COMM, "userdata length longer than the data", data + 2, payloadLength);
    }
    payload = data + 4;
  }
  // SZL id of a request or an unsplit response (tshark shows a split one's in its last unit only).
  const unit = parlg >= 12 ? bytes[param + 8] : 0;
  const more = parlg >= 12 && bytes[param + 9] !== 0;
  const szl = group === Group.CPU && subfunction === 1 && payloadLength >= 4 && unit === 0 && !more;
  tapPdu(7, -1, group, subfunction, szl ? view.getUint16(payload) : -1);
  if (type === UserdataType.REQUEST) {
    reportRequest(packet, out, group, subfunction, payload, payloadLength);
    return Decoded.DONE;
  }
  // A response split in data units: the first (more follow) starts with the SZL header, the
  // others continue the records and are skipped (no reassembly).
  if (type === UserdataType.RESPONSE && group === Group.CPU && subfunction === 1 && payloadLength >= 8) {
    if (unit === 0 && !more) return decodeSzlRecords(packet, out, payload, payload + payloadLength, false);
    if (more) return decodeSzlRecords(packet, out, payload, payload + payloadLength, true);
  }
  return Decoded.DONE;
}
