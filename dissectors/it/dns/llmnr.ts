/**
 * Link-Local Multicast Name Resolution (RFC 4795), UDP port 5355: the DNS message format
 * (RFC 4795 2.1.1) with the C, TC and T flags in place of AA, TC and RD.
 *
 * Responses give `hostname` about each A/AAAA address, and about the sender too when the address
 * is its own (a responder answers only for names it is authoritative for, RFC 4795 2.3). Queries
 * give `llmnr.query` events (name, type). LLMNR over TCP (RFC 4795 2.5) is not decoded.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { Confidence, Port } from "./_consts.ts";
import { parseMessage } from "./message.ts";
import { reportAnswers, reportQueries } from "./dns.ts";

/** LLMNR dissector. */
export const llmnr: Dissector = {
  name: "llmnr",
  title: "Link-Local Multicast Name Resolution",
  registration: { tables: { "udp.port": [Port.LLMNR] } },
  decode(packet, out) {
    const start = packet.payloadOffset;
    const { status, message } = parseMessage(packet, "LLMNR", start, start + packet.payloadLength);
    // Opcode must be 0 (RFC 4795 2.1.1); others are ignored.
    if (message === null || message.opcode !== 0) return status;
    if (message.response) reportAnswers(packet, out, message, Confidence.LLMNR, true);
    else reportQueries(packet, out, "llmnr", message);
    return status;
  },
};
