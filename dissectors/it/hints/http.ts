/**
 * HTTP/1.x message heads (RFC 9112): who a client is and which server it talks to, from the
 * plain-text start line and header fields. Bodies and segments that do not start a message are
 * skipped.
 *
 * Requests (RFC 9112 section 3): the Host header (RFC 9110 section 7.2) is the `hostname` of the
 * destination; User-Agent (RFC 9110 section 10.1.5) is `http.user_agent` and `software` of the
 * client; the event `http.request` carries the method, host, path (without its query string:
 * those often hold personal data) and user agent. Responses (section 4): the Server header (RFC
 * 9110 section 10.2.4) is `http.server` and `software` of the server. A TLS ClientHello after a
 * CONNECT is decoded as the TLS dissector does (`tls.client_hello`, the SNI as `hostname`).
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { tls } from "./tls.ts";
import { hostName, pathOnly, readHead, startsWith } from "./_text.ts";
import { lineEnd } from "../../text.ts";

const PROTOCOL = "HTTP";
/** Ports where plain HTTP is expected. */
export const HTTP_PORTS: readonly number[] = [80, 8080, 8000, 8008];
/** Methods of RFC 9110 section 9 and PATCH (RFC 5789): the only ones the probe accepts. */
const METHODS: readonly string[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
];
/** How far the probe looks for the end of a request line. */
const MAX_START_LINE = 2048;
const HOST_CONFIDENCE = 40;
const USER_AGENT_CONFIDENCE = 50;
const SERVER_CONFIDENCE = 60;

/** Index in {@linkcode METHODS} of the method followed by a space at `at`, or -1. */
function methodAt(bytes: Uint8Array, at: number, end: number): number {
  for (let m = 0; m < METHODS.length; m++) {
    const method = METHODS[m];
    if (startsWith(bytes, at, end, method) && bytes[at + method.length] === 0x20) return m;
  }
  return -1;
}

/** True at a status line `HTTP/1.x NNN` (RFC 9112 section 4). */
function isStatusLine(bytes: Uint8Array, at: number, end: number): boolean {
  if (end - at < 12 || !startsWith(bytes, at, end, "HTTP/1.") || bytes[at + 8] !== 0x20) return false;
  const minor = bytes[at + 7];
  if (minor !== 0x30 && minor !== 0x31) return false;
  for (let i = at + 9; i < at + 12; i++) if (bytes[i] < 0x30 || bytes[i] > 0x39) return false;
  return true;
}

/**
 * True at a request line `METHOD SP /target SP HTTP/1.x` with a known method and an origin-form
 * target (RFC 9112 sections 3.1 and 3.2.1), within {@linkcode MAX_START_LINE} bytes.
 */
function isRequestLine(bytes: Uint8Array, at: number, end: number): boolean {
  const m = methodAt(bytes, at, end);
  if (m < 0) return false;
  const target = at + METHODS[m].length + 1;
  if (bytes[target] !== 0x2f || target >= end) return false;
  const eol = lineEnd(bytes, target, Math.min(end, at + MAX_START_LINE));
  if (eol >= end) return false;
  const stop = bytes[eol - 1] === 0x0d ? eol - 1 : eol;
  return stop - target >= 10 && startsWith(bytes, stop - 9, stop, " HTTP/1.") &&
    (bytes[stop - 1] === 0x30 || bytes[stop - 1] === 0x31);
}

/** Heuristic probe: a request line or a status line at the start of the payload. */
function probeHttp(packet: Packet): boolean {
  const at = packet.payloadOffset;
  if (at < 0) return false;
  const end = Math.min(at + packet.payloadLength, packet.end);
  return isRequestLine(packet.bytes, at, end) || isStatusLine(packet.bytes, at, end);
}

/** Reports what a request head says (RFC 9112 section 3). */
function request(packet: Packet, out: Observer, at: number, end: number, method: string): number {
  const head = readHead(packet.bytes, at, end);
  const parts = head.startLine.split(" ");
  if (parts.length < 2 || parts[1] === "") {
    if (lineEnd(packet.bytes, at, end) < end) return packet.fail(PROTOCOL, "request line has no target", at);
    // The segment or the snapshot length ends inside the request line.
    return end === packet.end && packet.caplen < packet.wirelen
      ? packet.truncated(PROTOCOL, end)
      : Decoded.DONE;
  }
  const fields: Record<string, string> = { method, path: pathOnly(parts[1]) };
  const host = head.headers.get("host");
  if (host) {
    fields.host = host;
    const name = hostName(host);
    if (name) out.identity(packet, "dst", { key: "hostname", value: name, confidence: HOST_CONFIDENCE });
  }
  const agent = head.headers.get("user-agent");
  if (agent) {
    fields.user_agent = agent;
    out.identity(packet, "src", { key: "http.user_agent", value: agent, confidence: USER_AGENT_CONFIDENCE });
    out.identity(packet, "src", { key: "software", value: agent, confidence: USER_AGENT_CONFIDENCE });
  }
  out.event(packet, { type: "http.request", severity: "info", fields });
  return Decoded.DONE;
}

/** Decodes the head of a request or response starting a TCP segment; other segments are skipped. */
function decodeHttp(packet: Packet, out: Observer): number {
  const at = packet.payloadOffset;
  if (at < 0) return Decoded.DONE;
  const end = Math.min(at + packet.payloadLength, packet.end);
  const bytes = packet.bytes;
  const m = methodAt(bytes, at, end);
  if (m >= 0) return request(packet, out, at, end, METHODS[m]);
  if (isStatusLine(bytes, at, end)) {
    const server = readHead(bytes, at, end).headers.get("server");
    if (server) {
      out.identity(packet, "src", { key: "http.server", value: server, confidence: SERVER_CONFIDENCE });
      out.identity(packet, "src", { key: "software", value: server, confidence: SERVER_CONFIDENCE });
    }
  }
  // A CONNECT tunnel (RFC 9110 section 9.3.6) carries TLS once the proxy has answered: its
  // ClientHello names the server the client really talks to (tshark decodes it too).
  if (tls.probe!(packet)) return tls.decode(packet, out);
  return Decoded.DONE; // Bodies, continuations and unknown methods.
}

/** HTTP/1.x dissector: the usual plain-HTTP ports, and a strict probe on any TCP port. */
export const http: Dissector = {
  name: "http",
  title: "Hypertext Transfer Protocol 1.x (host, user agent, server)",
  registration: { tables: { "tcp.port": HTTP_PORTS }, heuristics: ["tcp"] },
  decode: decodeHttp,
  probe: probeHttp,
};
