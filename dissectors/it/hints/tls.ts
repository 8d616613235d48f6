/**
 * TLS ClientHello (RFC 8446 section 4.1.2; RFC 5246 section 7.4.1.2 for TLS 1.0–1.2): the server
 * name a client asks for. Nothing is decrypted; only the first handshake record of a segment is
 * read; a ClientHello longer than its segment is joined with the next ones (`packet.desegment`).
 *
 * ```
 * record (RFC 8446 section 5.1): type 22 | version (2) | length (2)
 * handshake (section 4): type 1 | length (3)
 * ClientHello: legacy_version (2) | random (32) | session_id <0..32> | cipher_suites <2..2^16-2>
 *              | compression_methods <1..2^8-1> | extensions <0..2^16-1>: type (2) | length (2) | data
 * ```
 * Reports the server name (RFC 6066 section 3) as `hostname` about the destination, at a low
 * confidence (many names share one address), and the event `tls.client_hello` with the name, the
 * highest version offered (supported_versions, RFC 8446 section 4.2.1, else legacy_version),
 * the ALPN protocols (RFC 7301 section 3.1) and the number of cipher suites.
 *
 * @module
 */

import { Decoded, decodeText, type Dissector, type Observer, type Packet } from "../../api.ts";

const PROTOCOL = "TLS";
/** Ports where TLS is expected: HTTPS, alternative HTTPS, IMAPS, POP3S, SMTPS, LDAPS, DNS over TLS. */
export const TLS_PORTS: readonly number[] = [443, 8443, 993, 995, 465, 636, 853];
/** Confidence of a server name as the destination's host name (RFC 6066 section 3). */
const SNI_CONFIDENCE = 30;
const CONTENT_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
/** Largest record: 2^14 plus the expansion allowed by RFC 5246 section 6.2.3. */
const MAX_RECORD = 16384 + 2048;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
const EXT_SUPPORTED_VERSIONS = 43;
/** Longest DNS name (RFC 1035 section 2.3.4). */
const MAX_NAME = 253;

/** What one ClientHello says; reused (one packet at a time). */
interface Hello {
  sni: string;
  alpn: string[];
  version: number;
  ciphers: number;
  /** Constant problem text when the message is malformed, else "". */
  problem: string;
  problemAt: number;
}

const hello: Hello = { sni: "", alpn: [], version: 0, ciphers: 0, problem: "", problemAt: 0 };

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

/** True for the GREASE values of RFC 8701 section 2 (0x0a0a, 0x1a1a, … 0xfafa). */
function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

/** "TLS 1.3" for 0x0304, "SSL 3.0" for 0x0300, else the hex value. */
export function versionName(version: number): string {
  if (version === 0x0300) return "SSL 3.0";
  if (version >= 0x0301 && version <= 0x0304) return `TLS 1.${version - 0x0301}`;
  return `0x${version.toString(16).padStart(4, "0")}`;
}

/**
 * Checks the record and handshake headers at `at` (RFC 8446 sections 5.1 and 4): a handshake
 * record of TLS 1.0–1.3 whose first message is a ClientHello fitting in the record.
 *
 * @returns the length of the ClientHello body, or -1
 */
function helloHeader(bytes: Uint8Array, at: number, end: number): number {
  if (end - at < 9 || bytes[at] !== CONTENT_HANDSHAKE || bytes[at + 1] !== 3) return -1;
  if (bytes[at + 2] < 1 || bytes[at + 2] > 4) return -1;
  const recordLength = u16(bytes, at + 3);
  if (recordLength < 4 + 38 || recordLength > MAX_RECORD || bytes[at + 5] !== HANDSHAKE_CLIENT_HELLO) {
    return -1;
  }
  const length = (bytes[at + 6] << 16) | (bytes[at + 7] << 8) | bytes[at + 8];
  return length >= 38 && length + 4 <= recordLength ? length : -1;
}

/** Sets the problem of `hello` and returns false. */
function bad(problem: string, at: number): boolean {
  hello.problem = problem;
  hello.problemAt = at;
  return false;
}

/** Reads the server_name extension (RFC 6066 section 3): the first host_name entry. */
function serverName(bytes: Uint8Array, at: number, end: number): boolean {
  if (end - at < 2 || at + 2 + u16(bytes, at) !== end) return bad("server_name list length mismatch", at);
  for (let p = at + 2; p < end;) {
    if (end - p < 3) return bad("server_name entry runs past its list", p);
    const type = bytes[p];
    const length = u16(bytes, p + 1);
    const from = p + 3;
    if (from + length > end) return bad("server_name entry runs past its list", p);
    if (type === 0 && hello.sni === "") {
      if (length === 0 || length > MAX_NAME) return bad("host_name length out of range", p + 1);
      // RFC 6066 section 3: an ASCII host name; anything else is a broken ClientHello.
      for (let i = from; i < from + length; i++) {
        if (bytes[i] <= 0x20 || bytes[i] >= 0x7f) return bad("host_name is not printable ASCII", i);
      }
      hello.sni = decodeText(bytes, from, length).toLowerCase().replace(/\.$/, "");
    }
    p = from + length;
  }
  return true;
}

/** Reads the ALPN extension (RFC 7301 section 3.1): protocol names, each length-prefixed. */
function alpn(bytes: Uint8Array, at: number, end: number): boolean {
  if (end - at < 2 || at + 2 + u16(bytes, at) !== end) return bad("ALPN list length mismatch", at);
  for (let p = at + 2; p < end;) {
    const length = bytes[p];
    if (length === 0 || p + 1 + length > end) return bad("ALPN protocol name runs past its list", p);
    // Protocol names are opaque bytes (RFC 7301 section 6), shown by the text rule; "," separates them here.
    hello.alpn.push(decodeText(bytes, p + 1, length).replace(/,/g, "%2C"));
    p += 1 + length;
  }
  return true;
}

/** Reads supported_versions (RFC 8446 section 4.2.1): keeps the highest non-GREASE version. */
function supportedVersions(bytes: Uint8Array, at: number, end: number): boolean {
  const length = end > at ? bytes[at] : -1;
  if (length < 2 || length % 2 !== 0 || at + 1 + length !== end) {
    return bad("supported_versions length mismatch", at);
  }
  for (let p = at + 1; p < end; p += 2) {
    const version = u16(bytes, p);
    if (!isGrease(version) && version > hello.version) hello.version = version;
  }
  return true;
}

/** Parses a ClientHello body in `bytes[at, end)` into {@linkcode hello}; false when malformed. */
function parseHello(bytes: Uint8Array, at: number, end: number): boolean {
  hello.sni = "";
  hello.alpn = [];
  hello.problem = "";
  hello.version = u16(bytes, at);
  let p = at + 34;
  const sessionLength = bytes[p];
  if (sessionLength > 32) return bad("session_id longer than 32 bytes", p);
  p += 1 + sessionLength;
  if (end - p < 2) return bad("ClientHello ends before its cipher suites", p);
  const cipherLength = u16(bytes, p);
  if (cipherLength < 2 || cipherLength % 2 !== 0) return bad("cipher_suites length is odd or zero", p);
  hello.ciphers = cipherLength / 2;
  p += 2 + cipherLength;
  if (end - p < 1) return bad("ClientHello ends before its compression methods", p);
  const compressionLength = bytes[p];
  if (compressionLength < 1) return bad("no compression method", p);
  p += 1 + compressionLength;
  if (p > end) return bad("compression methods run past the ClientHello", p);
  if (p === end) return true; // No extensions (TLS 1.0/1.1 clients may send none).
  if (end - p < 2 || p + 2 + u16(bytes, p) !== end) return bad("extensions length mismatch", p);
  const legacyVersion = hello.version;
  hello.version = 0;
  for (p += 2; p < end;) {
    if (end - p < 4) return bad("extension header runs past the ClientHello", p);
    const type = u16(bytes, p);
    const from = p + 4;
    const to = from + u16(bytes, p + 2);
    if (to > end) return bad("extension runs past the ClientHello", p);
    if (type === EXT_SERVER_NAME && !serverName(bytes, from, to)) return false;
    if (type === EXT_ALPN && !alpn(bytes, from, to)) return false;
    if (type === EXT_SUPPORTED_VERSIONS && !supportedVersions(bytes, from, to)) return false;
    p = to;
  }
  if (hello.version === 0) hello.version = legacyVersion;
  return true;
}

/** True when the payload starts with a plausible ClientHello record (strict, allocation-free). */
function probeTls(packet: Packet): boolean {
  const at = packet.payloadOffset;
  if (at < 0) return false;
  const end = Math.min(at + packet.payloadLength, packet.end);
  const bytes = packet.bytes;
  return helloHeader(bytes, at, end) >= 0 && end - at >= 11 && bytes[at + 9] === 3 && bytes[at + 10] <= 4;
}

/** Decodes the first ClientHello of a TCP segment; any other record is skipped. */
function decodeTls(packet: Packet, out: Observer): number {
  const at = packet.payloadOffset;
  if (at < 0) return Decoded.DONE;
  const end = Math.min(at + packet.payloadLength, packet.end);
  const bytes = packet.bytes;
  const length = helloHeader(bytes, at, end);
  if (length < 0) return Decoded.DONE; // Not a ClientHello: server records, application data, continuations.
  const bodyEnd = at + 9 + length;
  if (bodyEnd > end) {
    // The snapshot length cut it, or the ClientHello continues in the next segments (common since
    // post-quantum key shares made it longer than one segment): the engine joins them.
    return end === packet.end && packet.caplen < packet.wirelen
      ? packet.truncated(PROTOCOL, end)
      : packet.desegment(at, 9 + length);
  }
  if (!parseHello(bytes, at + 9, bodyEnd)) return packet.fail(PROTOCOL, hello.problem, hello.problemAt);
  const fields: Record<string, string | number> = {
    version: versionName(hello.version),
    cipher_count: hello.ciphers,
  };
  if (hello.sni) {
    fields.sni = hello.sni;
    out.identity(packet, "dst", { key: "hostname", value: hello.sni, confidence: SNI_CONFIDENCE });
  }
  if (hello.alpn.length > 0) fields.alpn = hello.alpn.join(",");
  out.event(packet, { type: "tls.client_hello", severity: "info", fields });
  return Decoded.DONE;
}

/** TLS ClientHello dissector: the usual TLS ports, and a strict probe on any TCP port. */
export const tls: Dissector = {
  name: "tls",
  title: "Transport Layer Security (ClientHello server name)",
  registration: { tables: { "tcp.port": TLS_PORTS }, heuristics: ["tcp"] },
  decode: decodeTls,
  probe: probeTls,
};
