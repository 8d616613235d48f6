/**
 * State shared by the BACnet application layer decoders (ANSI/ASHRAE 135-2020 clause 20): who the
 * APDU is about, what it named (for the tests' comparison with tshark), and the tag readers that
 * record object identifiers and properties on the way.
 *
 * @module
 */

import type { Observer, Packet, Severity, Subject } from "../../api.ts";
import { objectTypeName, propertyName } from "./_consts.ts";
import { isTag, readTag, tag, tagUnsigned } from "./tags.ts";

/** Protocol named in the problems of the application layer. */
export const PROTOCOL = "BACnet APDU";
const MAX_TRACE = 16;

/** Who the APDU is about, set by the network layer before {@linkcode decodeApdu}. */
export const route = {
  /** The sender: "src", or the original source of a Forwarded-NPDU. */
  subject: "src" as Subject,
  /** "" or `child/bacnet.device/<snet>:<sadr>/` when the sender is a router speaking for a device. */
  child: "",
  /** "" or `<snet>:<sadr>` of that device. */
  source: "",
  /** "" or `<dnet>:<dadr>` when the APDU is routed to a device behind the receiver. */
  target: "",
};

/** What the APDU decoder saw in the current packet (reused; tests compare it with tshark). */
export const apduTrace = {
  type: -1,
  service: -1,
  vendor: -1,
  objectCount: 0,
  objectTypes: new Int32Array(MAX_TRACE),
  instances: new Int32Array(MAX_TRACE),
  propertyCount: 0,
  properties: new Int32Array(MAX_TRACE),
};

/** Forgets what the previous packet left in {@linkcode apduTrace}. */
export function resetApduTrace(): void {
  apduTrace.type = -1;
  apduTrace.service = -1;
  apduTrace.vendor = -1;
  apduTrace.objectCount = 0;
  apduTrace.propertyCount = 0;
}

/** First object identifier and property of the request, -1 when absent. */
export const first = { type: -1, instance: -1, property: -1 };
/** Last object identifier read. */
export const last = { type: -1, instance: -1 };

export function object(packet: Packet): void {
  const value = packet.view.getUint32(tag.valueAt);
  const type = value >>> 22;
  const instance = value & 0x3fffff;
  if (apduTrace.objectCount < MAX_TRACE) {
    apduTrace.objectTypes[apduTrace.objectCount] = type;
    apduTrace.instances[apduTrace.objectCount++] = instance;
  }
  last.type = type;
  last.instance = instance;
  if (first.type < 0) {
    first.type = type;
    first.instance = instance;
  }
}

export function property(id: number): void {
  if (apduTrace.propertyCount < MAX_TRACE) apduTrace.properties[apduTrace.propertyCount++] = id;
  if (first.property < 0) first.property = id;
}

// Readers return the offset after what they read, or a Decoded status negated.

/** Reads an object identifier tag (application 12, or context `number`) at `p`; returns the next offset. */
export function objectTag(packet: Packet, p: number, end: number, number: number, context: boolean): number {
  if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
  if (!isTag(number, context) || tag.length !== 4) {
    return -packet.fail(PROTOCOL, "expected an object identifier", p, packet.bytes[p]);
  }
  object(packet);
  return tag.next;
}

/** Reads an unsigned/enumerated tag (application or context `number`); the value goes to `value.last`. */
export const value = { last: -1 };
export function unsignedTag(
  packet: Packet,
  p: number,
  end: number,
  number: number,
  context: boolean,
): number {
  if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
  value.last = tagUnsigned(packet);
  if (!isTag(number, context) || value.last < 0) {
    return -packet.fail(PROTOCOL, "expected an unsigned or enumerated value", p, packet.bytes[p]);
  }
  return tag.next;
}

/** True when the tag at `p` is context tag `number` (primitive) and fits. */
export function hasContext(packet: Packet, p: number, end: number, number: number): boolean {
  return p < end && readTag(packet, p, end) && isTag(number, true);
}

/** An identity attribute about the sender (or the device behind it, under its `child/` key). */
export function say(packet: Packet, out: Observer, key: string, text: string, confidence: number): void {
  out.identity(packet, route.subject, { key: route.child + key, value: text, confidence });
}

/** Fields shared by the request events: service, object, property, routed target. */
export function fields(
  service: number,
  names: readonly string[],
  op: string,
): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {
    service,
    service_name: names[service] ?? "unknown",
    op,
  };
  if (first.type >= 0) {
    result.object_type = objectTypeName(first.type);
    result.object_instance = first.instance;
  }
  if (first.property >= 0) result.property = propertyName(first.property);
  if (route.source !== "") result.source = route.source;
  if (route.target !== "") result.target = route.target;
  return result;
}

/** An event about the sender. */
export function event(
  packet: Packet,
  out: Observer,
  type: string,
  severity: Severity,
  f: Record<string, string | number | boolean>,
): void {
  out.event(packet, { type, severity, about: route.subject, fields: f });
}
