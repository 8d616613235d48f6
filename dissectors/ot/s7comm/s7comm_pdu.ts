/**
 * S7comm PDUs (protocol id 0x32): the header, jobs and their acknowledgements. Userdata (ROSCTR 7)
 * is in `s7comm_userdata.ts`. Siemens does not publish S7comm; the layout is the one documented by
 * the open implementations (Snap7's telegrams, the Wireshark s7comm dissector's field reference):
 *
 * ```
 * 0 protocol id (0x32)  1 ROSCTR (1 job, 2 ack, 3 ack-data, 7 userdata)  2 redundancy id (2)
 * 4 PDU reference (2)  6 parameter length (2)  8 data length (2)
 * 10 error class, 11 error code (ack / ack-data only)  then parameter, then data
 * job parameter: 0 function
 *   0x04 read / 0x05 write var: 1 item count, 2 items (0x12, length, 0x10 S7ANY, transport size,
 *        count (2), DB number (2), area, address (3))
 *   0x1a request download / 0x1d start upload: 1 status, 2 (2), 4 id (4), 8 file name length,
 *        9 file name `_TTNNNNNF` (block type as hex text, block number, file system)
 *   0x28 PI service: 1 (7), 8 parameter block length (2), 10 parameter block, then name length + name
 *   0x29 PLC stop: 1 (5), 6 name length, 7 name (`P_PROGRAM`)
 *   0xf0 setup communication: 1 (1), 2 max AmQ calling (2), 4 max AmQ called (2), 6 PDU length (2)
 * ```
 *
 * Events: `s7comm.read` (info), `s7comm.write` (notice), `s7comm.download` / `s7comm.upload` /
 * `s7comm.block_insert` / `s7comm.block_delete` (critical), `s7comm.plc_stop` / `s7comm.plc_start`
 * (critical), `s7comm.pi_service` (warning, other PI services), `s7comm.setup` (info),
 * `s7comm.error` (notice, ack-data with an error class).
 *
 * @module
 */

import { Decoded, decodeText, type Observer, type Packet } from "../../api.ts";
import { addBlock, AREA_NAMES, Func, hex4, isToServer, Rosctr, S7COMM } from "./_consts.ts";
import { decodeUserdata } from "./s7comm_userdata.ts";
import { tapPdu } from "./_tap.ts";

type Fields = Record<string, string | number | boolean>;

const FUNCTION_NAMES: Readonly<Record<number, string>> = {
  0x00: "cpu_services",
  0x04: "read_var",
  0x05: "write_var",
  0x1a: "request_download",
  0x1b: "download_block",
  0x1c: "download_ended",
  0x1d: "start_upload",
  0x1e: "upload",
  0x1f: "end_upload",
  0x28: "pi_service",
  0x29: "plc_stop",
  0xf0: "setup_communication",
};

/** Roles of both ends and the vendor of the server, for any S7comm PDU. */
export function reportRoles(packet: Packet, out: Observer, protocol: string): void {
  const server = isToServer(packet) ? "dst" : "src";
  const client = server === "dst" ? "src" : "dst";
  out.identity(packet, server, { key: "s7comm.role", value: "server", confidence: 80 });
  out.identity(packet, client, { key: "s7comm.role", value: "client", confidence: 80 });
  out.identity(packet, server, { key: "ot.vendor", value: "Siemens", confidence: 70 });
  out.identity(packet, server, { key: "s7comm.protocol", value: protocol, confidence: 80 });
}

function decodeReadWrite(packet: Packet, out: Observer, param: number, parlg: number): void {
  const bytes = packet.bytes;
  const write = bytes[param] === Func.WRITE_VAR;
  const fields: Fields = {
    function: write ? "write_var" : "read_var",
    items: parlg >= 2 ? bytes[param + 1] : 0,
  };
  // First item, when it is an S7ANY address: memory area and data block number.
  if (parlg >= 14 && bytes[param + 2] === 0x12 && bytes[param + 4] === 0x10) {
    const area = bytes[param + 10];
    fields.area = AREA_NAMES[area] ?? `0x${area.toString(16).padStart(2, "0")}`;
    if (area === 0x84 || area === 0x85) fields.db = packet.view.getUint16(param + 8);
  }
  out.event(
    packet,
    write
      ? { type: "s7comm.write", severity: "notice", fields: { op: "write", ...fields } }
      : { type: "s7comm.read", severity: "info", fields: { op: "read", ...fields } },
  );
}

function decodeTransfer(packet: Packet, out: Observer, param: number, parlg: number): void {
  const bytes = packet.bytes;
  const download = bytes[param] === Func.REQUEST_DOWNLOAD;
  const fields: Fields = { op: download ? "program_download" : "program_upload" };
  const nameLength = parlg >= 9 ? bytes[param + 8] : 0;
  if (nameLength >= 8 && 9 + nameLength <= parlg && bytes[param + 9] === 0x5f) {
    addBlock(bytes, param + 10, fields);
  }
  out.event(packet, {
    type: download ? "s7comm.download" : "s7comm.upload",
    severity: "critical",
    fields,
  });
}

function decodePiService(packet: Packet, out: Observer, param: number, parlg: number): number {
  const bytes = packet.bytes;
  if (parlg < 11) return Decoded.DONE;
  const blockLength = packet.view.getUint16(param + 8);
  const block = param + 10;
  const nameAt = block + blockLength;
  const paramEnd = param + parlg;
  if (nameAt >= paramEnd || nameAt + 1 + bytes[nameAt] > paramEnd) {
    return packet.fail(
      S7COMM,
      "PI service parameter block longer than the parameter",
      param + 8,
      blockLength,
    );
  }
  const service = decodeText(bytes, nameAt + 1, bytes[nameAt]);
  if (service === "" || service.length > 32) return Decoded.DONE;
  if (service === "P_PROGRAM") {
    const cold = blockLength >= 1 && bytes[block] === 0x43; // "C": cold restart
    out.event(packet, {
      type: "s7comm.plc_start",
      severity: "critical",
      fields: { op: "cpu_start", service, mode: cold ? "cold" : "hot" },
    });
  } else if (service === "_DELE" || service === "_INSE") {
    const remove = service === "_DELE";
    const fields: Fields = { op: remove ? "program_delete" : "program_download", service };
    // Parameter block: block count (2), then type (2 hex characters), number (5 digits), file system.
    if (blockLength >= 10) addBlock(bytes, block + 2, fields);
    out.event(packet, {
      type: remove ? "s7comm.block_delete" : "s7comm.block_insert",
      severity: "critical",
      fields,
    });
  } else {
    out.event(packet, { type: "s7comm.pi_service", severity: "warning", fields: { op: "command", service } });
  }
  return Decoded.DONE;
}

function decodeJob(packet: Packet, out: Observer, param: number, parlg: number): number {
  if (parlg < 1) return Decoded.DONE;
  const bytes = packet.bytes;
  switch (bytes[param]) {
    case Func.READ_VAR:
    case Func.WRITE_VAR:
      decodeReadWrite(packet, out, param, parlg);
      break;
    case Func.REQUEST_DOWNLOAD:
    case Func.START_UPLOAD:
      decodeTransfer(packet, out, param, parlg);
      break;
    case Func.PI_SERVICE:
      return decodePiService(packet, out, param, parlg);
    case Func.PLC_STOP: {
      const fields: Fields = { op: "cpu_stop" };
      if (parlg >= 8 && 7 + bytes[param + 6] <= parlg) {
        const service = decodeText(bytes, param + 7, bytes[param + 6]);
        if (service !== "" && service.length <= 32) fields.service = service;
      }
      out.event(packet, { type: "s7comm.plc_stop", severity: "critical", fields });
      break;
    }
    case Func.SETUP_COMMUNICATION:
      if (parlg >= 8) {
        out.event(packet, {
          type: "s7comm.setup",
          severity: "info",
          fields: { op: "session", pdu_length: packet.view.getUint16(param + 6) },
        });
      }
      break;
  }
  return Decoded.DONE;
}

/** One S7comm PDU at `at`, ending at most at `limit` (the end of its TPKT). */
export function decodeS7comm(packet: Packet, out: Observer, at: number, limit: number): number {
  const bytes = packet.bytes;
  const view = packet.view;
  const rosctr = limit - at >= 2 ? bytes[at + 1] : 0;
  const headerLength = rosctr === Rosctr.ACK || rosctr === Rosctr.ACK_DATA ? 12 : 10;
  if (limit - at < headerLength) return packet.fail(S7COMM, "header longer than its TPKT", at, limit - at);
  if (
    rosctr !== Rosctr.JOB && rosctr !== Rosctr.ACK && rosctr !== Rosctr.ACK_DATA && rosctr !== Rosctr.USERDATA
  ) {
    return packet.fail(S7COMM, "unknown ROSCTR", at + 1, rosctr);
  }
  const parlg = view.getUint16(at + 6);
  const datlg = view.getUint16(at + 8);
  const param = at + headerLength;
  if (param + parlg + datlg > limit) {
    return packet.fail(S7COMM, "parameter and data longer than the TPKT", at + 6, parlg + datlg);
  }
  reportRoles(packet, out, "s7comm");
  const hasFunction = (rosctr === Rosctr.JOB || rosctr === Rosctr.ACK_DATA) && parlg >= 1;
  tapPdu(rosctr, hasFunction ? bytes[param] : -1);
  if (rosctr === Rosctr.JOB) return decodeJob(packet, out, param, parlg);
  if (rosctr === Rosctr.USERDATA) return decodeUserdata(packet, out, param, parlg, param + parlg, datlg);
  const errorClass = bytes[at + 10];
  if (errorClass !== 0 || bytes[at + 11] !== 0) {
    const fields: Fields = { op: "exception", error_class: errorClass, error_code: bytes[at + 11] };
    if (parlg >= 1) fields.function = FUNCTION_NAMES[bytes[param]] ?? hex4(bytes[param]);
    out.event(packet, { type: "s7comm.error", severity: "notice", fields });
  }
  return Decoded.DONE;
}
