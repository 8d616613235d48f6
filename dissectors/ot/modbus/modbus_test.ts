import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { eventLines, identityLines, otEngine } from "../_testing.ts";
import { PacketFlag } from "../../api.ts";
import { MODBUS_DISSECTORS, modbusTap } from "./mod.ts";
import { adu, concat, deviceIdResponse, request, response } from "./_test_frames.ts";

const CLIENT = "10.0.0.10";
const SERVER = "10.0.0.20";

Deno.test("modbus write single register (6) is a notice event from the client to the server with the range", () => {
  const engine = otEngine(MODBUS_DISSECTORS, request(adu(255, [6, 0x00, 0x05, 0x12, 0x34])));
  const record = engine.flush();
  deepStrictEqual(eventLines(record), [
    `modbus.write notice ${CLIENT}>${SERVER} {"op":"write","function":6,"function_name":"write_single_register","unit":255,"start":5,"quantity":1}`,
  ]);
  deepStrictEqual(identityLines(record).filter((l) => l.includes("modbus.")), [
    `${CLIENT} modbus.role=client`,
    `${SERVER} modbus.role=server`,
  ]);
});

Deno.test("modbus events classify reads, multiple writes, read/write and diagnostics", () => {
  const engine = otEngine(
    MODBUS_DISSECTORS,
    request(adu(1, [3, 0x00, 0x10, 0x00, 0x04])),
    request(adu(2, [16, 0x00, 0x20, 0x00, 0x02, 4, 0, 1, 0, 2])),
    request(adu(2, [15, 0x00, 0x20, 0x00, 0x0a, 2, 0xff, 0x03])),
    request(adu(2, [23, 0, 1, 0, 2, 0, 3, 0, 1, 2, 0xab, 0xcd])),
    request(adu(1, [8, 0x00, 0x01, 0x00, 0x00])),
    request(adu(1, [8, 0x00, 0x04, 0x00, 0x00])),
    request(adu(1, [8, 0x00, 0x00, 0x12, 0x34])),
    request(adu(1, [20, 7, 6, 0, 4, 0, 1, 0, 2])),
    request(adu(1, [43, 14, 1, 0])),
    request(adu(1, [100, 1, 2])),
  );
  const brief = engine.flush().events.map((e) =>
    `${e.type} ${e.severity} ${e.fields.op} ${e.fields.start}/${e.fields.quantity}`
  );
  deepStrictEqual(brief, [
    "modbus.read info read 16/4",
    "modbus.write notice write 32/2",
    "modbus.write notice write 32/10",
    "modbus.write notice write 3/1",
    "modbus.restart_communications critical restart undefined/undefined",
    "modbus.force_listen_only critical restart undefined/undefined",
    "modbus.diagnostic info diagnostic undefined/undefined",
    "modbus.file_read info file_transfer undefined/undefined",
    "modbus.identify info identify undefined/undefined",
    "modbus.other info other undefined/undefined",
  ]);
});

Deno.test("modbus exception response is a notice event from the server; a gateway exception marks a gateway", () => {
  const engine = otEngine(
    MODBUS_DISSECTORS,
    response(adu(17, [0x83, 2])),
    response(adu(18, [0x83, 11])),
  );
  const record = engine.flush();
  deepStrictEqual(eventLines(record), [
    `modbus.exception notice ${SERVER}>${CLIENT} {"op":"exception","function":3,"function_name":"read_holding_registers","unit":17,"exception_code":2,"exception_name":"illegal_data_address"}`,
    `modbus.exception notice ${SERVER}>${CLIENT} {"op":"exception","function":3,"function_name":"read_holding_registers","unit":18,"exception_code":11,"exception_name":"gateway_target_device_failed_to_respond"}`,
  ]);
  // Unit 17 answered (an exception from the device itself); unit 18 did not (the gateway answered for it).
  deepStrictEqual(identityLines(record).filter((l) => l.startsWith(SERVER)), [
    `${SERVER} child/modbus.unit/17/seen=true`,
    `${SERVER} modbus.gateway=true`,
    `${SERVER} modbus.role=server`,
  ]);
});

Deno.test("modbus Read Device Identification gives the server's identity, or a child's behind a gateway", () => {
  const engine = otEngine(
    MODBUS_DISSECTORS,
    response(
      deviceIdResponse(255, [[0, "Acme Controls"], [1, "AC-100"], [2, "V2.11"], [4, "Acme PLC"], [
        3,
        "x.example",
      ]]),
    ),
    response(
      deviceIdResponse(17, [[0, "Serial Vendor "], [2, "1.0"], [5, "M5"], [6, "App"], [0x80, "private"]]),
    ),
  );
  const record = engine.flush();
  deepStrictEqual(identityLines(record).filter((l) => l.startsWith(SERVER)), [
    `${SERVER} child/modbus.unit/17/modbus.model_name=M5`,
    `${SERVER} child/modbus.unit/17/modbus.user_application_name=App`,
    `${SERVER} child/modbus.unit/17/ot.firmware=1.0`,
    `${SERVER} child/modbus.unit/17/ot.vendor=Serial Vendor`,
    `${SERVER} child/modbus.unit/17/seen=true`,
    `${SERVER} modbus.role=server`,
    `${SERVER} modbus.vendor_url=x.example`,
    `${SERVER} ot.firmware=V2.11`,
    `${SERVER} ot.product=Acme PLC`,
    `${SERVER} ot.product_code=AC-100`,
    `${SERVER} ot.vendor=Acme Controls`,
  ]);
  ok(record.identities.filter((i) => i.key.startsWith("ot.")).every((i) => i.confidence === 90));
});

Deno.test("modbus decodes every ADU of a segment and skips one split over segments (no reassembly)", () => {
  const engine = otEngine(MODBUS_DISSECTORS);
  const three = concat(adu(1, [1, 0, 0, 0, 8], 1), adu(1, [2, 0, 0, 0, 8], 2), adu(3, [6, 0, 9, 0, 1], 3));
  engine.dissectFrame(request(three));
  strictEqual(modbusTap.count, 3);
  deepStrictEqual([...modbusTap.func.subarray(0, 3)], [1, 2, 6]);
  deepStrictEqual([...modbusTap.unit.subarray(0, 3)], [1, 1, 3]);
  // Every cut of the segment: the rest would come in the next segment, nothing is malformed.
  for (let cut = 1; cut < three.length; cut++) {
    const packet = engine.dissectFrame(request(three.subarray(0, cut)));
    strictEqual(packet.flags & PacketFlag.MALFORMED, 0, `cut ${cut}: ${packet.describeProblem()}`);
  }
  strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
});

Deno.test("modbus refuses impossible values after the MBAP header", () => {
  const cases: [Uint8Array, string][] = [
    [request(adu(1, [3, 0, 0, 0, 200])), "read quantity out of range"],
    [request(adu(1, [16, 0, 0, 0, 2, 3, 0, 1, 0])), "byte count does not match quantity"],
    [request(adu(1, [0x83, 2])), "request function code has the exception bit"],
    [request(adu(1, [0])), "function code 0 is not defined"],
    [response(adu(1, [3, 4, 0, 1])), "byte count runs past the PDU"],
    [response(adu(1, [0x83, 0])), "exception code 0 is not defined"],
    [
      request(concat(adu(1, [1, 0, 0, 0, 8]), Uint8Array.from([0, 2, 0, 1, 0, 6, 1, 1, 0, 0, 0, 1]))),
      "protocol identifier is not 0",
    ],
  ];
  for (const [bytes, problem] of cases) {
    const packet = otEngine(MODBUS_DISSECTORS).dissectFrame(bytes);
    strictEqual(packet.problem, problem);
    strictEqual(packet.problemProtocol, "Modbus/TCP");
  }
});

Deno.test("modbus heuristic probe finds Modbus/TCP on another port, the lower port being the server", () => {
  const engine = otEngine(
    MODBUS_DISSECTORS,
    request(adu(1, [4, 0x00, 0x00, 0x00, 0x02]), 5020),
    response(adu(1, [4, 4, 0, 1, 0, 2]), 5020),
  );
  const record = engine.flush();
  deepStrictEqual(eventLines(record), [
    `modbus.read info ${CLIENT}>${SERVER} {"op":"read","function":4,"function_name":"read_input_registers","unit":1,"start":0,"quantity":2}`,
  ]);
  ok(identityLines(record).includes(`${SERVER} modbus.role=server`));
  // Text on another port is not taken for Modbus.
  const other = otEngine(
    MODBUS_DISSECTORS,
    request(Uint8Array.from("GET / HTTP/1.1\r\n\r\n", (c) => c.charCodeAt(0)), 5021),
  );
  deepStrictEqual(other.flush().events.filter((e) => e.source === "modbus"), []);
});
