/**
 * MQTT 3.1, 3.1.1 and 5.0 (OASIS MQTT 3.1.1 §2–3, MQTT 5.0 §2–3) on TCP port 1883 (8883 is TLS
 * and not decoded here). The wire layout is drawn in `_reader.ts`. Several control packets in one
 * segment are read; one that continues in the next segment is joined by the engine. Problems
 * count as malformed only in a segment made of whole packets (fixed headers and Remaining Lengths
 * ending exactly at the segment's end): a segment starting inside a packet is not ours to judge.
 * Passwords, usernames and payloads are never read into observations: only their presence.
 *
 * | observation                                                  | about  | when                         |
 * | ------------------------------------------------------------ | ------ | ---------------------------- |
 * | `mqtt.role` = `client` / `broker` (the port 1883 side)       | both   | every packet                 |
 * | `mqtt.client_id`, `mqtt.protocol_version`, `mqtt.username_present` | client | CONNECT                  |
 * | `mqtt.connect` info (op session; protocol_version, username_present, password_present, will_topic) | client | CONNECT |
 * | `mqtt.cleartext_password` notice (op session)                | client | CONNECT with a password      |
 * | `mqtt.connect_refused` notice (op exception; return_code)    | broker | CONNACK with a non-zero code |
 * | `mqtt.publish` info (op publish; topic, qos, retain)         | src    | PUBLISH                      |
 * | `mqtt.subscribe` info (op subscribe; topic, qos)             | client | each SUBSCRIBE topic filter  |
 * | `mqtt.unsubscribe` info (op subscribe; topic)                | client | each UNSUBSCRIBE topic filter |
 *
 * @module
 */

import { Decoded, decodeText, type Dissector, type Observer, type Packet } from "../../api.ts";
import { ConnectFlag, MqttReader, NOT_HEADER, OK, PacketType } from "./_reader.ts";

const PROTOCOL = "MQTT";
/** IANA port of MQTT without TLS. */
export const MQTT_PORT = 1883;
const VERSIONS = ["", "", "", "3.1", "3.1.1", "5.0"];
/** Most topic filters reported per SUBSCRIBE/UNSUBSCRIBE. */
const MAX_FILTERS = 32;

const reader = new MqttReader();

/** A UTF-8 string of the packet (MQTT 3.1.1 1.5.3) by the project's text rule. */
function text(packet: Packet, at: number, length: number): string {
  return decodeText(packet.bytes, at, length);
}

function reportConnect(packet: Packet, out: Observer): void {
  const r = reader;
  const version = VERSIONS[r.level];
  const flags = r.connectFlags;
  const clientId = text(packet, r.clientIdAt, r.clientIdLength);
  if (clientId) out.identity(packet, "src", { key: "mqtt.client_id", value: clientId, confidence: 80 });
  out.identity(packet, "src", { key: "mqtt.protocol_version", value: version, confidence: 80 });
  out.identity(packet, "src", {
    key: "mqtt.username_present",
    value: flags & ConnectFlag.USERNAME ? "true" : "false",
    confidence: 80,
  });
  const fields: Record<string, string | boolean> = {
    op: "session",
    protocol_version: version,
    username_present: (flags & ConnectFlag.USERNAME) !== 0,
    password_present: (flags & ConnectFlag.PASSWORD) !== 0,
  };
  if (r.willTopicAt >= 0) {
    fields.will_topic = text(packet, r.willTopicAt, r.willTopicLength);
  }
  out.event(packet, { type: "mqtt.connect", severity: "info", fields });
  if (flags & ConnectFlag.PASSWORD) {
    out.event(packet, { type: "mqtt.cleartext_password", severity: "notice", fields: { op: "session" } });
  }
}

function reportFilters(packet: Packet, out: Observer): void {
  const r = reader;
  const subscribe = r.type === PacketType.SUBSCRIBE;
  for (let n = 0; n < MAX_FILTERS; n++) {
    r.nextFilter();
    if (r.filterAt < 0) break;
    const topic = text(packet, r.filterAt, r.filterLength);
    if (subscribe) {
      out.event(packet, {
        type: "mqtt.subscribe",
        severity: "info",
        fields: { op: "subscribe", topic, qos: r.filterOptions & 0x03 },
      });
    } else {
      out.event(packet, { type: "mqtt.unsubscribe", severity: "info", fields: { op: "subscribe", topic } });
    }
  }
}

/** Reports the complete packet just read. */
function report(packet: Packet, out: Observer): void {
  const r = reader;
  const type = r.type;
  if (type === PacketType.CONNECT) reportConnect(packet, out);
  else if (type === PacketType.CONNACK && r.returnCode > 0) {
    out.event(packet, {
      type: "mqtt.connect_refused",
      severity: "notice",
      fields: { op: "exception", return_code: r.returnCode },
    });
  } else if (type === PacketType.PUBLISH) {
    const topic = text(packet, r.topicAt, r.topicLength);
    out.event(packet, {
      type: "mqtt.publish",
      severity: "info",
      fields: { op: "publish", topic, qos: (r.flags >> 1) & 0x03, retain: (r.flags & 0x01) !== 0 },
    });
  } else if (type === PacketType.SUBSCRIBE || type === PacketType.UNSUBSCRIBE) {
    reportFilters(packet, out);
  }
}

/** True when the client sends this packet (to the broker), from the type or the ports. */
function fromClient(packet: Packet, type: number): boolean {
  if (type === PacketType.CONNECT || type === PacketType.SUBSCRIBE || type === PacketType.UNSUBSCRIBE) {
    return true;
  }
  if (type === PacketType.CONNACK || type === PacketType.SUBACK || type === PacketType.UNSUBACK) return false;
  if (type === PacketType.PINGREQ) return true;
  if (type === PacketType.PINGRESP) return false;
  return packet.dstPort === MQTT_PORT || (packet.srcPort !== MQTT_PORT && packet.dstPort < packet.srcPort);
}

/** True when fixed headers and Remaining Lengths from `at` end exactly at `end` (whole packets only). */
function tiles(bytes: Uint8Array, at: number, end: number): boolean {
  while (at < end) {
    let length = 0;
    let pos = at + 1;
    for (let i = 0;; i++) {
      if (i === 4 || pos >= end) return false;
      const b = bytes[pos++];
      length += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) break;
    }
    at = pos + length;
  }
  return at === end;
}

/** MQTT dissector (TCP 1883). */
export const mqtt: Dissector = {
  name: "mqtt",
  title: "MQTT (OASIS MQTT 3.1.1 / 5.0)",
  registration: { tables: { "tcp.port": [MQTT_PORT] } },
  decode(packet, out) {
    const bytes = packet.bytes;
    const end = packet.payloadOffset + packet.payloadLength;
    let at = packet.payloadOffset;
    let roles = false;
    // Judge content only when the segment is whole packets: one starting inside a packet is not ours to judge.
    const aligned = tiles(bytes, at, end);
    while (at < end) {
      const status = reader.read(bytes, packet.view, at, end);
      if (status !== OK) {
        if (!aligned) return Decoded.DONE;
        if (status === NOT_HEADER) {
          return packet.fail(PROTOCOL, "invalid fixed header", reader.problemAt, reader.problemValue);
        }
        return packet.fail(PROTOCOL, status, reader.problemAt, reader.problemValue);
      }
      if (!reader.complete) {
        // The packet continues in the next segments (the engine joins them), or the capture cut it.
        if (packet.caplen < packet.wirelen) break;
        return packet.desegment(at, reader.length < 0 ? 0 : reader.pduEnd - at);
      }
      if (!roles) {
        const client = fromClient(packet, reader.type);
        out.identity(packet, "src", {
          key: "mqtt.role",
          value: client ? "client" : "broker",
          confidence: 80,
        });
        out.identity(packet, "dst", {
          key: "mqtt.role",
          value: client ? "broker" : "client",
          confidence: 80,
        });
        roles = true;
      }
      report(packet, out);
      at = reader.pduEnd;
    }
    return Decoded.DONE;
  },
};
