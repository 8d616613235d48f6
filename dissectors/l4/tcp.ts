/**
 * TCP header (RFC 9293 section 3.1): ports, flags, data offset.
 *
 * ```
 *  0               16              31
 * | source port    | dest. port    |
 * |        sequence number         |
 * |     acknowledgment number      |
 * |off|rsv|  flags |    window     |
 * |  checksum      | urgent ptr    |
 * |  options (data offset > 5) …   |
 * ```
 * Ports are kept as soon as 4 bytes are captured, so a snaplen-cut segment still lands in the
 * right flow. The payload is what lies between the header and the end of the IP datagram. SYN and
 * SYN-ACK segments also report the sender's stack signature (`tcp_syn_signature.ts`).
 *
 * @module
 */

import { type Dissector, Table } from "../api.ts";
import { reportSynSignature } from "./tcp_syn_signature.ts";

/** IP protocol number of TCP. */
export const IPPROTO_TCP = 6;

/** TCP dissector. */
export const tcp: Dissector = {
  name: "tcp",
  title: "Transmission Control Protocol",
  registration: { tables: { "ip.proto": [IPPROTO_TCP] } },
  decode(packet, out) {
    const at = packet.offset;
    packet.l4Offset = at;
    const available = packet.l3End - at;
    const view = packet.view;
    if (available >= 4) {
      packet.srcPort = view.getUint16(at);
      packet.dstPort = view.getUint16(at + 2);
    }
    if (available < 20) return packet.truncated("TCP header", at);
    packet.tcpSeq = view.getUint32(at + 4);
    packet.tcpFlags = packet.bytes[at + 13];
    const headerLength = (packet.bytes[at + 12] >>> 4) * 4;
    if (headerLength < 20) {
      return packet.fail("TCP header", "data offset must be at least 5 words", at + 12, headerLength);
    }
    if (available < headerLength) return packet.truncated("TCP options", at);
    // SYN or SYN-ACK: the stack's signature (tcp_syn_signature.ts).
    if ((packet.tcpFlags & 0x06) === 0x02) reportSynSignature(packet, out, at, headerLength);
    packet.payloadOffset = at + headerLength;
    packet.payloadLength = available - headerLength;
    return packet.next(Table.TCP_PORT, 0, at + headerLength);
  },
};
