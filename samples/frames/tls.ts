/**
 * TLS 1.2 records for an abbreviated (session-resumption) handshake (RFC 5246 §6.2, §7.3, §7.4):
 * ```
 *  record     0 content type (20 CCS, 22 handshake, 23 application data) | 1 version | 3 length | 5 fragment
 *  handshake  0 msg type (1 ClientHello, 2 ServerHello) | 1 length (24 bits) | 4 body
 *  hello body client_version 0x0303 | random (32) | session id (len + 32) | cipher suite(s) | compression
 *             | extensions: server_name (RFC 6066 §3), supported_groups, ec_point_formats,
 *               signature_algorithms, extended_master_secret (RFC 7627), renegotiation_info (RFC 5746)
 * ```
 * Encrypted records carry opaque bytes that the caller fills after {@linkcode writeTlsRecordHeader}.
 *
 * @module
 */

import { put16, putAscii } from "./addr.ts";

/** TLS record content types. */
export const TlsContentType = {
  CHANGE_CIPHER_SPEC: 20,
  ALERT: 21,
  HANDSHAKE: 22,
  APPLICATION_DATA: 23,
} as const;

/** Random and session id of a hello, plus the server name a client asks for. */
export interface TlsHello {
  /** 32 random bytes. */
  readonly random: Uint8Array;
  /** 32-byte session id (the same in both hellos: the session is resumed). */
  readonly sessionId: Uint8Array;
  /** Server Name Indication host name (ClientHello only). */
  readonly serverName?: string;
}

const CLIENT_SUITES = [0xc02f, 0xc030, 0xc02b, 0xc02c, 0x009e, 0x009c];
const SERVER_SUITE = 0xc02f;

/**
 * Writes a record header.
 *
 * @param buf Destination.
 * @param offset First byte.
 * @param contentType See {@linkcode TlsContentType}.
 * @param length Length of the fragment that follows.
 * @returns 5.
 */
export function writeTlsRecordHeader(
  buf: Uint8Array,
  offset: number,
  contentType: number,
  length: number,
): number {
  buf[offset] = contentType;
  put16(buf, offset + 1, 0x0303);
  put16(buf, offset + 3, length);
  return 5;
}

/**
 * Writes a ChangeCipherSpec record.
 *
 * @returns 6.
 */
export function writeTlsChangeCipherSpec(buf: Uint8Array, offset: number): number {
  writeTlsRecordHeader(buf, offset, TlsContentType.CHANGE_CIPHER_SPEC, 1);
  buf[offset + 5] = 1;
  return 6;
}

function extension(buf: Uint8Array, at: number, type: number, body: readonly number[]): number {
  put16(buf, at, type);
  put16(buf, at + 2, body.length);
  buf.set(body, at + 4);
  return at + 4 + body.length;
}

function writeHello(buf: Uint8Array, offset: number, msgType: number, hello: TlsHello): number {
  let at = offset + 9;
  put16(buf, at, 0x0303);
  buf.set(hello.random, at + 2);
  buf[at + 34] = 32;
  buf.set(hello.sessionId, at + 35);
  at += 67;
  if (msgType === 1) {
    put16(buf, at, 2 * CLIENT_SUITES.length);
    CLIENT_SUITES.forEach((s, i) => put16(buf, at + 2 + 2 * i, s));
    at += 2 + 2 * CLIENT_SUITES.length;
    buf[at] = 1;
    buf[at + 1] = 0;
    at += 2;
  } else {
    put16(buf, at, SERVER_SUITE);
    buf[at + 2] = 0;
    at += 3;
  }
  const extStart = at;
  at += 2;
  if (hello.serverName !== undefined) {
    const n = hello.serverName.length;
    put16(buf, at, 0);
    put16(buf, at + 2, n + 5);
    put16(buf, at + 4, n + 3);
    buf[at + 6] = 0;
    put16(buf, at + 7, n);
    at += 9 + putAscii(buf, at + 9, hello.serverName);
  }
  if (msgType === 1) {
    at = extension(buf, at, 0x000a, [0, 4, 0x00, 0x1d, 0x00, 0x17]);
    at = extension(buf, at, 0x000d, [0, 6, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01]);
  }
  at = extension(buf, at, 0x000b, [1, 0]);
  at = extension(buf, at, 0x0017, []);
  at = extension(buf, at, 0xff01, [0]);
  put16(buf, extStart, at - extStart - 2);
  const handshakeLength = at - offset - 9;
  writeTlsRecordHeader(buf, offset, TlsContentType.HANDSHAKE, handshakeLength + 4);
  buf[offset + 5] = msgType;
  buf[offset + 6] = handshakeLength >>> 16;
  put16(buf, offset + 7, handshakeLength & 0xffff);
  return at - offset;
}

/**
 * Writes a ClientHello record with SNI.
 *
 * @returns Record length.
 */
export function writeTlsClientHello(buf: Uint8Array, offset: number, hello: TlsHello): number {
  return writeHello(buf, offset, 1, hello);
}

/**
 * Writes a ServerHello record resuming the client's session (cipher suite 0xc02f).
 *
 * @returns Record length.
 */
export function writeTlsServerHello(buf: Uint8Array, offset: number, hello: TlsHello): number {
  return writeHello(buf, offset, 2, hello);
}
