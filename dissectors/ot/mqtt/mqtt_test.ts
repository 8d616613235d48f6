import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { flushOfCapture, testEngine } from "../../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import {
  captureFrames,
  eventLines,
  frame,
  fuzzDissectors,
  otEngine,
  toClient,
  toServer,
} from "../_testing.ts";
import { MqttReader, OK, PacketType } from "./_reader.ts";
import { decodeText } from "../../text.ts";
import { MQTT_DISSECTORS } from "./mod.ts";

function str(s: string): number[] {
  return [s.length >> 8, s.length & 0xff, ...[...s].map((c) => c.charCodeAt(0))];
}

function packet(first: number, body: number[]): number[] {
  const length: number[] = [];
  let n = body.length;
  do {
    length.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return [first, ...length, ...body];
}

const PASSWORD = "hunter2-Secret";
const CONNECT = packet(0x10, [
  ...str("MQTT"),
  4,
  0xc6, // username, password, will, clean session
  0,
  60,
  ...str("sensor-17"),
  ...str("plant/status"),
  ...str("offline"),
  ...str("operator"),
  ...str(PASSWORD),
]);
const CONNACK_REFUSED = packet(0x20, [0, 5]);
const PUBLISH = packet(0x33, [...str("plant/line1/temp"), 0, 7, ...str("21.5")]);
const SUBSCRIBE = packet(0x82, [0, 1, ...str("plant/#"), 1, ...str("alarms/+"), 0]);
const SUBSCRIBE_V5 = packet(0x82, [0, 2, 2, 0x0b, 1, ...str("v5/topic"), 2]);
const BUILT = [
  frame("tcp", toServer(1883), Uint8Array.from(CONNECT)),
  frame("tcp", toClient(1883), Uint8Array.from(CONNACK_REFUSED)),
  frame("tcp", toServer(1883), Uint8Array.from([...PUBLISH, ...SUBSCRIBE, 0xc0, 0])),
  frame("tcp", toServer(1883), Uint8Array.from(SUBSCRIBE_V5)),
];

Deno.test("mqtt reports a CONNECT without ever storing the username or password", () => {
  const record = otEngine(MQTT_DISSECTORS, BUILT[0], BUILT[1]).flush();
  const flush = JSON.stringify(record);
  ok(!flush.includes(PASSWORD), "the password is in the flush");
  ok(!flush.includes("operator"), "the username is in the flush");
  deepStrictEqual(eventLines(record), [
    'mqtt.connect info 10.0.0.10>10.0.0.20 {"op":"session","protocol_version":"3.1.1","username_present":true,"password_present":true,"will_topic":"plant/status"}',
    'mqtt.cleartext_password notice 10.0.0.10>10.0.0.20 {"op":"session"}',
    'mqtt.connect_refused notice 10.0.0.20>10.0.0.10 {"op":"exception","return_code":5}',
  ]);
  // The built frames keep one MAC pair whatever the direction: de-duplicate by IP.
  const client = [
    ...new Set(record.identities.filter((i) => i.ip === "10.0.0.10").map((i) => `${i.key}=${i.value}`)),
  ].sort();
  deepStrictEqual(client, [
    "mqtt.client_id=sensor-17",
    "mqtt.protocol_version=3.1.1",
    "mqtt.role=client",
    "mqtt.username_present=true",
  ]);
  ok(record.identities.some((i) => i.ip === "10.0.0.20" && i.key === "mqtt.role" && i.value === "broker"));
});

Deno.test("mqtt reads several packets per segment: publish topic, subscribe filters (3.1.1 and 5.0)", () => {
  const record = otEngine(MQTT_DISSECTORS, BUILT[2], BUILT[3]).flush();
  deepStrictEqual(record.events.map((e) => `${e.type} ${e.severity} ${JSON.stringify(e.fields)}`), [
    'mqtt.publish info {"op":"publish","topic":"plant/line1/temp","qos":1,"retain":true}',
    'mqtt.subscribe info {"op":"subscribe","topic":"plant/#","qos":1}',
    'mqtt.subscribe info {"op":"subscribe","topic":"alarms/+","qos":0}',
    'mqtt.subscribe info {"op":"subscribe","topic":"v5/topic","qos":2}',
  ]);
  ok(!JSON.stringify(record).includes("21.5"), "a payload is in the flush");
  strictEqual(record.stats.malformed, 0);
});

Deno.test("mqtt refuses bad whole packets and leaves segments that start inside a packet alone", () => {
  const longLength = frame("tcp", toServer(1883), Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
  const badName = frame(
    "tcp",
    toServer(1883),
    Uint8Array.from(packet(0x10, [...str("MQTX"), 4, 0, 0, 60, 0, 0])),
  );
  const badTopic = frame("tcp", toServer(1883), Uint8Array.from(packet(0x30, [0, 40, 1, 2])));
  const engine = testEngine(MQTT_DISSECTORS);
  for (const f of [longLength, badName, badTopic]) engine.dissectFrame(f);
  strictEqual(engine.stats.malformed, 2);
  // The tail of a large PUBLISH payload: bytes that look like a header of a packet past the segment.
  engine.dissectFrame(
    frame("tcp", toServer(1883), Uint8Array.from([0x30, 0x05, 0xff, 0xff, 0x41, 0x42, 0x43, 0x30])),
  );
  engine.dissectFrame(frame("tcp", toServer(1883), Uint8Array.from(PUBLISH.slice(0, 8))));
  strictEqual(engine.stats.malformed, 2);
  strictEqual(engine.flush().events.length, 0);
});

Deno.test({
  name: `mqtt matches tshark on every frame of the shared capture${notes(SHARED_PCAPS, TSHARK)}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const name = "mqtt_connect_pubsub.pcap";
    const rows = await tsharkFields(
      sharedCapture(name),
      [
        "frame.number",
        "mqtt.msgtype",
        "mqtt.clientid",
        "mqtt.topic",
        "mqtt.conflag.uname",
        "mqtt.conflag.passwd",
        "mqtt.conack.val",
        "mqtt.ver",
        "mqtt.qos",
        "mqtt.retain",
        "mqtt.sub.qos",
      ],
      "mqtt",
    );
    const frames = await captureFrames(name);
    const engine = testEngine();
    const reader = new MqttReader();
    for (
      const [[n], types, clientIds, topics, unames, passwords, acks, versions, qos, retains, subQos] of rows
    ) {
      const f = frames[Number(n) - 1];
      const p = engine.dissectFrame(f);
      const view = new DataView(f.buffer, f.byteOffset);
      const got = {
        types: [] as string[],
        clientIds: [] as string[],
        topics: [] as string[],
        unames: [] as string[],
        passwords: [] as string[],
        acks: [] as string[],
        versions: [] as string[],
        qos: [] as string[],
        retains: [] as string[],
        subQos: [] as string[],
      };
      const end = p.payloadOffset + p.payloadLength;
      for (let at = p.payloadOffset; at < end; at = reader.pduEnd) {
        strictEqual(reader.read(f, view, at, end), OK, `frame ${n}`);
        ok(reader.complete);
        got.types.push(String(reader.type));
        if (reader.type === PacketType.CONNECT) {
          got.clientIds.push(decodeText(f, reader.clientIdAt, reader.clientIdLength));
          got.unames.push(reader.connectFlags & 0x80 ? "1" : "0");
          got.passwords.push(reader.connectFlags & 0x40 ? "1" : "0");
          got.versions.push(String(reader.level));
        }
        if (reader.type === PacketType.CONNACK) got.acks.push(String(reader.returnCode));
        // tshark shows the header QoS and retain of PUBLISH, and the header QoS bits of SUBSCRIBE.
        if (reader.type === PacketType.PUBLISH) {
          got.topics.push(decodeText(f, reader.topicAt, reader.topicLength));
          got.qos.push(String((reader.flags >> 1) & 3));
          got.retains.push(String(reader.flags & 1));
        }
        if (reader.type === PacketType.SUBSCRIBE) {
          got.qos.push(String((reader.flags >> 1) & 3));
          for (reader.nextFilter(); reader.filterAt >= 0; reader.nextFilter()) {
            got.topics.push(decodeText(f, reader.filterAt, reader.filterLength));
            got.subQos.push(String(reader.filterOptions & 3));
          }
        }
      }
      // tshark shows connect flags as 0/1 booleans ("True"/"False" in older versions).
      const bool = (v: string[]) => v.map((x) => (x === "True" || x === "1" ? "1" : "0"));
      deepStrictEqual(got, {
        types,
        clientIds,
        topics,
        unames: bool(unames),
        passwords: bool(passwords),
        acks,
        versions,
        qos,
        retains,
        subQos,
      }, `frame ${n}`);
    }
    strictEqual(rows.length, 19);

    const record = await flushOfCapture(sharedCapture(name), MQTT_DISSECTORS);
    strictEqual(record.stats.malformed, 0, String(record.stats.problems));
    const count = (type: string) =>
      record.events.filter((e) => e.type === type).reduce((s, e) => s + e.count, 0);
    strictEqual(count("mqtt.connect"), 2);
    strictEqual(count("mqtt.subscribe"), 1);
    strictEqual(count("mqtt.publish"), 3);
    strictEqual(count("mqtt.connect_refused"), 0);
    ok(record.events.every((e) => e.type !== "mqtt.publish" || e.fields.topic === "SampleTopic"));
    const ids = record.identities.filter((i) => i.key === "mqtt.client_id").map((i) => i.value).sort();
    deepStrictEqual(ids, ["paho/34AAE54A75D839566E", "paho/DDE4DDAF4108D3E363"]);
  },
});

Deno.test(`mqtt survives truncation and 100 000 seeded mutations${SHARED_PCAPS.skip ? ` (built frames only: skipped ${SHARED_PCAPS.missing})` : ""}`, async () => {
  const real = SHARED_PCAPS.skip ? [] : await captureFrames("mqtt_connect_pubsub.pcap", [1, 2, 3, 4, 5, 9]);
  const report = fuzzDissectors({
    dissectors: MQTT_DISSECTORS,
    bases: [...real, ...BUILT],
    rounds: 100_000,
    seed: 1883,
  });
  ok(report.malformedBy.mqtt > 0, JSON.stringify(report));
  console.log(JSON.stringify(report));
});
