import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { eventLines, identityLines, otEngine } from "../_testing.ts";
import { IEC104_DISSECTORS, iec104Tap } from "./mod.ts";
import {
  CLOCK_SYNC,
  fromStation,
  iFrame,
  INTERROGATION,
  measurement,
  RESET_PROCESS,
  S_ACK,
  SINGLE_COMMAND,
  SINGLE_COMMAND_CON,
  STARTDT_ACT,
  STOPDT_ACT,
  TESTFR_ACT,
  toStation,
  uFrame,
} from "./_test_frames.ts";

const CONTROLLING = "10.0.0.10";
const CONTROLLED = "10.0.0.20";

function eventsOf(...frames: Uint8Array[]): string[] {
  const engine = otEngine(IEC104_DISSECTORS, ...frames);
  strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
  return eventLines(engine.flush());
}

Deno.test("iec104 reports a single command activation as a warning from the controlling to the controlled station", () => {
  deepStrictEqual(eventsOf(toStation(SINGLE_COMMAND)), [
    `iec104.command warning ${CONTROLLING}>${CONTROLLED} {"op":"command","type_id":45,"type_name":"C_SC_NA_1","cot":6,"common_address":1,"ioa":4500}`,
  ]);
  deepStrictEqual(eventsOf(fromStation(SINGLE_COMMAND_CON)), [
    `iec104.command_confirmation info ${CONTROLLED}>${CONTROLLING} {"op":"command","type_id":45,"type_name":"C_SC_NA_1","cot":7,"common_address":1,"ioa":4500,"negative":false}`,
  ]);
});

Deno.test("iec104 reports system commands and session control with their severity", () => {
  const base = `"cot":6,"common_address":1`;
  deepStrictEqual(
    eventsOf(
      toStation(STARTDT_ACT),
      toStation(INTERROGATION),
      toStation(CLOCK_SYNC),
      toStation(RESET_PROCESS),
      toStation(TESTFR_ACT),
      toStation(STOPDT_ACT),
    ),
    [
      `iec104.startdt info ${CONTROLLING}>${CONTROLLED} {"op":"session"}`,
      `iec104.interrogation info ${CONTROLLING}>${CONTROLLED} {"op":"read","type_id":100,"type_name":"C_IC_NA_1",${base}}`,
      `iec104.clock_sync warning ${CONTROLLING}>${CONTROLLED} {"op":"time_sync","type_id":103,"type_name":"C_CS_NA_1",${base}}`,
      `iec104.reset_process critical ${CONTROLLING}>${CONTROLLED} {"op":"restart","type_id":105,"type_name":"C_RP_NA_1",${base}}`,
      `iec104.stopdt notice ${CONTROLLING}>${CONTROLLED} {"op":"session"}`,
    ],
  );
});

Deno.test("iec104 aggregates monitoring data: one event per type id and common address", () => {
  deepStrictEqual(
    eventsOf(fromStation(measurement(1.5)), fromStation(measurement(2.5)), fromStation(measurement(-7))),
    [
      `iec104.monitoring info ${CONTROLLED}>${CONTROLLING} {"op":"publish","type_id":13,"common_address":1}`,
    ],
  );
});

Deno.test("iec104 gives roles and the common address to the port 2404 side", () => {
  const engine = otEngine(IEC104_DISSECTORS, toStation(SINGLE_COMMAND), fromStation(measurement(1)));
  // The built frames keep one MAC pair whatever the direction: identities are compared per IP.
  deepStrictEqual([...new Set(identityLines(engine.flush()).filter((l) => !l.includes("tcp.")))], [
    `${CONTROLLING} iec104.role=controlling`,
    `${CONTROLLED} iec104.common_address=1`,
    `${CONTROLLED} iec104.role=controlled`,
  ]);
});

Deno.test("iec104 decodes every APDU of a segment and skips one continued in the next", () => {
  iec104Tap.count = 0;
  const lines = eventsOf(
    toStation([...S_ACK, ...SINGLE_COMMAND, ...TESTFR_ACT, ...INTERROGATION.slice(0, 9)]),
  );
  deepStrictEqual(lines.map((l) => l.split(" ")[0]), ["iec104.command"]);
  deepStrictEqual(Array.from(iec104Tap.format.slice(0, iec104Tap.count)), [1, 0, 3]);
  const engine = otEngine(IEC104_DISSECTORS);
  for (let cut = 1; cut < CLOCK_SYNC.length; cut++) {
    engine.dissectFrame(toStation(CLOCK_SYNC.slice(0, cut)));
    engine.dissectFrame(toStation(CLOCK_SYNC.slice(cut)));
  }
  strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
  strictEqual(engine.stats.truncated, 0);
});

Deno.test("iec104 finds a station on another port by its start byte and control field", () => {
  const lines = eventsOf(toStation(STARTDT_ACT, 24040), toStation(SINGLE_COMMAND, 24040));
  deepStrictEqual(lines.map((l) => l.split(" ").slice(0, 3).join(" ")), [
    `iec104.startdt info ${CONTROLLING}>${CONTROLLED}`,
    `iec104.command warning ${CONTROLLING}>${CONTROLLED}`,
  ]);
  // Text starting with "h" is not taken for IEC-104.
  strictEqual(eventsOf(toStation(Array.from("hello world\r\n", (c) => c.charCodeAt(0)), 20001)).length, 0);
});

Deno.test("iec104 refuses impossible APDUs", () => {
  const table: number[][] = [
    [0x68, 3, 0x01, 0, 0],
    [0x68, 254, ...new Array(254).fill(0)],
    uFrame(0x0f),
    [0x68, 5, 0x43, 0, 0, 0, 0],
    [0x68, 8, 0, 0, 0, 0, 45, 1, 6, 0],
    iFrame(0, 6, 1, [1]),
    [...S_ACK, 0x69, 4, 1, 0, 0, 0],
  ];
  for (const payload of table) {
    const engine = otEngine(IEC104_DISSECTORS);
    const packet = engine.dissectFrame(toStation(payload));
    strictEqual(engine.stats.malformed, 1, `${payload.slice(0, 8)}: not malformed`);
    ok(packet.problemProtocol === "IEC 60870-5-104", packet.describeProblem());
  }
});
