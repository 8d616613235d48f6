/**
 * BACnet/IP (ANSI/ASHRAE 135-2020 Annex J, UDP 47808) and BACnet/Ethernet (clause 7, IEEE 802.2
 * LLC with DSAP = SSAP = 0x82): BVLL, network layer (clause 6) and application layer.
 *
 * ```
 * BVLL:  type 0x81 | function | length (u16, whole BVLL message) | [Forwarded-NPDU: original B/IP
 *        address, 4 + 2 bytes] | NPDU
 * NPDU:  version (1) | control (bit 7 network message, 5 DNET present, 3 SNET present, 2 expecting
 *        reply, 1–0 priority) | [DNET (u16) DLEN DADR] | [SNET (u16) SLEN SADR] | [hop count]
 *        | [message type | vendor id if type ≥ 0x80] | APDU or network message
 * ```
 * A device behind a router (the NPDU carries SNET/SADR) is reported as a child of the router's
 * address: `child/bacnet.device/<snet>:<sadr hex>/<key>`.
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { formatIpv4 } from "../../../model/address.ts";
import { Bvlc } from "./_consts.ts";
import { decodeApdu, resetApduTrace, route } from "./apdu.ts";

const PROTOCOL = "BACnet";
/** BACnet/IP UDP port (Annex J.1, 0xBAC0). */
export const BACNET_PORT = 47808;
/** LLC SAP of BACnet/Ethernet (clause 7). */
export const BACNET_SAP = 0x82;
const BVLC_TYPE = 0x81;
const BVLC_IPV6_TYPE = 0x82;

/** What the BVLL and network layer held in the current packet (reused; tests compare it with tshark). */
export const npduTrace = {
  bvlcFunction: -1,
  control: -1,
  dnet: -1,
  snet: -1,
  sadrLength: 0,
  sadr: 0,
  messageType: -1,
};

function hexAt(bytes: Uint8Array, at: number, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += bytes[at + i].toString(16).padStart(2, "0");
  return text;
}

/** Network layer message (clause 6.4): I-Am-Router-To-Network marks the sender as a router. */
function networkMessage(packet: Packet, out: Observer, at: number, end: number): number {
  if (end - at < 1) return packet.truncated(PROTOCOL, at);
  const type = packet.bytes[at];
  npduTrace.messageType = type;
  if (type >= 0x80 && end - at < 3) return packet.truncated(PROTOCOL, at);
  if (type === 0x01) {
    out.identity(packet, route.subject, { key: "bacnet.router", value: "true", confidence: 90 });
    const networks = (end - at - 1) >> 1;
    out.event(packet, {
      type: "bacnet.router_announce",
      severity: "info",
      about: route.subject,
      fields: { networks, op: "identify" },
    });
  }
  return Decoded.DONE;
}

/** NPDU at `at`…`end`. */
function decodeNpdu(packet: Packet, out: Observer, at: number, end: number): number {
  if (end - at < 2) return packet.truncated(PROTOCOL, at);
  const bytes = packet.bytes;
  const view = packet.view;
  const control = bytes[at + 1];
  npduTrace.control = control;
  if (bytes[at] !== 1) out.anomaly(packet, "npdu_version_not_1", "notice");
  if (control & 0x50) return packet.fail(PROTOCOL, "reserved NPDU control bits set", at + 1, control);
  let p = at + 2;
  let target = "";
  if (control & 0x20) {
    if (end - p < 3) return packet.truncated(PROTOCOL, p);
    const dnet = view.getUint16(p);
    const dlen = bytes[p + 2];
    npduTrace.dnet = dnet;
    if (end - p - 3 < dlen) return packet.truncated(PROTOCOL, p);
    if (dnet !== 0xffff && dlen > 0) target = `${dnet}:${hexAt(bytes, p + 3, dlen)}`;
    p += 3 + dlen;
  }
  if (control & 0x08) {
    if (end - p < 3) return packet.truncated(PROTOCOL, p);
    const snet = view.getUint16(p);
    const slen = bytes[p + 2];
    if (slen === 0) return packet.fail(PROTOCOL, "SNET present with SLEN 0", p + 2);
    if (snet === 0xffff) return packet.fail(PROTOCOL, "SNET is the global broadcast network", p, snet);
    if (end - p - 3 < slen) return packet.truncated(PROTOCOL, p);
    npduTrace.snet = snet;
    npduTrace.sadrLength = slen;
    let sadr = 0;
    for (let i = 0; i < slen && i < 6; i++) sadr = sadr * 256 + bytes[p + 3 + i];
    npduTrace.sadr = sadr;
    route.source = `${snet}:${hexAt(bytes, p + 3, slen)}`;
    route.child = `child/bacnet.device/${route.source}/`;
    out.identity(packet, route.subject, { key: "bacnet.router", value: "true", confidence: 70 });
    p += 3 + slen;
  }
  if (control & 0x20) {
    if (end - p < 1) return packet.truncated(PROTOCOL, p);
    p++;
  }
  route.target = target;
  if (control & 0x80) return networkMessage(packet, out, p, end);
  return decodeApdu(packet, out, p, end);
}

function resetTrace(): void {
  npduTrace.bvlcFunction =
    npduTrace.control =
    npduTrace.dnet =
    npduTrace.snet =
    npduTrace.messageType =
      -1;
  npduTrace.sadrLength = npduTrace.sadr = 0;
  resetApduTrace();
  route.subject = "src";
  route.child = "";
  route.source = "";
  route.target = "";
}

/** BACnet/IP: BVLL then NPDU. */
function decodeBvll(packet: Packet, out: Observer): number {
  const at = packet.payloadOffset;
  const available = packet.payloadLength;
  if (available < 4) return packet.truncated(PROTOCOL, at);
  const bytes = packet.bytes;
  if (bytes[at] === BVLC_IPV6_TYPE) return Decoded.DONE; // BACnet/IPv6 (Annex U) is not decoded
  if (bytes[at] !== BVLC_TYPE) return packet.fail(PROTOCOL, "BVLC type is not 0x81", at, bytes[at]);
  const fn = bytes[at + 1];
  const length = packet.view.getUint16(at + 2);
  npduTrace.bvlcFunction = fn;
  if (length < 4) return packet.fail(PROTOCOL, "BVLC length shorter than its header", at + 2, length);
  if (length > available) {
    if (packet.caplen < packet.wirelen) return packet.truncated(PROTOCOL, at);
    return packet.fail(PROTOCOL, "BVLC length beyond the datagram", at + 2, length);
  }
  const end = at + length;
  switch (fn) {
    case Bvlc.FORWARDED_NPDU:
      if (length < 10) {
        return packet.fail(PROTOCOL, "Forwarded-NPDU without its original address", at + 2, length);
      }
      route.subject = { ip: formatIpv4(packet.view.getUint32(at + 4)) };
      return decodeNpdu(packet, out, at + 10, end);
    case Bvlc.ORIGINAL_UNICAST:
    case Bvlc.ORIGINAL_BROADCAST:
    case Bvlc.DISTRIBUTE_BROADCAST:
      return decodeNpdu(packet, out, at + 4, end);
  }
  if (fn > Bvlc.SECURE_BVLL) return packet.fail(PROTOCOL, "unknown BVLC function", at + 1, fn);
  return Decoded.DONE;
}

/** Strict probe for BACnet/IP on other UDP ports: BVLL type 0x81, a known function, exact length, NPDU version 1. */
function probeBvll(packet: Packet): boolean {
  const at = packet.payloadOffset;
  const length = packet.payloadLength;
  if (length < 6) return false;
  const bytes = packet.bytes;
  if (bytes[at] !== BVLC_TYPE || packet.view.getUint16(at + 2) !== length) return false;
  const fn = bytes[at + 1];
  if (fn === Bvlc.FORWARDED_NPDU) return length > 11 && bytes[at + 10] === 1;
  if (fn === Bvlc.ORIGINAL_UNICAST || fn === Bvlc.ORIGINAL_BROADCAST || fn === Bvlc.DISTRIBUTE_BROADCAST) {
    return bytes[at + 4] === 1;
  }
  return false;
}

/** BACnet dissector (BACnet/IP and BACnet/Ethernet). */
export const bacnet: Dissector = {
  name: "bacnet",
  title: "BACnet (ASHRAE 135): BACnet/IP and BACnet/Ethernet",
  registration: { tables: { "udp.port": [BACNET_PORT], "llc.sap": [BACNET_SAP] }, heuristics: ["udp"] },
  decode(packet, out) {
    resetTrace();
    if (packet.ipProto === 17 && packet.payloadOffset >= 0) return decodeBvll(packet, out);
    // The Ethernet dissector ended the frame at its 802.3 length: the padding is not NPDU data.
    return decodeNpdu(packet, out, packet.offset, packet.end);
  },
  probe(packet) {
    return probeBvll(packet);
  },
};
