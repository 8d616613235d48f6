/**
 * DNS (RFC 1035) over UDP and TCP port 53, and the reporting shared with LLMNR.
 *
 * Over TCP each message is preceded by a two-byte length (RFC 1035 4.2.2); every whole message of
 * a segment is decoded, and one continued in later segments is joined by the engine.
 * From responses (QR = 1, opcode QUERY), every A/AAAA record gives `hostname` = its owner name
 * about the address, and every reverse-mapping PTR (in-addr.arpa, ip6.arpa) gives `hostname` =
 * its target about the address encoded in the owner name. Queries give `dns.query` events with
 * the name and type only, so the observer folds repeated lookups into one record.
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { ipAt } from "../../../model/address.ts";
import { Confidence, HEADER_LENGTH, Port, Problem, RrType, typeName } from "./_consts.ts";
import { type DnsMessage, parseMessage } from "./message.ts";
import { reverseAddress } from "./name.ts";

/** Opcode of a standard query (RFC 1035 4.1.1). */
const OPCODE_QUERY = 0;

/** True when the `length` bytes at `at` equal the packet's source IP address. */
export function isSenderAddress(packet: Packet, at: number, length: number): boolean {
  if (packet.srcIpOffset < 0 || (length === 4 ? 4 : 6) !== packet.ipVersion) return false;
  const bytes = packet.bytes;
  for (let i = 0; i < length; i++) if (bytes[at + i] !== bytes[packet.srcIpOffset + i]) return false;
  return true;
}

/** Reports one `<protocol>.query` event per question of a query. */
export function reportQueries(packet: Packet, out: Observer, protocol: string, message: DnsMessage): void {
  for (const question of message.questions) {
    out.event(packet, {
      type: `${protocol}.query`,
      severity: "info",
      fields: { name: question.name, qtype: typeName(question.type) },
    });
  }
}

/**
 * Reports the address records of a unicast DNS or LLMNR response. With `senderToo` (LLMNR: a
 * responder answers only for its own names, RFC 4795 2.1) an address equal to the sender's is
 * also reported about the sender, which gives the aggregator its MAC.
 */
export function reportAnswers(
  packet: Packet,
  out: Observer,
  message: DnsMessage,
  confidence: number,
  senderToo: boolean,
): void {
  const bytes = packet.bytes;
  for (const record of message.records) {
    if (record.cls !== 1) continue;
    if (record.type === RrType.A || record.type === RrType.AAAA) {
      if (record.name === "") continue;
      const attribute = { key: "hostname", value: record.name, confidence };
      out.identity(packet, { ip: ipAt(bytes, record.rdata, record.type === RrType.A ? 4 : 6) }, attribute);
      if (senderToo && isSenderAddress(packet, record.rdata, record.rdlength)) {
        out.identity(packet, "src", attribute);
      }
    } else if (record.type === RrType.PTR && record.target !== "") {
      const address = reverseAddress(record.labels);
      if (address === null) continue;
      out.identity(packet, { ip: ipAt(address, 0, address.length === 4 ? 4 : 6) }, {
        key: "hostname",
        value: record.target,
        confidence,
      });
    }
  }
}

/** Decodes and reports one DNS message in `[start, end)`. */
function decodeMessage(packet: Packet, out: Observer, start: number, end: number): number {
  const { status, message } = parseMessage(packet, "DNS", start, end);
  if (message === null || message.opcode !== OPCODE_QUERY) return status;
  if (message.response) reportAnswers(packet, out, message, Confidence.DNS, false);
  else reportQueries(packet, out, "dns", message);
  return status;
}

/** Decodes the whole messages of a TCP segment (RFC 1035 4.2.2 length prefix). */
function decodeTcp(packet: Packet, out: Observer): number {
  const view = packet.view;
  const end = packet.payloadOffset + packet.payloadLength;
  let at = packet.payloadOffset;
  while (end - at >= 2) {
    const length = view.getUint16(at);
    if (length < HEADER_LENGTH) return packet.fail("DNS over TCP", Problem.TCP_LENGTH, at, length);
    // A message continued in the next segments: the engine joins them (or the capture cut it).
    if (at + 2 + length > end) {
      return packet.caplen < packet.wirelen ? Decoded.DONE : packet.desegment(at, 2 + length);
    }
    const status = decodeMessage(packet, out, at + 2, at + 2 + length);
    if (status !== Decoded.DONE) return status;
    at += 2 + length;
  }
  // One byte of the next message's length: the rest is in the next segment.
  if (end - at === 1 && packet.caplen >= packet.wirelen) return packet.desegment(at);
  return Decoded.DONE;
}

/** DNS dissector (UDP and TCP port 53). */
export const dns: Dissector = {
  name: "dns",
  title: "Domain Name System",
  registration: { tables: { "udp.port": [Port.DNS], "tcp.port": [Port.DNS] } },
  decode(packet, out) {
    if (packet.ipProto === 6) return decodeTcp(packet, out);
    return decodeMessage(packet, out, packet.payloadOffset, packet.payloadOffset + packet.payloadLength);
  },
};
