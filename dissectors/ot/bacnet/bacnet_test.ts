import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { eventLines, identityLines, otEngine } from "../_testing.ts";
import { BACNET_DISSECTORS } from "./mod.ts";
import { bacnetEthernet, bacnetIp, bvll, confirmedRequest, iAm, npdu, objectId } from "./_test_frames.ts";

function flushOf(...frames: Uint8Array[]) {
  const record = otEngine(BACNET_DISSECTORS, ...frames).flush();
  strictEqual(record.stats.malformed, 0, String(record.stats.problems));
  return record;
}

Deno.test("bacnet: ReinitializeDevice is a critical restart from the client to the device", () => {
  // [0] reinitializedStateOfDevice = warmstart (1), [1] password "abc" (presence only).
  const request = confirmedRequest(20, [0x09, 0x01, 0x1c, 0x00, 0x61, 0x62, 0x63]);
  const record = flushOf(bacnetIp(bvll(0x0a, npdu(request, true))));
  deepStrictEqual(eventLines(record), [
    'bacnet.reinitialize_device critical 10.0.0.10>10.0.0.20 {"service":20,"service_name":"reinitializeDevice","op":"restart","state":"warmstart","password_present":true}',
  ]);
  deepStrictEqual(identityLines(record), ["10.0.0.10 bacnet.role=client"]);
});

Deno.test("bacnet: WriteProperty is a write notice naming object and property", () => {
  // analog-value 5, present-value (85), value REAL 21.5, priority 8.
  const data = [0x0c, ...objectId(2, 5), 0x19, 0x55, 0x3e, 0x44, 0x41, 0xac, 0, 0, 0x3f, 0x49, 0x08];
  const record = flushOf(bacnetIp(bvll(0x0a, npdu(confirmedRequest(15, data), true))));
  deepStrictEqual(eventLines(record), [
    'bacnet.write notice 10.0.0.10>10.0.0.20 {"service":15,"service_name":"writeProperty","op":"write","object_type":"analog-value","object_instance":5,"property":"present-value"}',
  ]);
});

Deno.test("bacnet: DeviceCommunicationControl disable is critical and never reports the password", () => {
  const request = confirmedRequest(17, [0x09, 60, 0x19, 0x01, 0x2d, 0x05, 0x00, 0x73, 0x65, 0x63, 0x72]);
  const lines = eventLines(flushOf(bacnetIp(bvll(0x0a, npdu(request, true)))));
  deepStrictEqual(lines, [
    'bacnet.device_communication_control critical 10.0.0.10>10.0.0.20 {"service":17,"service_name":"deviceCommunicationControl","op":"config_change","state":"disable","duration_minutes":60,"password_present":true}',
  ]);
  ok(!lines[0].includes("secr"));
});

Deno.test("bacnet: an I-Am behind a router is a child of the router's address", () => {
  // SNET 2001, SADR 0a0b: device 1234 of Johnson Controls (5).
  const routed = [1, 0x08, 0x07, 0xd1, 2, 0x0a, 0x0b, ...iAm(1234, 5)];
  const record = flushOf(bacnetIp(bvll(0x0b, routed)));
  deepStrictEqual(identityLines(record), [
    "10.0.0.10 bacnet.router=true",
    "10.0.0.10 child/bacnet.device/2001:0a0b/bacnet.device_instance=1234",
    "10.0.0.10 child/bacnet.device/2001:0a0b/bacnet.max_apdu=480",
    "10.0.0.10 child/bacnet.device/2001:0a0b/bacnet.role=server",
    "10.0.0.10 child/bacnet.device/2001:0a0b/bacnet.segmentation=segmented-both",
    "10.0.0.10 child/bacnet.device/2001:0a0b/ot.vendor=Johnson Controls, Inc.",
    "10.0.0.10 child/bacnet.device/2001:0a0b/ot.vendor_id=5",
  ]);
});

Deno.test("bacnet: a Forwarded-NPDU's I-Am is about the original source", () => {
  const body = [192, 168, 5, 9, 0xba, 0xc0, ...npdu(iAm(77, 8))];
  const record = flushOf(bacnetIp(bvll(0x04, body)));
  ok(identityLines(record).includes("192.168.5.9 bacnet.device_instance=77"), String(identityLines(record)));
  ok(identityLines(record).includes("192.168.5.9 ot.vendor=Delta Controls"));
});

Deno.test("bacnet: BACnet/Ethernet frames are bounded by the 802.3 length, not the padding", () => {
  const whoIs = [0x10, 0x08, 0x09, 0x3d, 0x19, 0x3d];
  const record = flushOf(bacnetEthernet(npdu(whoIs)));
  deepStrictEqual(eventLines(record), [
    'bacnet.who_is info 02:00:00:00:00:33>ff:ff:ff:ff:ff:ff {"service":8,"service_name":"who-Is","op":"identify","low_limit":61,"high_limit":61}',
  ]);
});

Deno.test("bacnet: time synchronization is a warning; a ReadProperty-ACK of the model name is the product", () => {
  const sync = [0x10, 0x06, 0xa4, 0x7a, 0x0b, 0x16, 0x07, 0xb4, 0x0b, 0x0f, 0x00, 0x00];
  const ack = [
    0x30,
    0x01,
    0x0c,
    0x0c,
    ...objectId(8, 9),
    0x19,
    70,
    0x3e,
    0x75,
    0x06,
    0x00,
    0x4d,
    0x2d,
    0x42,
    0x75,
    0x73,
    0x3f,
  ];
  const record = flushOf(bacnetIp(bvll(0x0b, npdu(sync))), bacnetIp(bvll(0x0a, npdu(ack))));
  ok(eventLines(record)[0].startsWith("bacnet.time_sync warning 10.0.0.10>10.0.0.20"));
  ok(identityLines(record).includes("10.0.0.10 ot.product=M-Bus"), String(identityLines(record)));
});

Deno.test("bacnet: impossible values are malformed, a cut datagram of a snapped capture is truncated", () => {
  const engine = otEngine(BACNET_DISSECTORS);
  engine.dissectFrame(bacnetIp(bvll(0x0a, [1, 0x00, 0x90, 0x00]))); // reserved APDU type 9
  engine.dissectFrame(bacnetIp(bvll(0x0a, [1, 0x08, 0x00, 0x01, 0x00, 0x10, 0x08]))); // SLEN 0
  const whole = bacnetIp(bvll(0x0a, npdu(confirmedRequest(12, [0x0c, ...objectId(0, 1), 0x19, 0x55]))));
  engine.dissectFrame(whole.subarray(0, whole.length - 3), { wirelen: whole.length });
  const record = engine.flush();
  strictEqual(record.stats.malformed, 2, String(record.stats.problems));
  strictEqual(record.stats.truncated, 1);
});

Deno.test("bacnet: a ReadPropertyMultiple-ACK gives the device's vendor name, model and firmware", () => {
  const text = (s: string) => [0x75, s.length + 1, 0x00, ...Array.from(s, (c) => c.charCodeAt(0))];
  const ack = [
    0x30,
    0x02,
    0x0e,
    0x0c,
    ...objectId(8, 9),
    0x1e,
    0x29,
    121,
    0x4e,
    ...text("ACME"),
    0x4f,
    0x29,
    70,
    0x4e,
    ...text("Boiler-7"),
    0x4f,
    0x29,
    44,
    0x4e,
    ...text("3.1.4"),
    0x4f,
    0x29,
    28,
    0x5e,
    0x91,
    0x02,
    0x91,
    0x20,
    0x5f,
    0x1f,
  ];
  const lines = identityLines(flushOf(bacnetIp(bvll(0x0a, npdu(ack)))));
  deepStrictEqual(lines, [
    "10.0.0.10 bacnet.role=server",
    "10.0.0.10 ot.firmware=3.1.4",
    "10.0.0.10 ot.product=Boiler-7",
    "10.0.0.10 ot.vendor=ACME",
  ]);
});

Deno.test("bacnet: Who-Has by name reports the name", () => {
  const whoHas = [0x10, 0x07, 0x3d, 0x08, 0x00, ...Array.from("SYNERGY", (c) => c.charCodeAt(0))];
  deepStrictEqual(eventLines(flushOf(bacnetIp(bvll(0x0b, npdu(whoHas))))), [
    'bacnet.who_has info 10.0.0.10>10.0.0.20 {"service":7,"service_name":"who-Has","op":"identify","object_name":"SYNERGY"}',
  ]);
});
