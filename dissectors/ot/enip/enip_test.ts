import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { eventLines, frame, identityLines, otEngine, toClient, toServer } from "../_testing.ts";
import { ENIP_DISSECTORS } from "./mod.ts";
import {
  bytesOf,
  cipRequest,
  encapsulation,
  forwardOpenData,
  le16,
  listIdentityReply,
  logical,
  sendRRData,
  sendUnitData,
  symbolic,
} from "./_test_frames.ts";

const PORT = 44818;

function eventsOf(...payloads: Uint8Array[]): string[] {
  const engine = otEngine(ENIP_DISSECTORS, ...payloads.map((p) => frame("tcp", toServer(PORT), p)));
  const record = engine.flush();
  strictEqual(record.stats.malformed, 0, String(record.stats.problems));
  return eventLines(record).filter((line) => line.startsWith("enip."));
}

Deno.test("enip: Set_Attribute_Single is a write notice from client to target", () => {
  const lines = eventsOf(sendRRData(cipRequest(0x10, logical(0xf5, 1, 3), [1, 0])));
  deepStrictEqual(lines, [
    'enip.write notice 10.0.0.10>10.0.0.20 {"service":16,"service_name":"set_attribute_single","class":245,"instance":1,"attribute":3,"op":"write"}',
  ]);
});

Deno.test("enip: Write Tag names the tag, Read Tag is a read", () => {
  const write = cipRequest(0x4d, symbolic("Motor.Speed"), [0xc4, 0, ...le16(1), 0, 0, 0, 0]);
  const read = cipRequest(0x4c, symbolic("Tank1"), le16(1));
  deepStrictEqual(eventsOf(sendUnitData(write), sendUnitData(read)), [
    'enip.write notice 10.0.0.10>10.0.0.20 {"service":77,"service_name":"write_tag","tag":"Motor.Speed","op":"write"}',
    'enip.read info 10.0.0.10>10.0.0.20 {"service":76,"service_name":"read_tag","tag":"Tank1","op":"read"}',
  ]);
});

Deno.test("enip: Stop inside an Unconnected Send is a critical cpu_stop", () => {
  const stop = cipRequest(0x07, logical(0x01, 1));
  const send = cipRequest(0x52, logical(0x06, 1), [0x0a, 0xf0, ...le16(stop.length), ...stop, 1, 0, 1, 0]);
  deepStrictEqual(eventsOf(sendRRData(send)), [
    'enip.stop critical 10.0.0.10>10.0.0.20 {"service":7,"service_name":"stop","class":1,"instance":1,"via":"unconnected_send","route":"1,0","op":"cpu_stop"}',
  ]);
});

Deno.test("enip: Reset and Start are critical", () => {
  const lines = eventsOf(
    sendRRData(cipRequest(0x05, logical(0x01, 1), [1])),
    sendRRData(cipRequest(0x06, logical(0x01, 1))),
  );
  deepStrictEqual(lines.map((l) => l.split(" ").slice(0, 2).join(" ")), [
    "enip.reset critical",
    "enip.start critical",
  ]);
});

Deno.test("enip: a Multiple Service Packet classifies each embedded service", () => {
  const a = cipRequest(0x0e, logical(0x01, 1, 7));
  const b = cipRequest(0x4d, symbolic("Valve"), [0xc1, 0, 1, 0, 1]);
  const data = [...le16(2), ...le16(6), ...le16(6 + a.length), ...a, ...b];
  const lines = eventsOf(sendUnitData(cipRequest(0x0a, logical(0x02, 1), data)));
  deepStrictEqual(lines, [
    'enip.read info 10.0.0.10>10.0.0.20 {"service":14,"service_name":"get_attribute_single","class":1,"instance":1,"attribute":7,"via":"multiple_service","op":"read"}',
    'enip.write notice 10.0.0.10>10.0.0.20 {"service":77,"service_name":"write_tag","tag":"Valve","via":"multiple_service","op":"write"}',
    'enip.multiple_service info 10.0.0.10>10.0.0.20 {"service":10,"service_name":"multiple_service_packet","class":2,"instance":1,"services":2,"op":"other"}',
  ]);
});

Deno.test("enip: setting the Logix wall clock (class 0x8B) is a time_sync warning", () => {
  const set = cipRequest(0x04, logical(0x8b, 1), [
    ...le16(1),
    ...le16(6),
    0xc0,
    0x58,
    0x72,
    0x22,
    0x08,
    0x5a,
    0x04,
    0,
  ]);
  deepStrictEqual(eventsOf(sendUnitData(set)), [
    'enip.time_sync warning 10.0.0.10>10.0.0.20 {"service":4,"service_name":"set_attribute_list","class":139,"instance":1,"attributes":"6","op":"time_sync"}',
  ]);
});

Deno.test("enip: Forward Open reports the connection parameters", () => {
  const data = forwardOpenData(3, [1, 0, 0x20, 0x02, 0x24, 0x01]);
  deepStrictEqual(eventsOf(sendRRData(cipRequest(0x54, logical(0x06, 1), data))), [
    'enip.forward_open info 10.0.0.10>10.0.0.20 {"service":84,"service_name":"forward_open","class":6,"instance":1,"originator_vendor_id":1,"rpi_o2t_us":40000,"rpi_t2o_us":40000,"transport_class":3,"target_class":2,"target_instance":1,"op":"session"}',
  ]);
});

Deno.test("enip: an error response is a notice; the responder is the server", () => {
  const response = bytesOf(0x8e, 0, 0x14, 0);
  const engine = otEngine(ENIP_DISSECTORS, frame("tcp", toClient(PORT), sendRRData(response)));
  const record = engine.flush();
  deepStrictEqual(eventLines(record), [
    'enip.error notice 10.0.0.20>10.0.0.10 {"service":14,"status":20,"op":"exception","service_name":"get_attribute_single","status_name":"attribute_not_supported"}',
  ]);
  ok(identityLines(record).includes("10.0.0.20 enip.role=server"));
  ok(identityLines(record).includes("10.0.0.10 enip.role=client"));
});

Deno.test("enip: a ListIdentity reply gives vendor, device type, product, firmware and serial", () => {
  const reply = listIdentityReply(47, 14, 1234, 2, 7, 0x00abcdef, "CJ2M-EIP21");
  const engine = otEngine(ENIP_DISSECTORS, frame("udp", toClient(PORT), reply));
  const lines = identityLines(engine.flush());
  deepStrictEqual(lines, [
    "10.0.0.20 enip.device_type_id=14",
    "10.0.0.20 enip.role=server",
    "10.0.0.20 enip.state=3",
    "10.0.0.20 ot.device_type=Programmable Logic Controller",
    "10.0.0.20 ot.firmware=2.07",
    "10.0.0.20 ot.product=CJ2M-EIP21",
    "10.0.0.20 ot.product_code=1234",
    "10.0.0.20 ot.serial=0x00abcdef",
    "10.0.0.20 ot.vendor=Omron Corporation",
    "10.0.0.20 ot.vendor_id=47",
  ]);
});

Deno.test("enip: several encapsulations in one segment are all decoded; a split one is skipped", () => {
  const read = sendRRData(cipRequest(0x0e, logical(0x01, 1, 1)));
  const write = sendRRData(cipRequest(0x10, logical(0x01, 1, 2), [0]));
  const both = bytesOf(read, write);
  deepStrictEqual(eventsOf(both).map((l) => l.split(" ")[0]), ["enip.read", "enip.write"]);
  // The second encapsulation cut at every byte, as if its rest were in the next segment.
  const engine = otEngine(ENIP_DISSECTORS);
  for (let cut = read.length + 1; cut < both.length; cut++) {
    engine.dissectFrame(frame("tcp", toServer(PORT), both.subarray(0, cut)));
    engine.dissectFrame(frame("tcp", toServer(PORT), both.subarray(cut)));
  }
  const record = engine.flush();
  strictEqual(record.stats.malformed, 0, String(record.stats.problems));
  strictEqual(record.stats.truncated, 0);
});

Deno.test("enip: an impossible CIP path length in a whole encapsulation is malformed", () => {
  const engine = otEngine(
    ENIP_DISSECTORS,
    frame("tcp", toServer(PORT), sendRRData(bytesOf(0x0e, 9, 0x20, 1))),
  );
  const record = engine.flush();
  strictEqual(record.stats.malformed, 1);
  ok(record.stats.problems[0].includes("CIP"), record.stats.problems[0]);
});

Deno.test("enip: the probe finds EtherNet/IP on another TCP port, and RegisterSession is a session event", () => {
  const register = encapsulation(0x65, bytesOf(le16(1), le16(0)));
  const engine = otEngine(ENIP_DISSECTORS, frame("tcp", toServer(10000), register));
  deepStrictEqual(eventLines(engine.flush()), [
    'enip.register_session info 10.0.0.10>10.0.0.20 {"version":1,"op":"session"}',
  ]);
});

Deno.test("enip: implicit I/O on UDP 2222 marks the producer, without events", () => {
  const io = bytesOf(
    le16(2),
    le16(0x8002),
    le16(8),
    1,
    0,
    0,
    0,
    5,
    0,
    0,
    0,
    le16(0xb1),
    le16(4),
    1,
    0,
    0xaa,
    0xbb,
  );
  const ends = { srcIp: "10.0.0.30", dstIp: "10.0.0.40", srcPort: 2222, dstPort: 2222 };
  const engine = otEngine(ENIP_DISSECTORS, frame("udp", ends, io), frame("udp", ends, io));
  const record = engine.flush();
  deepStrictEqual(identityLines(record), ["10.0.0.30 enip.io_producer=true"]);
  deepStrictEqual(record.events, []);
});

/** A Get_Attributes_All reply of the Identity object (Rockwell 1756-L71, revision 20.11). */
function identityReply(): Uint8Array {
  const name = Array.from("1756-L71/B LOGIX5571", (c) => c.charCodeAt(0));
  return bytesOf(
    0x81,
    0,
    0,
    0,
    le16(1),
    le16(14),
    le16(0x5a),
    20,
    11,
    le16(0x3160),
    0x44,
    0x33,
    0x22,
    0x11,
    name.length,
    name,
  );
}

Deno.test("enip: a Get_Attributes_All reply of the Identity object is the responder's identity", () => {
  const engine = otEngine(
    ENIP_DISSECTORS,
    frame("tcp", toServer(PORT), sendRRData(cipRequest(0x01, logical(0x01, 1)))),
    frame("tcp", toClient(PORT), sendRRData(identityReply())),
  );
  const lines = identityLines(engine.flush()).filter((l) => l.startsWith("10.0.0.20 ot."));
  deepStrictEqual(lines, [
    "10.0.0.20 ot.device_type=Programmable Logic Controller",
    "10.0.0.20 ot.firmware=20.11",
    "10.0.0.20 ot.product=1756-L71/B LOGIX5571",
    "10.0.0.20 ot.product_code=90",
    "10.0.0.20 ot.serial=0x11223344",
    "10.0.0.20 ot.vendor=Rockwell Automation/Allen-Bradley",
    "10.0.0.20 ot.vendor_id=1",
  ]);
});

Deno.test("enip: routed to backplane slot 0 by an Unconnected Send, the identity is the module's", () => {
  const ask = cipRequest(0x01, logical(0x01, 1));
  const send = cipRequest(0x52, logical(0x06, 1), [0x0a, 0xf0, ...le16(ask.length), ...ask, 1, 0, 1, 0]);
  const engine = otEngine(
    ENIP_DISSECTORS,
    frame("tcp", toServer(PORT), sendUnitData(send)),
    frame("tcp", toClient(PORT), sendUnitData(identityReply())),
  );
  const lines = identityLines(engine.flush());
  ok(lines.includes("10.0.0.20 child/enip.module/1,0/ot.product=1756-L71/B LOGIX5571"), String(lines));
  ok(lines.includes("10.0.0.20 child/enip.module/1,0/ot.vendor=Rockwell Automation/Allen-Bradley"));
  ok(!lines.some((l) => l.startsWith("10.0.0.20 ot.")), String(lines));
});
