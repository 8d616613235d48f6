/**
 * OPC UA binary over TCP (OPC 10000-6 "Part 6: Mappings" §7 UA Connection Protocol, §6.7 UA Secure
 * Conversation) on TCP port 4840 and, by heuristic, on any port whose payload starts with a chunk
 * header (message type, chunk type F/C/A, size no smaller than the segment's first chunk). The wire
 * layout is drawn in `_reader.ts`. Several chunks in one segment are read; a chunk that continues
 * in the next segments is joined by the engine (`packet.desegment`; one larger than the engine
 * joins, or cut by the snapshot length, is read as far as it goes), and a segment starting inside
 * a chunk is skipped.
 *
 * | observation                                       | about  | when                                              |
 * | ------------------------------------------------- | ------ | ------------------------------------------------- |
 * | `opcua.role` = `client` / `server`                | both   | every chunk (server: receives HEL/OPN/MSG requests) |
 * | `opcua.endpoint_url`                              | server | Hello                                             |
 * | `opcua.security_policy`, `opcua.security_mode`    | server | OpenSecureChannel (mode only when the body is cleartext) |
 * | `opcua.hello` info (op session; endpoint_url)     | client | Hello                                             |
 * | `opcua.error` notice (op exception; status_code)  | src    | Error message                                     |
 * | `opcua.open_secure_channel` info (op session; security_policy, security_mode, request_type) | client | OpenSecureChannel request |
 * | `opcua.insecure_channel` notice (op session; security_policy, security_mode) | server | OpenSecureChannel request with policy None |
 * | `opcua.<service>` (op and severity per service: `read` info, `write` notice, `call` warning (op command), `activate_session` info with `identity_token` type — never the credentials …) | client | request of a known service in a cleartext body |
 * | `opcua.service_fault` notice (op exception; status_code) | server | ServiceFault response                         |
 *
 * @module
 */

import {
  Decoded,
  decodeText,
  type Dissector,
  MAX_REASSEMBLY_BYTES,
  type Observer,
  type Packet,
} from "../../api.ts";
import { isMessageType, MessageType, OK, OpcUaReader, PARTIAL } from "./_reader.ts";
import { SERVICES, TokenType } from "./_services.ts";

const PROTOCOL = "OPC UA";
/** IANA port of OPC UA binary (opc.tcp). */
export const OPCUA_PORT = 4840;
const SECURITY_MODES = ["invalid", "none", "sign", "sign_and_encrypt"];
const REQUEST_TYPES = ["issue", "renew"];

const reader = new OpcUaReader();

function typeAt(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2];
}

function hex8(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/** Which side is the server when the chunk itself does not say: port 4840, else the lower port. */
function serverIsDst(packet: Packet): boolean {
  if (packet.dstPort === OPCUA_PORT) return true;
  if (packet.srcPort === OPCUA_PORT) return false;
  return packet.dstPort < packet.srcPort;
}

function roles(packet: Packet, out: Observer, toServer: boolean, confidence: number): void {
  out.identity(packet, "src", { key: "opcua.role", value: toServer ? "client" : "server", confidence });
  out.identity(packet, "dst", { key: "opcua.role", value: toServer ? "server" : "client", confidence });
}

function reportOpen(packet: Packet, out: Observer, toServer: boolean): void {
  const r = reader;
  const server = toServer ? "dst" : "src";
  const policy = r.policyAt >= 0 ? decodeText(packet.bytes, r.policyAt, r.policyLength) : "";
  if (policy !== "") {
    out.identity(packet, server, {
      key: "opcua.security_policy",
      value: policy,
      confidence: toServer ? 80 : 90,
    });
  }
  const mode = r.securityMode >= 0 ? SECURITY_MODES[r.securityMode] : "";
  if (mode !== "") out.identity(packet, server, { key: "opcua.security_mode", value: mode, confidence: 80 });
  if (!toServer || r.serviceId === 449) return;
  const fields: Record<string, string> = { op: "session", security_policy: policy };
  if (mode !== "") fields.security_mode = mode;
  if (r.requestType >= 0) fields.request_type = REQUEST_TYPES[r.requestType];
  out.event(packet, { type: "opcua.open_secure_channel", severity: "info", fields });
  if (policy.endsWith("#None")) {
    const insecure: Record<string, string> = { op: "session", security_policy: "None" };
    if (mode !== "") insecure.security_mode = mode;
    out.event(packet, {
      type: "opcua.insecure_channel",
      severity: "notice",
      about: server,
      fields: insecure,
    });
  }
}

function reportService(packet: Packet, out: Observer): void {
  const r = reader;
  const info = SERVICES[r.serviceId];
  if (r.serviceId === 397) {
    const fields: Record<string, string> = { op: "exception" };
    if (r.serviceResult >= 0) fields.status_code = hex8(r.serviceResult);
    out.event(packet, { type: "opcua.service_fault", severity: "notice", fields });
    return;
  }
  if (info.response) return;
  const fields: Record<string, string> = { op: info.op, service: info.name };
  if (r.tokenType >= 0) fields.identity_token = TokenType[r.tokenType];
  out.event(packet, { type: `opcua.${info.name}`, severity: info.severity, fields });
}

/** Reports the chunk just read. */
function report(packet: Packet, out: Observer): void {
  const r = reader;
  const type = r.type;
  if (type === MessageType.HEL) {
    roles(packet, out, true, 80);
    const fields: Record<string, string> = { op: "session" };
    if (r.endpointAt >= 0) {
      const url = decodeText(packet.bytes, r.endpointAt, r.endpointLength);
      out.identity(packet, "dst", { key: "opcua.endpoint_url", value: url, confidence: 80 });
      fields.endpoint_url = url;
    }
    out.event(packet, { type: "opcua.hello", severity: "info", fields });
  } else if (type === MessageType.ACK || type === MessageType.RHE) {
    roles(packet, out, false, 80);
  } else if (type === MessageType.ERR) {
    roles(packet, out, false, 60);
    const fields: Record<string, string> = { op: "exception" };
    if (r.errorCode >= 0) fields.status_code = hex8(r.errorCode);
    out.event(packet, { type: "opcua.error", severity: "notice", fields });
  } else {
    const known = r.serviceId >= 0;
    const toServer = known ? !SERVICES[r.serviceId].response : serverIsDst(packet);
    roles(packet, out, toServer, known ? 80 : 60);
    if (type === MessageType.OPN) reportOpen(packet, out, toServer);
    else if (known) reportService(packet, out);
  }
}

/** True when `bytes[at]` holds a plausible chunk header for a payload ending at `end`. */
function looksLikeChunk(packet: Packet, at: number, end: number): boolean {
  if (end - at < 8 || !isMessageType(typeAt(packet.bytes, at))) return false;
  const chunk = packet.bytes[at + 3];
  return (chunk === 0x46 || chunk === 0x43 || chunk === 0x41) && packet.view.getUint32(at + 4, true) >= 8;
}

/** OPC UA binary dissector (TCP 4840 and heuristic). */
export const opcua: Dissector = {
  name: "opcua",
  title: "OPC UA binary (OPC 10000-6 UA Connection Protocol / Secure Conversation)",
  registration: { tables: { "tcp.port": [OPCUA_PORT] }, heuristics: ["tcp"] },
  probe(packet) {
    const at = packet.payloadOffset;
    const end = at + packet.payloadLength;
    if (!looksLikeChunk(packet, at, end)) return false;
    const size = packet.view.getUint32(at + 4, true);
    if (size >= end - at) return size < 0x7fffffff;
    return size >= 16 && looksLikeChunk(packet, at + size, end);
  },
  decode(packet, out) {
    const bytes = packet.bytes;
    const end = packet.payloadOffset + packet.payloadLength;
    let at = packet.payloadOffset;
    for (let first = true; end - at >= 8; first = false) {
      if (!isMessageType(typeAt(bytes, at))) {
        // A segment that starts inside a chunk is not ours to judge; a bad header after a chunk is.
        return first
          ? Decoded.DONE
          : packet.fail(PROTOCOL, "chunk is not followed by an OPC UA chunk header", at);
      }
      const status = reader.read(bytes, packet.view, at, end);
      if (status !== OK && status !== PARTIAL) {
        return packet.fail(PROTOCOL, status, reader.problemAt, reader.problemValue);
      }
      // A chunk that continues in the next segments is joined by the engine; one cut by the capture,
      // or larger than the engine joins, is read as far as it goes.
      if (!reader.complete && packet.caplen >= packet.wirelen && reader.size <= MAX_REASSEMBLY_BYTES) {
        return packet.desegment(at, reader.size);
      }
      report(packet, out);
      if (!reader.complete) break;
      at += reader.size;
    }
    // A chunk header cut by the end of the segment (a whole chunk came before it in this one).
    if (at < end && at > packet.payloadOffset && packet.caplen >= packet.wirelen) return packet.desegment(at);
    return Decoded.DONE;
  },
};
