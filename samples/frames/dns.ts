/**
 * DNS queries and responses over UDP (RFC 1035 §4.1):
 * ```
 *  header  0 id | 2 flags (QR, opcode, AA, TC, RD, RA, rcode) | 4 QDCOUNT | 6 ANCOUNT | 8 NSCOUNT | 10 ARCOUNT
 *  question at 12: QNAME (length-prefixed labels, 0-terminated, §3.1) | QTYPE | QCLASS
 *  answers: NAME as a compression pointer 0xc00c to the question name (§4.1.4) | TYPE A | CLASS IN
 *           | TTL (32) | RDLENGTH 4 | RDATA IPv4 address
 * ```
 *
 * @module
 */

import { put16, put32, putAscii, putIpv4 } from "./addr.ts";

/** A query for one name. */
export interface DnsQuery {
  /** Transaction id. */
  readonly id: number;
  /** Queried name, dotted, no trailing dot. */
  readonly name: string;
  /** Query type. Default 1 (A). */
  readonly type?: number;
}

/** A response with A records for the queried name. */
export interface DnsResponse extends DnsQuery {
  /** IPv4 addresses returned, one A record each. */
  readonly addresses: readonly number[];
  /** TTL of every record in seconds. Default 300. */
  readonly ttl?: number;
}

function writeQuestion(buf: Uint8Array, offset: number, q: DnsQuery, flags: number, answers: number): number {
  put16(buf, offset, q.id);
  put16(buf, offset + 2, flags);
  put16(buf, offset + 4, 1);
  put16(buf, offset + 6, answers);
  put16(buf, offset + 8, 0);
  put16(buf, offset + 10, 0);
  let at = offset + 12;
  for (const label of q.name.split(".")) {
    buf[at] = label.length;
    at += 1 + putAscii(buf, at + 1, label);
  }
  buf[at] = 0;
  put16(buf, at + 1, q.type ?? 1);
  put16(buf, at + 3, 1);
  return at + 5;
}

/**
 * Writes a recursive query (flags 0x0100: RD).
 *
 * @param buf Destination.
 * @param offset First byte (the UDP payload).
 * @param q Query.
 * @returns Message length.
 */
export function writeDnsQuery(buf: Uint8Array, offset: number, q: DnsQuery): number {
  return writeQuestion(buf, offset, q, 0x0100, 0) - offset;
}

/**
 * Writes a response (flags 0x8180: QR, RD, RA, no error) repeating the question, with one A record
 * per address whose name is compressed to a pointer at the question name.
 *
 * @param buf Destination.
 * @param offset First byte (the UDP payload).
 * @param r Response.
 * @returns Message length.
 */
export function writeDnsResponse(buf: Uint8Array, offset: number, r: DnsResponse): number {
  let at = writeQuestion(buf, offset, r, 0x8180, r.addresses.length);
  for (const address of r.addresses) {
    put16(buf, at, 0xc00c);
    put16(buf, at + 2, 1);
    put16(buf, at + 4, 1);
    put32(buf, at + 6, r.ttl ?? 300);
    put16(buf, at + 10, 4);
    putIpv4(buf, at + 12, address);
    at += 16;
  }
  return at - offset;
}
