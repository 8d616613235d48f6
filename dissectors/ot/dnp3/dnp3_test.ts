import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { eventLines, identityLines, otEngine } from "../_testing.ts";
import { PacketFlag } from "../../api.ts";
import { DNP3_DISSECTORS, dnp3Tap, dnpCrc, userByte } from "./mod.ts";
import {
  linkFrame,
  MASTER,
  MASTER_DATA,
  masterRequest,
  OUTSTATION,
  outstationResponse,
  toMaster,
  toOutstation,
} from "./_test_frames.ts";

const MASTER_IP = "10.0.0.10";
const OUTSTATION_IP = "10.0.0.20";

Deno.test("dnpCrc() gives the well-known CRC of a reset link states header (05 64 05 C0 01 00 00 04: E9 21)", () => {
  // Link header of a master's Reset Link States to outstation 1 from master 1024.
  strictEqual(dnpCrc(Uint8Array.from([0x05, 0x64, 0x05, 0xc0, 0x01, 0x00, 0x00, 0x04]), 0, 8), 0x21e9);
});

Deno.test("userByte() skips the CRC after each 16 octets of user data", () => {
  deepStrictEqual([0, 15, 16, 31, 32].map((i) => userByte(100, i)), [110, 125, 128, 143, 146]);
});

Deno.test("dnp3 cold restart (13) is a critical event from the master to the outstation", () => {
  const record = otEngine(DNP3_DISSECTORS, toOutstation(masterRequest(13))).flush();
  deepStrictEqual(eventLines(record), [
    `dnp3.cold_restart critical ${MASTER_IP}>${OUTSTATION_IP} {"op":"restart","function":13,"function_name":"cold_restart","src_address":${MASTER},"dst_address":${OUTSTATION}}`,
  ]);
  deepStrictEqual(identityLines(record).filter((l) => l.includes("dnp3.")), [
    `${MASTER_IP} dnp3.address=${MASTER}`,
    `${MASTER_IP} dnp3.role=master`,
    `${OUTSTATION_IP} dnp3.address=${OUTSTATION}`,
    `${OUTSTATION_IP} dnp3.role=outstation`,
  ]);
});

Deno.test("dnp3 request events carry the severity of their function class", () => {
  const crob = [12, 1, 0x28, 1, 0, 3, 0, 0x03, 1, 0xe8, 3, 0, 0, 0, 0, 0, 0, 0];
  const engine = otEngine(
    DNP3_DISSECTORS,
    toOutstation(masterRequest(0)),
    toOutstation(masterRequest(1, [60, 2, 0x06])),
    toOutstation(masterRequest(2, [80, 1, 0x00, 7, 7, 0])),
    toOutstation(masterRequest(2, [50, 1, 0x07, 1, 0, 0, 0, 0, 0, 0])),
    toOutstation(masterRequest(3, crob)),
    toOutstation(masterRequest(4, crob)),
    toOutstation(masterRequest(5, crob)),
    toOutstation(masterRequest(14)),
    toOutstation(masterRequest(17)),
    toOutstation(masterRequest(18)),
    toOutstation(masterRequest(20, [60, 2, 0x06])),
    toOutstation(masterRequest(24)),
    toOutstation(masterRequest(27, [70, 3, 0x5b, 1, 0, 0])),
  );
  const brief = engine.flush().events.map((e) => `${e.type} ${e.severity} ${e.fields.op} g${e.fields.group}`);
  deepStrictEqual(brief, [
    "dnp3.read info read g60",
    "dnp3.write notice write g80",
    "dnp3.time_sync warning time_sync g50",
    "dnp3.select warning command g12",
    "dnp3.operate warning command g12",
    "dnp3.direct_operate warning command g12",
    "dnp3.warm_restart critical restart gundefined",
    "dnp3.start_application critical cpu_start gundefined",
    "dnp3.stop_application critical cpu_stop gundefined",
    "dnp3.enable_unsolicited info subscribe g60",
    "dnp3.record_current_time warning time_sync gundefined",
    "dnp3.delete_file warning file_transfer g70",
  ]);
});

Deno.test("dnp3 responses: internal indications become events from the outstation", () => {
  const record = otEngine(
    DNP3_DISSECTORS,
    toMaster(outstationResponse(129, 0x0000)),
    toMaster(outstationResponse(129, 0x8200)),
    toMaster(outstationResponse(130, 0x4021)),
  ).flush();
  deepStrictEqual(
    record.events.map((e) => `${e.type} ${e.severity} ${e.src_ip} ${e.fields.function} ${e.fields.iin}`),
    [
      `dnp3.device_restart notice ${OUTSTATION_IP} 129 device_restart`,
      `dnp3.unsolicited_response info ${OUTSTATION_IP} 130 undefined`,
      `dnp3.device_trouble notice ${OUTSTATION_IP} 130 device_trouble,config_corrupt,no_func_code_support`,
      `dnp3.config_corrupt warning ${OUTSTATION_IP} 130 device_trouble,config_corrupt,no_func_code_support`,
      `dnp3.request_refused notice ${OUTSTATION_IP} 130 device_trouble,config_corrupt,no_func_code_support`,
    ],
  );
  ok(identityLines(record).includes(`${OUTSTATION_IP} dnp3.role=outstation`));
});

Deno.test("dnp3 reads user data across CRC blocks, several frames per segment, and only FIR segments' header", () => {
  const analog = [30, 1, 0x00, 0, 7, ...Array.from({ length: 40 }, (_, i) => i)];
  const long = outstationResponse(129, 0x0010, analog);
  // A second segment of a fragment (FIR clear) carries no application header: octet 2 is data.
  const middle = linkFrame(MASTER_DATA, OUTSTATION, MASTER, [0x01, 0xc1, 13, 0, 0]);
  const both = new Uint8Array(long.length + middle.length);
  both.set(long);
  both.set(middle, long.length);
  const engine = otEngine(DNP3_DISSECTORS);
  engine.dissectFrame(toMaster(both));
  strictEqual(dnp3Tap.count, 2);
  deepStrictEqual([dnp3Tap.appFunction[0], dnp3Tap.iin[0], dnp3Tap.appFunction[1]], [129, 0x0010, -1]);
  deepStrictEqual(engine.flush().events, []);
  // Each cut of the segment: the rest would come in the next segment, nothing is malformed.
  for (let cut = 1; cut < both.length; cut++) {
    const packet = engine.dissectFrame(toMaster(both.subarray(0, cut)));
    strictEqual(packet.flags & PacketFlag.MALFORMED, 0, `cut ${cut}: ${packet.describeProblem()}`);
  }
  strictEqual(engine.stats.malformed, 0);
});

Deno.test("dnp3 refuses bad CRCs, lengths and reserved function codes", () => {
  const good = masterRequest(1, [60, 2, 0x06]);
  const badHeader = good.slice();
  badHeader[4] ^= 1;
  const badData = good.slice();
  badData[12] ^= 1;
  const cases: [Uint8Array, string][] = [
    [badHeader, "link header CRC mismatch"],
    [badData, "user data block CRC mismatch"],
    [masterRequest(77), "reserved application function code"],
    [linkFrame(MASTER_DATA, OUTSTATION, MASTER, [0xc0, 0xc1]), "first segment without an application header"],
    [linkFrame(0x44, MASTER, OUTSTATION, [0xc0, 0xc1, 129, 0]), "response without internal indications"],
  ];
  for (const [payload, problem] of cases) {
    const packet = otEngine(DNP3_DISSECTORS).dissectFrame(toOutstation(payload));
    strictEqual(packet.problem, problem);
    strictEqual(packet.problemProtocol, "DNP3");
  }
});

Deno.test("dnp3 runs over UDP 20000 and is found by its probe on other ports", () => {
  for (
    const frame of [
      toOutstation(masterRequest(13), 20000, "udp"),
      toOutstation(masterRequest(13), 4000, "tcp"),
      toOutstation(masterRequest(13), 4000, "udp"),
    ]
  ) {
    const events = otEngine(DNP3_DISSECTORS, frame).flush().events;
    deepStrictEqual(events.map((e) => `${e.type} ${e.src_ip}>${e.dst_ip}`), [
      `dnp3.cold_restart ${MASTER_IP}>${OUTSTATION_IP}`,
    ]);
  }
  // A wrong header CRC is not taken for DNP3 on another port.
  const bad = masterRequest(13);
  bad[8] ^= 0xff;
  deepStrictEqual(otEngine(DNP3_DISSECTORS, toOutstation(bad, 4000)).flush().events, []);
});
