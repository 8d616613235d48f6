/**
 * BACnet application layer (ANSI/ASHRAE 135-2020 clause 20.1 APDUs, clauses 13–17 services).
 *
 * ```
 * Confirmed-Request: 0000 SEG MOR SA - | max segments / max APDU | invoke id | [sequence, window] | service | request
 * Unconfirmed-Request: 0001 ---- | service | request
 * SimpleACK: 0010 | invoke id | service       ComplexACK: 0011 SEG MOR | invoke id | [seq, window] | service | ack
 * SegmentACK: 0100 NAK SRV | invoke id | sequence | window         Error: 0101 | invoke id | service | error
 * Reject: 0110 | invoke id | reason          Abort: 0111 SRV | invoke id | reason
 * ```
 * Object identifiers are 10 bits of type and 22 bits of instance (clause 20.2.14).
 *
 * @module
 */

import { Decoded, type Observer, type Packet } from "../../api.ts";
import { Confirmed, CONFIRMED_NAMES, PduType } from "./_consts.ts";
import { apduTrace, event, first, PROTOCOL, say, unsignedTag, value } from "./context.ts";
import { confirmed, readPropertyAck, readPropertyMultipleAck, unconfirmed } from "./services.ts";
import { AppTag, opens, readTag, tag } from "./tags.ts";

export { apduTrace, resetApduTrace, route } from "./context.ts";

/** Error class and code of an Error PDU (application enumerated, possibly inside [0]). */
function errorPdu(packet: Packet, out: Observer, service: number, p: number, end: number): number {
  const f: Record<string, string | number | boolean> = {
    service,
    service_name: CONFIRMED_NAMES[service] ?? "unknown",
    op: "exception",
  };
  if (readTag(packet, p, end) && opens(0)) p = tag.next;
  p = unsignedTag(packet, p, end, AppTag.ENUMERATED, false);
  if (p < 0) return -p;
  f.error_class = value.last;
  p = unsignedTag(packet, p, end, AppTag.ENUMERATED, false);
  if (p < 0) return -p;
  f.error_code = value.last;
  event(packet, out, "bacnet.error", "notice", f);
  return Decoded.DONE;
}

function role(packet: Packet, out: Observer, server: boolean): void {
  say(packet, out, "bacnet.role", server ? "server" : "client", 80);
}

/**
 * Decodes the APDU `at`…`end` and reports its identities and events.
 *
 * @returns a {@linkcode Decoded} status
 */
export function decodeApdu(packet: Packet, out: Observer, at: number, end: number): number {
  first.type = first.instance = first.property = -1;
  if (end - at < 2) return packet.truncated(PROTOCOL, at);
  const bytes = packet.bytes;
  const type = bytes[at] >> 4;
  apduTrace.type = type;
  switch (type) {
    case PduType.CONFIRMED_REQUEST: {
      const head = bytes[at] & 0x08 ? 6 : 4;
      if (end - at < head) return packet.truncated(PROTOCOL, at);
      const service = bytes[at + head - 1];
      apduTrace.service = service;
      role(packet, out, false);
      if (bytes[at] & 0x08 && bytes[at + 3] !== 0) return Decoded.DONE; // a later segment: no service header
      return confirmed(packet, out, service, at + head, end);
    }
    case PduType.UNCONFIRMED_REQUEST:
      apduTrace.service = bytes[at + 1];
      return unconfirmed(packet, out, bytes[at + 1], at + 2, end);
    case PduType.SIMPLE_ACK:
    case PduType.COMPLEX_ACK: {
      const head = type === PduType.COMPLEX_ACK && bytes[at] & 0x08 ? 5 : 3;
      if (end - at < head) return packet.truncated(PROTOCOL, at);
      const service = bytes[at + head - 1];
      apduTrace.service = service;
      role(packet, out, true);
      if (type === PduType.COMPLEX_ACK && head === 3) {
        let p = 0;
        if (service === Confirmed.READ_PROPERTY) p = readPropertyAck(packet, out, at + 3, end);
        else if (service === Confirmed.READ_PROPERTY_MULTIPLE) {
          p = readPropertyMultipleAck(packet, out, at + 3, end);
        }
        if (p < 0) return -p;
      }
      return Decoded.DONE;
    }
    case PduType.SEGMENT_ACK:
      return end - at < 4 ? packet.truncated(PROTOCOL, at) : Decoded.DONE;
    case PduType.ERROR:
      if (end - at < 3) return packet.truncated(PROTOCOL, at);
      apduTrace.service = bytes[at + 2];
      role(packet, out, true);
      return errorPdu(packet, out, bytes[at + 2], at + 3, end);
    case PduType.REJECT:
    case PduType.ABORT: {
      if (end - at < 3) return packet.truncated(PROTOCOL, at);
      const reject = type === PduType.REJECT;
      event(packet, out, reject ? "bacnet.reject" : "bacnet.abort", "notice", {
        reason: bytes[at + 2],
        op: "exception",
      });
      return Decoded.DONE;
    }
  }
  return packet.fail(PROTOCOL, "reserved APDU type", at, type);
}
