/**
 * CIP explicit messages (ODVA CIP Networks Library Vol 1 §2-4 "Message Router"), as carried in the
 * unconnected and connected data items of EtherNet/IP.
 *
 * ```
 * request:  service (bit 7 = 0) | path size (words) | path (padded EPATH) | service data…
 * response: service | 0x80 | reserved | general status | additional status size (words) |
 *           additional status… | service data…
 * Multiple Service Packet (0x0A) data: count (u16 LE) | offsets (u16 LE each, from the count) | services
 * Unconnected Send (0x52 to class 6): priority/tick | timeout ticks | message size (u16 LE) |
 *           message | pad to even | route path size (words) | reserved | route path
 * Forward Open (0x54) / Large Forward Open (0x5B): priority/tick | timeout | O→T and T→O connection
 *           ids | serial | originator vendor id | originator serial | timeout multiplier | 3 reserved |
 *           O→T RPI (µs) | O→T parameters (2, large: 4) | T→O RPI | T→O parameters | transport
 *           type/trigger | connection path size (words) | connection path
 * ```
 * Events are one per request (the embedded services of a Multiple Service Packet and the message of
 * an Unconnected Send each count): reads `info`, writes `notice`, setting the controller clock
 * `warning` (`time_sync`), Reset / Start / Stop `critical`. Error responses are `notice`.
 *
 * @module
 */

import { Decoded, type Observer, type Packet } from "../../api.ts";
import { CipClass, GENERAL_STATUS, Service, serviceName } from "./_consts.ts";
import { IDENTITY_FIXED, rememberIdentityRequest, reportIdentity, takeIdentityRequest } from "./identity.ts";
import { decodePath, path } from "./path.ts";

const PROTOCOL = "CIP";
const MAX_TRACE = 64;

/**
 * What the CIP decoder saw in the current packet, in order (outer message first, then embedded
 * ones); reused and overwritten by every packet. Tests compare it with tshark.
 */
export const cipTrace = {
  count: 0,
  /** Service byte as sent (bit 7 set on responses). */
  service: new Int16Array(MAX_TRACE),
  classId: new Int32Array(MAX_TRACE),
  instance: new Int32Array(MAX_TRACE),
  /** General status of responses, -1 on requests. */
  status: new Int16Array(MAX_TRACE),
  /** Attribute ids of the requests: path attribute, then Get/Set Attribute List ids. */
  attributeCount: 0,
  attributes: new Int32Array(MAX_TRACE),
};

/** Forgets what the previous packet left in {@linkcode cipTrace}. */
export function resetCipTrace(): void {
  cipTrace.count = 0;
  cipTrace.attributeCount = 0;
}

function trace(service: number, classId: number, instance: number, status: number): void {
  const n = cipTrace.count;
  if (n >= MAX_TRACE) return;
  cipTrace.service[n] = service;
  cipTrace.classId[n] = classId;
  cipTrace.instance[n] = instance;
  cipTrace.status[n] = status;
  cipTrace.count = n + 1;
}

function traceAttribute(id: number): void {
  if (cipTrace.attributeCount < MAX_TRACE) cipTrace.attributes[cipTrace.attributeCount++] = id;
}

/** Port and link address of an Unconnected Send's route (e.g. backplane port 1, slot 0), or -1. */
const routed = { port: -1, link: -1 };

function isClockClass(classId: number): boolean {
  return classId === CipClass.WALL_CLOCK_TIME || classId === CipClass.TIME_SYNC;
}

/** Event fields of a request: service, name, class, instance, attribute(s), tag, how it came. */
function requestFields(service: number, attributes: string, via: string): Record<string, string | number> {
  const fields: Record<string, string | number> = {
    service,
    service_name: serviceName(service, path.classId),
  };
  if (path.classId >= 0) fields.class = path.classId;
  if (path.instance >= 0) fields.instance = path.instance;
  if (path.attribute >= 0) fields.attribute = path.attribute;
  if (attributes !== "") fields.attributes = attributes;
  if (path.tag !== "") fields.tag = path.tag;
  if (via !== "") fields.via = via;
  if (via === "unconnected_send" && routed.port >= 0) fields.route = `${routed.port},${routed.link}`;
  return fields;
}

/** Attribute ids of a Get/Set Attribute List request (Vol 1 § ): all of a Get, the first of a Set. */
function attributeList(packet: Packet, at: number, end: number, isSet: boolean): number | string {
  if (end - at < 2) return packet.fail(PROTOCOL, "attribute list shorter than its count", at);
  const view = packet.view;
  const count = view.getUint16(at, true);
  const listed = isSet ? Math.min(count, 1) : count;
  if (end - at < 2 + 2 * listed) {
    return packet.fail(PROTOCOL, "attribute list longer than the message", at, count);
  }
  let text = "";
  for (let i = 0; i < listed; i++) {
    const id = view.getUint16(at + 2 + 2 * i, true);
    traceAttribute(id);
    text = i === 0 ? String(id) : `${text},${id}`;
  }
  return text;
}

function forwardOpen(
  packet: Packet,
  out: Observer,
  service: number,
  at: number,
  end: number,
  via: string,
): number {
  const large = service === Service.LARGE_FORWARD_OPEN;
  const fixed = large ? 40 : 36;
  if (end - at < fixed) return packet.fail(PROTOCOL, "Forward Open shorter than its fixed part", at);
  const view = packet.view;
  const parameters = large ? 4 : 2;
  const o2tRpi = view.getUint32(at + 22, true);
  const t2oRpi = view.getUint32(at + 26 + parameters, true);
  const transport = packet.bytes[at + fixed - 2];
  const pathEnd = at + fixed + 2 * packet.bytes[at + fixed - 1];
  if (pathEnd > end) return packet.fail(PROTOCOL, "connection path longer than the message", at + fixed - 1);
  const fields = requestFields(service, "", via);
  const status = decodePath(packet, at + fixed, pathEnd);
  if (status !== Decoded.DONE) return status;
  fields.originator_vendor_id = view.getUint16(at + 12, true);
  fields.rpi_o2t_us = o2tRpi;
  fields.rpi_t2o_us = t2oRpi;
  fields.transport_class = transport & 0x0f;
  if (path.classId >= 0) fields.target_class = path.classId;
  if (path.instance >= 0) fields.target_instance = path.instance;
  if (path.connectionPoint >= 0) fields.target_connection_point = path.connectionPoint;
  out.event(packet, { type: "enip.forward_open", severity: "info", fields: { ...fields, op: "session" } });
  return Decoded.DONE;
}

function unconnectedSend(packet: Packet, out: Observer, at: number, end: number, depth: number): number {
  if (end - at < 4) return packet.fail(PROTOCOL, "Unconnected Send shorter than its header", at);
  const size = packet.view.getUint16(at + 2, true);
  const messageEnd = at + 4 + size;
  if (messageEnd > end) {
    return packet.fail(PROTOCOL, "embedded message longer than the Unconnected Send", at, size);
  }
  // Route path after the message (and its pad byte): a first port segment names the backplane slot.
  const routeAt = messageEnd + (size & 1);
  const bytes = packet.bytes;
  routed.port = routed.link = -1;
  if (end - routeAt >= 4 && bytes[routeAt] >= 1) {
    const segment = bytes[routeAt + 2];
    if ((segment & 0xf0) === 0 && (segment & 0x0f) !== 0x0f) {
      routed.port = segment;
      routed.link = bytes[routeAt + 3];
    }
  }
  return decodeCip(packet, out, at + 4, messageEnd, depth + 1, "unconnected_send");
}

function multipleService(packet: Packet, out: Observer, at: number, end: number, depth: number): number {
  if (end - at < 2) return packet.fail(PROTOCOL, "Multiple Service Packet without a count", at);
  const view = packet.view;
  const count = view.getUint16(at, true);
  if (end - at < 2 + 2 * count) {
    return packet.fail(PROTOCOL, "service offsets longer than the message", at, count);
  }
  for (let i = 0; i < count; i++) {
    const from = at + view.getUint16(at + 2 + 2 * i, true);
    const to = i + 1 < count ? at + view.getUint16(at + 4 + 2 * i, true) : end;
    if (from < at + 2 + 2 * count || to > end || to < from) {
      return packet.fail(PROTOCOL, "embedded service offset outside the message", at + 2 + 2 * i, from - at);
    }
    const status = decodeCip(packet, out, from, to, depth + 1, "multiple_service");
    if (status !== Decoded.DONE) return status;
  }
  return count;
}

/** Events of a request whose path is in {@linkcode path} and whose data is `at`…`end`. */
function request(
  packet: Packet,
  out: Observer,
  service: number,
  at: number,
  end: number,
  depth: number,
  via: string,
): number {
  const classId = path.classId;
  const manager = classId === CipClass.CONNECTION_MANAGER;
  if (path.attribute >= 0) traceAttribute(path.attribute);
  let severity: "info" | "notice" | "warning" | "critical" = "info";
  let type = "enip.request";
  let op = "other";
  let attributes = "";
  switch (service) {
    case Service.MULTIPLE_SERVICE: {
      if (depth >= 2) break;
      const fields = requestFields(service, "", via);
      const count = multipleService(packet, out, at, end, depth);
      if (count < 0 || packet.problem !== "") return Decoded.MALFORMED;
      out.event(packet, {
        type: "enip.multiple_service",
        severity,
        fields: { ...fields, services: count, op },
      });
      return Decoded.DONE;
    }
    case Service.UNCONNECTED_SEND:
      if (manager && depth === 0) return unconnectedSend(packet, out, at, end, depth);
      if (!manager) [type, op] = ["enip.read", "read"];
      break;
    case Service.FORWARD_OPEN:
    case Service.LARGE_FORWARD_OPEN:
      if (manager) return forwardOpen(packet, out, service, at, end, via);
      break;
    case Service.FORWARD_CLOSE:
      if (manager) [type, op] = ["enip.forward_close", "session"];
      else [type, severity, op] = ["enip.write", "notice", "write"];
      break;
    case Service.GET_ATTRIBUTE_LIST: {
      const list = attributeList(packet, at, end, false);
      if (typeof list === "number") return list;
      attributes = list;
      [type, op] = ["enip.read", "read"];
      break;
    }
    case Service.GET_ATTRIBUTES_ALL:
      if (
        classId === CipClass.IDENTITY && path.instance === 1 && (depth === 0 || via === "unconnected_send")
      ) {
        if (depth === 0) rememberIdentityRequest(-1, -1);
        else rememberIdentityRequest(routed.port, routed.link);
      }
      [type, op] = ["enip.read", "read"];
      break;
    case Service.GET_ATTRIBUTE_SINGLE:
    case Service.GET_MEMBER:
    case Service.READ_TAG:
      [type, op] = ["enip.read", "read"];
      break;
    case Service.SET_ATTRIBUTE_LIST:
    case Service.SET_ATTRIBUTES_ALL:
    case Service.SET_ATTRIBUTE_SINGLE:
    case Service.SET_MEMBER:
    case Service.WRITE_TAG:
    case Service.WRITE_TAG_FRAGMENTED: {
      if (service === Service.SET_ATTRIBUTE_LIST) {
        const list = attributeList(packet, at, end, true);
        if (typeof list === "number") return list;
        attributes = list;
      }
      if (isClockClass(classId) && service < 0x4b) {
        [type, severity, op] = ["enip.time_sync", "warning", "time_sync"];
      } else [type, severity, op] = ["enip.write", "notice", "write"];
      break;
    }
    case Service.RESET:
      [type, severity, op] = ["enip.reset", "critical", "restart"];
      break;
    case Service.START:
      [type, severity, op] = ["enip.start", "critical", "cpu_start"];
      break;
    case Service.STOP:
      [type, severity, op] = ["enip.stop", "critical", "cpu_stop"];
      break;
    case Service.CREATE:
    case Service.DELETE:
    case Service.RESTORE:
    case Service.SAVE:
      [type, severity, op] = ["enip.config_change", "warning", "config_change"];
      break;
  }
  out.event(packet, { type, severity, fields: { ...requestFields(service, attributes, via), op } });
  return Decoded.DONE;
}

function response(packet: Packet, out: Observer, at: number, end: number, depth: number): number {
  if (end - at < 4) return packet.fail(PROTOCOL, "response shorter than its header", at);
  const bytes = packet.bytes;
  const service = bytes[at] & 0x7f;
  const status = bytes[at + 2];
  const dataAt = at + 4 + 2 * bytes[at + 3];
  if (dataAt > end) return packet.fail(PROTOCOL, "additional status longer than the message", at + 3);
  trace(bytes[at], -1, -1, status);
  if (status !== 0 && status !== 0x06 && status !== 0x1e) {
    const fields: Record<string, string | number> = { service, status, op: "exception" };
    if (service < 0x4b) fields.service_name = serviceName(service, -1);
    const name = GENERAL_STATUS[status];
    if (name) fields.status_name = name;
    out.event(packet, { type: "enip.error", severity: "notice", fields });
  }
  if (
    depth === 0 && service === Service.GET_ATTRIBUTES_ALL && status === 0 && end - dataAt >= IDENTITY_FIXED
  ) {
    const prefix = takeIdentityRequest();
    if (prefix !== null) reportIdentity(packet, out, dataAt, end, prefix);
  }
  if (service === Service.MULTIPLE_SERVICE && depth < 2 && dataAt < end) {
    const count = multipleService(packet, out, dataAt, end, depth);
    if (count < 0 || packet.problem !== "") return Decoded.MALFORMED;
  }
  return Decoded.DONE;
}

/**
 * Decodes the CIP message `at`…`end` (a whole data item) and reports its events.
 *
 * @param depth 0 for a message of the encapsulation, 1 inside an Unconnected Send or a Multiple
 *   Service Packet (unwrapped once), 2 inside both
 * @param via "" or how an embedded message came ("multiple_service", "unconnected_send")
 * @returns {@linkcode Decoded.DONE} or {@linkcode Decoded.MALFORMED}
 */
export function decodeCip(
  packet: Packet,
  out: Observer,
  at: number,
  end: number,
  depth: number,
  via: string,
): number {
  if (end - at < 2) return packet.fail(PROTOCOL, "message shorter than its header", at);
  const bytes = packet.bytes;
  const service = bytes[at];
  if (service & 0x80) return response(packet, out, at, end, depth);
  const pathEnd = at + 2 + 2 * bytes[at + 1];
  if (pathEnd > end) {
    return packet.fail(PROTOCOL, "request path longer than the message", at + 1, bytes[at + 1]);
  }
  const status = decodePath(packet, at + 2, pathEnd);
  if (status !== Decoded.DONE) return status;
  trace(service, path.classId, path.instance, -1);
  return request(packet, out, service, pathEnd, end, depth, via);
}
