/**
 * PROFINET DCP (IEC 61158-6-10 §4.3, PROFINET IO specification "DCP") on PROFINET RT, EtherType
 * 0x8892. The wire layout is drawn in `_reader.ts`. Only the DCP frame ids 0xFEFC–0xFEFF are
 * decoded; cyclic RT data (frame ids 0x0100–0xFBFF) marks the sender `profinet.rt_io`, alarms and
 * other frame ids are left alone.
 *
 * | observation                | about     | when                                                         |
 * | -------------------------- | --------- | ------------------------------------------------------------ |
 * | `profinet_dcp.role`        | src       | `controller` (Identify/Get/Set request), `device` (response, Hello) |
 * | `ot.station_name`, `hostname`, `ot.product`, `ot.vendor_id`, `ot.vendor`, `profinet_dcp.device_id`, `profinet_dcp.device_role`, `profinet_dcp.device_instance`, `profinet_dcp.ip`, `profinet_dcp.netmask`, `profinet_dcp.gateway` | src | blocks of an Identify/Get response or Hello |
 * | `profinet_dcp.identify` info (op identify)        | src       | Identify request (fields: filter, name_of_station)   |
 * | `profinet_dcp.get` info (op read)                 | src       | Get request                                          |
 * | `profinet_dcp.set` warning (op config_change)     | dst       | each Set request block (fields: what, name_of_station / ip, netmask, gateway); factory reset is critical |
 * | `profinet_dcp.set_refused` notice (op exception)  | src       | Set response whose Control/Response block has an error |
 * | `profinet_dcp.hello` info (op identify)           | src       | Hello request                                        |
 *
 * The responder's own IP (IP block) is reported as the identity `profinet_dcp.ip` and not as a
 * MAC↔IP sighting: the plugin API has no sighting source for DCP.
 *
 * @module
 */

import { Decoded, decodeText, type Dissector, type Observer, type Packet } from "../../api.ts";
import { formatIpv4 } from "../../../model/address.ts";
import { DcpReader, FrameId, OK, Option, Service, ServiceType, TRUNCATED } from "./_reader.ts";

const PROTOCOL = "PROFINET DCP";
/** EtherType of PROFINET RT (IEC 61158-6-10). */
export const PROFINET_ETHERTYPE = 0x8892;

/** PROFINET vendor ids (PI vendor list) mapped to names: only ids whose owner is certain. */
const VENDORS: Record<number, string> = { 0x002a: "Siemens" };
const ROLE_NAMES = ["device", "controller", "multidevice", "supervisor"];

const reader = new DcpReader();

function hex4(value: number): string {
  return `0x${value.toString(16).padStart(4, "0")}`;
}

function roleList(bits: number): string {
  let roles = "";
  for (let i = 0; i < ROLE_NAMES.length; i++) {
    if (bits & (1 << i)) roles += roles === "" ? ROLE_NAMES[i] : `,${ROLE_NAMES[i]}`;
  }
  return roles === "" ? "none" : roles;
}

function say(packet: Packet, out: Observer, key: string, value: string, confidence = 90): void {
  if (value !== "") out.identity(packet, "src", { key, value, confidence });
}

/** Identities stated by a device about itself (Identify/Get response, Hello). */
function reportDeviceBlock(packet: Packet, out: Observer): void {
  const r = reader;
  const bytes = packet.bytes;
  const view = packet.view;
  const at = r.valueAt;
  const length = r.valueLength;
  if (r.option === Option.IP && r.suboption === 2 && length >= 12) {
    const ip = view.getUint32(at);
    if (ip !== 0) {
      say(packet, out, "profinet_dcp.ip", formatIpv4(ip));
      say(packet, out, "profinet_dcp.netmask", formatIpv4(view.getUint32(at + 4)));
      say(packet, out, "profinet_dcp.gateway", formatIpv4(view.getUint32(at + 8)));
    }
  } else if (r.option !== Option.DEVICE) {
    return;
  } else if (r.suboption === 1) {
    say(packet, out, "ot.product", decodeText(bytes, at, length));
  } else if (r.suboption === 2) {
    const name = decodeText(bytes, at, length);
    say(packet, out, "ot.station_name", name);
    if (/^[a-z0-9][a-z0-9.-]*$/i.test(name)) say(packet, out, "hostname", name.toLowerCase(), 50);
  } else if (r.suboption === 3 && length >= 4) {
    const vendor = view.getUint16(at);
    say(packet, out, "ot.vendor_id", hex4(vendor));
    say(packet, out, "profinet_dcp.device_id", hex4(view.getUint16(at + 2)));
    if (VENDORS[vendor]) say(packet, out, "ot.vendor", VENDORS[vendor]);
  } else if (r.suboption === 4 && length >= 1) {
    say(packet, out, "profinet_dcp.device_role", roleList(bytes[at]));
  } else if (r.suboption === 7 && length >= 2) {
    say(packet, out, "profinet_dcp.device_instance", `${bytes[at]}.${bytes[at + 1]}`);
  }
}

/** One Set request block: an event about the device being configured. */
function reportSetBlock(packet: Packet, out: Observer): void {
  const r = reader;
  const at = r.valueAt;
  const fields: Record<string, string | number | boolean> = {};
  let severity: "warning" | "critical" = "warning";
  if (r.option === Option.CONTROL && (r.suboption === 1 || r.suboption === 2)) return; // start/end transaction
  if (r.option === Option.IP && r.suboption === 2 && r.valueLength >= 12) {
    fields.what = "ip";
    fields.ip = formatIpv4(packet.view.getUint32(at));
    fields.netmask = formatIpv4(packet.view.getUint32(at + 4));
    fields.gateway = formatIpv4(packet.view.getUint32(at + 8));
  } else if (r.option === Option.DEVICE && r.suboption === 2) {
    fields.what = "name_of_station";
    fields.name_of_station = decodeText(packet.bytes, at, r.valueLength);
  } else if (r.option === Option.CONTROL && r.suboption === 3) {
    fields.what = "signal";
  } else if (r.option === Option.CONTROL && (r.suboption === 5 || r.suboption === 6)) {
    fields.what = "factory_reset";
    severity = "critical";
  } else if (r.option === Option.DHCP) {
    fields.what = "dhcp";
  } else {
    fields.what = "other";
    fields.option = r.option;
    fields.suboption = r.suboption;
  }
  fields.op = "config_change";
  out.event(packet, { type: "profinet_dcp.set", severity, about: "dst", fields });
}

function decodeDcp(packet: Packet, out: Observer, at: number): number {
  const r = reader;
  const status = r.header(packet.bytes, packet.view, at, packet.end);
  if (status === TRUNCATED) return packet.truncated(PROTOCOL, r.problemAt);
  if (status !== OK) return packet.fail(PROTOCOL, status, r.problemAt, r.problemValue);
  const request = r.serviceType === ServiceType.REQUEST;
  const fromDevice = !request || r.serviceId === Service.HELLO;
  out.identity(packet, "src", {
    key: "profinet_dcp.role",
    value: fromDevice ? "device" : "controller",
    confidence: fromDevice ? 80 : 70,
  });
  let filter = "";
  let nameFilter = "";
  let stationName = "";
  for (;;) {
    const problem = r.next();
    if (problem !== OK) return packet.fail(PROTOCOL, problem, r.problemAt, r.problemValue);
    if (r.option < 0) break;
    if (fromDevice) {
      if (r.serviceType === ServiceType.SUCCESS || r.serviceId === Service.HELLO) {
        reportDeviceBlock(packet, out);
      }
      if (r.option === Option.DEVICE && r.suboption === 2) {
        stationName = decodeText(packet.bytes, r.valueAt, r.valueLength);
      }
      if (
        r.serviceId === Service.SET && r.option === Option.CONTROL && r.suboption === 4 &&
        r.valueLength >= 3 &&
        packet.bytes[r.valueAt + 2] !== 0
      ) {
        out.event(packet, {
          type: "profinet_dcp.set_refused",
          severity: "notice",
          fields: {
            op: "exception",
            option: packet.bytes[r.valueAt],
            suboption: packet.bytes[r.valueAt + 1],
            error: packet.bytes[r.valueAt + 2],
          },
        });
      }
    } else if (r.serviceId === Service.SET) {
      reportSetBlock(packet, out);
    } else if (r.serviceId === Service.IDENTIFY && filter === "") {
      if (r.option === Option.ALL) filter = "all";
      else if (r.option === Option.DEVICE && r.suboption === 2) {
        filter = "name_of_station";
        nameFilter = decodeText(packet.bytes, r.valueAt, r.valueLength);
      } else if (r.option === Option.DEVICE && r.suboption === 6) filter = "alias_name";
      else if (r.option === Option.DEVICE && r.suboption === 3) filter = "device_id";
      else if (r.option === Option.DEVICE && r.suboption === 1) filter = "type_of_station";
      else if (r.option === Option.DEVICE && r.suboption === 4) filter = "device_role";
      else filter = "other";
    }
  }
  if (request && r.serviceId === Service.IDENTIFY) {
    const fields: Record<string, string> = { op: "identify", filter: filter === "" ? "all" : filter };
    if (nameFilter !== "") fields.name_of_station = nameFilter;
    out.event(packet, { type: "profinet_dcp.identify", severity: "info", fields });
  } else if (request && r.serviceId === Service.GET) {
    out.event(packet, { type: "profinet_dcp.get", severity: "info", about: "dst", fields: { op: "read" } });
  } else if (r.serviceId === Service.HELLO && request) {
    const fields: Record<string, string> = { op: "identify" };
    if (stationName !== "") fields.name_of_station = stationName;
    out.event(packet, { type: "profinet_dcp.hello", severity: "info", fields });
  }
  return Decoded.DONE;
}

/** PROFINET DCP dissector, reached from the EtherType table (0x8892). */
export const profinetDcp: Dissector = {
  name: "profinet_dcp",
  title: "PROFINET Discovery and basic Configuration Protocol (IEC 61158-6-10)",
  registration: { tables: { ethertype: [PROFINET_ETHERTYPE] } },
  decode(packet, out) {
    const at = packet.offset;
    if (packet.end - at < 2) return packet.truncated(PROTOCOL, at);
    const frameId = packet.view.getUint16(at);
    if (frameId >= FrameId.HELLO && frameId <= FrameId.IDENTIFY_RESPONSE) {
      return decodeDcp(packet, out, at + 2);
    }
    if (frameId >= 0x0100 && frameId <= 0xfbff) {
      // Cyclic real-time IO data (RT_CLASS_1/2/3): the sender exchanges process data.
      out.identity(packet, "src", { key: "profinet.rt_io", value: "true", confidence: 60 });
    }
    return Decoded.DONE;
  },
};
