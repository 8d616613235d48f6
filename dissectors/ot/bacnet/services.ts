/**
 * BACnet services (ANSI/ASHRAE 135-2020 clauses 13–17, encodings of clause 21): the requests'
 * parameters that name objects and properties, and the device facts of I-Am and ReadProperty-ACK.
 *
 * | service                                         | event                                    | severity |
 * | ----------------------------------------------- | ---------------------------------------- | -------- |
 * | readProperty, readPropertyMultiple, readRange   | `bacnet.read`                            | info     |
 * | writeProperty, writePropertyMultiple            | `bacnet.write`                           | notice   |
 * | deviceCommunicationControl                      | `bacnet.device_communication_control`    | critical |
 * | reinitializeDevice                              | `bacnet.reinitialize_device`             | critical |
 * | atomicReadFile / atomicWriteFile                | `bacnet.file_read` / `bacnet.file_write` | info / warning |
 * | create/deleteObject, add/removeListElement      | `bacnet.config_change`                   | warning  |
 * | (UTC)timeSynchronization                        | `bacnet.time_sync`                       | warning  |
 * | I-Am, I-Have, Who-Is, Who-Has                   | `bacnet.i_am`, `bacnet.who_is`…          | info     |
 * | subscribeCOV, COV notifications                 | `bacnet.subscribe`, `bacnet.cov_notification` | info |
 *
 * @module
 */

import { Decoded, type Observer, type Packet } from "../../api.ts";
import {
  COMMUNICATION_STATES,
  Confirmed,
  CONFIRMED_NAMES,
  Property,
  REINITIALIZE_STATES,
  SEGMENTATION,
  Unconfirmed,
  UNCONFIRMED_NAMES,
  VENDORS,
} from "./_consts.ts";
import {
  apduTrace,
  event,
  fields,
  first,
  hasContext,
  last,
  object,
  objectTag,
  property,
  PROTOCOL,
  say,
  unsignedTag,
  value,
} from "./context.ts";
import { AppTag, closes, isTag, opens, readTag, skipConstructed, tag, tagText, tagUnsigned } from "./tags.ts";

/** ReadProperty request / ACK and the head of WriteProperty: [0] object, [1] property, [2] index. */
function objectProperty(packet: Packet, p: number, end: number): number {
  p = objectTag(packet, p, end, 0, true);
  if (p < 0) return p;
  p = unsignedTag(packet, p, end, 1, true);
  if (p < 0) return p;
  property(value.last);
  if (hasContext(packet, p, end, 2)) p = tag.next;
  return p;
}

/** ReadPropertyMultiple / WritePropertyMultiple: every object and property named. */
function propertyLists(packet: Packet, p: number, end: number, write: boolean): number {
  while (p < end) {
    p = objectTag(packet, p, end, 0, true);
    if (p < 0) return p;
    if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
    if (!opens(1)) return -packet.fail(PROTOCOL, "expected a property list", p);
    p = tag.next;
    for (;;) {
      if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
      if (closes(1)) break;
      p = unsignedTag(packet, p, end, 0, true);
      if (p < 0) return p;
      property(value.last);
      if (hasContext(packet, p, end, 1)) p = tag.next;
      if (write) {
        if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
        if (!opens(2)) return -packet.fail(PROTOCOL, "expected a property value", p);
        p = skipConstructed(packet, end);
        if (p < 0) return -packet.fail(PROTOCOL, "property value without its closing tag", tag.valueAt);
        if (hasContext(packet, p, end, 3)) p = tag.next;
      }
    }
    p = tag.next;
  }
  return p;
}

/** COV notifications: [0] process, [1] initiating device, [2] monitored object, [3] time, [4] values. */
function covNotification(packet: Packet, p: number, end: number): number {
  p = unsignedTag(packet, p, end, 0, true);
  if (p >= 0) p = objectTag(packet, p, end, 1, true);
  if (p >= 0) p = objectTag(packet, p, end, 2, true);
  if (p >= 0) p = unsignedTag(packet, p, end, 3, true);
  if (p < 0) return p;
  // The event names the monitored object, not the initiating device.
  first.type = last.type;
  first.instance = last.instance;
  if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
  if (!opens(4)) return -packet.fail(PROTOCOL, "expected a list of values", p);
  p = tag.next;
  if (hasContext(packet, p, end, 0)) property(tagUnsigned(packet));
  return p;
}

function iAm(packet: Packet, out: Observer, p: number, end: number): number {
  p = objectTag(packet, p, end, AppTag.OBJECT_IDENTIFIER, false);
  if (p < 0) return p;
  p = unsignedTag(packet, p, end, AppTag.UNSIGNED, false);
  if (p < 0) return p;
  const maxApdu = value.last;
  p = unsignedTag(packet, p, end, AppTag.ENUMERATED, false);
  if (p < 0) return p;
  const segmentation = value.last;
  p = unsignedTag(packet, p, end, AppTag.UNSIGNED, false);
  if (p < 0) return p;
  const vendor = value.last;
  if (vendor > 0xffff) return -packet.fail(PROTOCOL, "vendor identifier beyond 16 bits", tag.valueAt, vendor);
  apduTrace.vendor = vendor;
  say(packet, out, "bacnet.device_instance", String(first.instance), 90);
  say(packet, out, "ot.vendor_id", String(vendor), 90);
  const name = VENDORS[vendor];
  if (name) say(packet, out, "ot.vendor", name, 90);
  say(packet, out, "bacnet.max_apdu", String(maxApdu), 90);
  say(packet, out, "bacnet.segmentation", SEGMENTATION[segmentation] ?? String(segmentation), 90);
  say(packet, out, "bacnet.role", "server", 90);
  return p;
}

/** A device fact when `type`/`id` is a device object's name-like property and `valueAt` a character string. */
function deviceFact(
  packet: Packet,
  out: Observer,
  type: number,
  id: number,
  valueAt: number,
  end: number,
): void {
  if (type !== 8 || !readTag(packet, valueAt, end) || !isTag(AppTag.CHARACTER_STRING, false)) return;
  const text = tagText(packet);
  if (text === "") return;
  switch (id) {
    case Property.VENDOR_NAME:
      say(packet, out, "ot.vendor", text, 90);
      break;
    case Property.MODEL_NAME:
      say(packet, out, "ot.product", text, 90);
      break;
    case Property.FIRMWARE_REVISION:
      say(packet, out, "ot.firmware", text, 90);
      break;
    case Property.APPLICATION_SOFTWARE_VERSION:
      say(packet, out, "bacnet.application_software_version", text, 90);
      break;
    case Property.OBJECT_NAME:
      say(packet, out, "bacnet.device_name", text, 90);
      break;
  }
}

/** ReadProperty-ACK (clause 15.5.1.3): [0] object, [1] property, [2] index, [3] value. */
export function readPropertyAck(packet: Packet, out: Observer, p: number, end: number): number {
  p = objectProperty(packet, p, end);
  if (p < 0) return p;
  if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
  if (!opens(3)) return -packet.fail(PROTOCOL, "expected a property value", p);
  const valueAt = tag.next;
  const next = skipConstructed(packet, end);
  if (next < 0) return -packet.fail(PROTOCOL, "property value without its closing tag", p);
  deviceFact(packet, out, first.type, first.property, valueAt, end);
  return next;
}

/**
 * ReadPropertyMultiple-ACK (clause 15.7.1.3): per object, [0] object and [1] a list of results:
 * [2] property, [3] index, then [4] value or [5] error, each constructed.
 */
export function readPropertyMultipleAck(packet: Packet, out: Observer, p: number, end: number): number {
  while (p < end) {
    p = objectTag(packet, p, end, 0, true);
    if (p < 0) return p;
    if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
    if (!opens(1)) return -packet.fail(PROTOCOL, "expected a list of results", p);
    p = tag.next;
    for (;;) {
      if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
      if (closes(1)) break;
      p = unsignedTag(packet, p, end, 2, true);
      if (p < 0) return p;
      const id = value.last;
      property(id);
      if (hasContext(packet, p, end, 3)) p = tag.next;
      if (!readTag(packet, p, end)) return -packet.truncated(PROTOCOL, p);
      if (!opens(4) && !opens(5)) return -packet.fail(PROTOCOL, "expected a property value or error", p);
      const result = p;
      const valueAt = opens(4) ? tag.next : -1;
      p = skipConstructed(packet, end);
      if (p < 0) return -packet.fail(PROTOCOL, "property result without its closing tag", result);
      if (valueAt >= 0) deviceFact(packet, out, last.type, id, valueAt, end);
    }
    p = tag.next;
  }
  return p;
}

/** Optional password of DeviceCommunicationControl / ReinitializeDevice: only whether there is one. */
function passwordPresent(packet: Packet, p: number, end: number, number: number): boolean {
  return p < end && readTag(packet, p, end) && tag.number === number && tag.context;
}

export function confirmed(packet: Packet, out: Observer, service: number, p: number, end: number): number {
  let f: Record<string, string | number | boolean>;
  switch (service) {
    case Confirmed.READ_PROPERTY:
    case Confirmed.READ_RANGE:
      p = objectProperty(packet, p, end);
      if (p < 0) return -p;
      event(packet, out, "bacnet.read", "info", fields(service, CONFIRMED_NAMES, "read"));
      break;
    case Confirmed.READ_PROPERTY_MULTIPLE:
      p = propertyLists(packet, p, end, false);
      if (p < 0) return -p;
      event(packet, out, "bacnet.read", "info", fields(service, CONFIRMED_NAMES, "read"));
      break;
    case Confirmed.WRITE_PROPERTY:
      p = objectProperty(packet, p, end);
      if (p < 0) return -p;
      event(packet, out, "bacnet.write", "notice", fields(service, CONFIRMED_NAMES, "write"));
      break;
    case Confirmed.WRITE_PROPERTY_MULTIPLE:
      p = propertyLists(packet, p, end, true);
      if (p < 0) return -p;
      event(packet, out, "bacnet.write", "notice", fields(service, CONFIRMED_NAMES, "write"));
      break;
    case Confirmed.DEVICE_COMMUNICATION_CONTROL: {
      let minutes = -1;
      if (hasContext(packet, p, end, 0)) {
        minutes = tagUnsigned(packet);
        p = tag.next;
      }
      p = unsignedTag(packet, p, end, 1, true);
      if (p < 0) return -p;
      f = fields(service, CONFIRMED_NAMES, "config_change");
      f.state = COMMUNICATION_STATES[value.last] ?? String(value.last);
      if (minutes >= 0) f.duration_minutes = minutes;
      f.password_present = passwordPresent(packet, p, end, 2);
      event(packet, out, "bacnet.device_communication_control", "critical", f);
      break;
    }
    case Confirmed.REINITIALIZE_DEVICE:
      p = unsignedTag(packet, p, end, 0, true);
      if (p < 0) return -p;
      f = fields(service, CONFIRMED_NAMES, "restart");
      f.state = REINITIALIZE_STATES[value.last] ?? String(value.last);
      f.password_present = passwordPresent(packet, p, end, 1);
      event(packet, out, "bacnet.reinitialize_device", "critical", f);
      break;
    case Confirmed.ATOMIC_READ_FILE:
    case Confirmed.ATOMIC_WRITE_FILE: {
      p = objectTag(packet, p, end, AppTag.OBJECT_IDENTIFIER, false);
      if (p < 0) return -p;
      const write = service === Confirmed.ATOMIC_WRITE_FILE;
      f = fields(service, CONFIRMED_NAMES, "file_transfer");
      event(packet, out, write ? "bacnet.file_write" : "bacnet.file_read", write ? "warning" : "info", f);
      break;
    }
    case Confirmed.SUBSCRIBE_COV:
    case Confirmed.SUBSCRIBE_COV_PROPERTY:
      p = unsignedTag(packet, p, end, 0, true);
      if (p >= 0) p = objectTag(packet, p, end, 1, true);
      if (p < 0) return -p;
      event(packet, out, "bacnet.subscribe", "info", fields(service, CONFIRMED_NAMES, "subscribe"));
      break;
    case Confirmed.CONFIRMED_COV_NOTIFICATION:
      p = covNotification(packet, p, end);
      if (p < 0) return -p;
      event(packet, out, "bacnet.cov_notification", "info", fields(service, CONFIRMED_NAMES, "publish"));
      break;
    case Confirmed.CREATE_OBJECT:
    case Confirmed.DELETE_OBJECT:
    case Confirmed.ADD_LIST_ELEMENT:
    case Confirmed.REMOVE_LIST_ELEMENT:
      event(
        packet,
        out,
        "bacnet.config_change",
        "warning",
        fields(service, CONFIRMED_NAMES, "config_change"),
      );
      break;
    default:
      event(packet, out, "bacnet.request", "info", fields(service, CONFIRMED_NAMES, "other"));
  }
  return Decoded.DONE;
}

export function unconfirmed(packet: Packet, out: Observer, service: number, p: number, end: number): number {
  let f: Record<string, string | number | boolean>;
  switch (service) {
    case Unconfirmed.I_AM:
      p = iAm(packet, out, p, end);
      if (p < 0) return -p;
      f = fields(service, UNCONFIRMED_NAMES, "identify");
      f.vendor_id = apduTrace.vendor;
      event(packet, out, "bacnet.i_am", "info", f);
      break;
    case Unconfirmed.I_HAVE:
      p = objectTag(packet, p, end, AppTag.OBJECT_IDENTIFIER, false);
      if (p >= 0) p = objectTag(packet, p, end, AppTag.OBJECT_IDENTIFIER, false);
      if (p < 0) return -p;
      say(packet, out, "bacnet.device_instance", String(first.instance), 80);
      event(packet, out, "bacnet.i_have", "info", fields(service, UNCONFIRMED_NAMES, "identify"));
      break;
    case Unconfirmed.WHO_IS:
    case Unconfirmed.WHO_HAS: {
      let low = -1;
      let high = -1;
      let name = "";
      if (hasContext(packet, p, end, 0)) {
        low = tagUnsigned(packet);
        p = unsignedTag(packet, tag.next, end, 1, true);
        if (p < 0) return -p;
        high = value.last;
      }
      if (service === Unconfirmed.WHO_HAS) {
        if (!readTag(packet, p, end)) return packet.truncated(PROTOCOL, p);
        if (isTag(2, true) && tag.length === 4) object(packet);
        else if (isTag(3, true)) name = tagText(packet);
        else return packet.fail(PROTOCOL, "Who-Has names neither an object nor a name", p);
      }
      f = fields(service, UNCONFIRMED_NAMES, "identify");
      if (low >= 0) [f.low_limit, f.high_limit] = [low, high];
      if (name !== "") f.object_name = name;
      event(packet, out, service === Unconfirmed.WHO_IS ? "bacnet.who_is" : "bacnet.who_has", "info", f);
      break;
    }
    case Unconfirmed.TIME_SYNCHRONIZATION:
    case Unconfirmed.UTC_TIME_SYNCHRONIZATION:
      event(packet, out, "bacnet.time_sync", "warning", fields(service, UNCONFIRMED_NAMES, "time_sync"));
      break;
    case Unconfirmed.COV_NOTIFICATION:
      p = covNotification(packet, p, end);
      if (p < 0) return -p;
      event(packet, out, "bacnet.cov_notification", "info", fields(service, UNCONFIRMED_NAMES, "publish"));
      break;
    case Unconfirmed.WRITE_GROUP:
      event(packet, out, "bacnet.write_group", "notice", fields(service, UNCONFIRMED_NAMES, "write"));
      break;
    default:
      event(packet, out, "bacnet.unconfirmed_request", "info", fields(service, UNCONFIRMED_NAMES, "other"));
  }
  return Decoded.DONE;
}
