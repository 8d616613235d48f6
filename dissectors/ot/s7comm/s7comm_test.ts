import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { eventLines, identityLines, otEngine } from "../_testing.ts";
import { S7COMM_DISSECTORS, s7commTap } from "./mod.ts";
import {
  COLD_START,
  CONNECT_REQUEST,
  DELETE_DB1,
  DOWNLOAD_OB1,
  fromPlc,
  HOT_START,
  ISO_SESSION,
  PASSWORD,
  PLC_STOP,
  PLUS_CREATE,
  READ_DB1,
  SET_CLOCK,
  SETUP,
  STOP_REFUSED,
  SZL_READ,
  toPlc,
  UPLOAD_DB1,
  WRITE_M,
} from "./_test_frames.ts";

const CLIENT = "10.0.0.10";
const PLC = "10.0.0.20";

/** Events of `payloads` sent to the PLC, as `type severity src>dst {fields}`. */
function eventsOf(...frames: Uint8Array[]): string[] {
  const engine = otEngine(S7COMM_DISSECTORS, ...frames);
  strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
  return eventLines(engine.flush());
}

Deno.test("s7comm reports a PLC stop job as a critical cpu_stop from the client to the PLC", () => {
  deepStrictEqual(eventsOf(toPlc(PLC_STOP)), [
    `s7comm.plc_stop critical ${CLIENT}>${PLC} {"op":"cpu_stop","service":"P_PROGRAM"}`,
  ]);
});

Deno.test("s7comm reports program changes, CPU start and transfers as critical", () => {
  const table: [number[], string][] = [
    [HOT_START, `s7comm.plc_start critical {"op":"cpu_start","service":"P_PROGRAM","mode":"hot"}`],
    [COLD_START, `s7comm.plc_start critical {"op":"cpu_start","service":"P_PROGRAM","mode":"cold"}`],
    [
      DELETE_DB1,
      `s7comm.block_delete critical {"op":"program_delete","service":"_DELE","block_type":"DB","block_number":1}`,
    ],
    [DOWNLOAD_OB1, `s7comm.download critical {"op":"program_download","block_type":"OB","block_number":1}`],
    [UPLOAD_DB1, `s7comm.upload critical {"op":"program_upload","block_type":"DB","block_number":1}`],
  ];
  for (const [payload, expected] of table) {
    const [type, severity, fields] = expected.split(" ");
    deepStrictEqual(eventsOf(toPlc(payload)), [`${type} ${severity} ${CLIENT}>${PLC} ${fields}`]);
  }
});

Deno.test("s7comm reports reads, writes, setup and userdata requests with their severity", () => {
  deepStrictEqual(eventsOf(toPlc(SETUP), toPlc(READ_DB1), toPlc(WRITE_M), toPlc(SZL_READ)), [
    `s7comm.setup info ${CLIENT}>${PLC} {"op":"session","pdu_length":480}`,
    `s7comm.read info ${CLIENT}>${PLC} {"op":"read","function":"read_var","items":1,"area":"data_block","db":1}`,
    `s7comm.write notice ${CLIENT}>${PLC} {"op":"write","function":"write_var","items":1,"area":"flags"}`,
    `s7comm.szl_read info ${CLIENT}>${PLC} {"op":"identify","szl_id":"0x0011","szl_index":"0x0000"}`,
  ]);
  deepStrictEqual(eventsOf(toPlc(SET_CLOCK)), [
    `s7comm.clock_set warning ${CLIENT}>${PLC} {"op":"time_sync"}`,
  ]);
  const password = eventsOf(toPlc(PASSWORD));
  deepStrictEqual(password, [
    `s7comm.password notice ${CLIENT}>${PLC} {"op":"session","password":"present"}`,
  ]);
  ok(!password[0].includes("secret"), "the password is never kept");
  deepStrictEqual(eventsOf(fromPlc(STOP_REFUSED)), [
    `s7comm.error notice ${PLC}>${CLIENT} {"op":"exception","error_class":129,"error_code":4,"function":"plc_stop"}`,
  ]);
});

Deno.test("s7comm gives roles, vendor, TSAP and rack/slot to the port 102 side", () => {
  const engine = otEngine(S7COMM_DISSECTORS, toPlc(CONNECT_REQUEST), toPlc(SETUP));
  const lines = identityLines(engine.flush()).filter((l) => !l.includes("tcp."));
  deepStrictEqual(lines, [
    `${CLIENT} iso_tsap.role=client`,
    `${CLIENT} s7comm.role=client`,
    `${PLC} iso_tsap.role=server`,
    `${PLC} iso_tsap.tsap=0x0102`,
    `${PLC} ot.vendor=Siemens`,
    `${PLC} s7comm.protocol=s7comm`,
    `${PLC} s7comm.rack=0`,
    `${PLC} s7comm.role=server`,
    `${PLC} s7comm.slot=2`,
  ]);
});

Deno.test("s7comm reports an S7comm-plus session and leaves other COTP users alone", () => {
  const engine = otEngine(S7COMM_DISSECTORS, toPlc(PLUS_CREATE), toPlc(ISO_SESSION));
  const record = engine.flush();
  strictEqual(engine.stats.malformed, 0);
  deepStrictEqual(eventLines(record), [
    `s7comm_plus.session info ${CLIENT}>${PLC} {"op":"session","version":1,"function":"CreateObject"}`,
  ]);
  ok(identityLines(record).includes(`${PLC} s7comm.protocol=s7comm-plus`));
});

Deno.test("s7comm decodes every TPKT of a segment and skips one continued in the next", () => {
  s7commTap.count = 0;
  deepStrictEqual(
    eventsOf(toPlc([...READ_DB1, ...PLC_STOP, ...WRITE_M.slice(0, 12)])).map((l) => l.split(" ")[0]),
    [
      "s7comm.read",
      "s7comm.plc_stop",
    ],
  );
  strictEqual(s7commTap.count, 2);
  // Every cut of a PDU, and every tail that does not start with a TPKT header, is quietly skipped.
  const engine = otEngine(S7COMM_DISSECTORS);
  for (let cut = 1; cut < PLC_STOP.length; cut++) {
    engine.dissectFrame(toPlc(PLC_STOP.slice(0, cut)));
    engine.dissectFrame(toPlc(PLC_STOP.slice(cut)));
  }
  strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
  strictEqual(engine.stats.truncated, 0);
});

Deno.test("s7comm refuses impossible headers", () => {
  const table: [number[], string][] = [
    [[3, 0, 0, 5, 2, 0xf0, 0x80], "TPKT"],
    [[3, 0, 0, 7, 9, 0xf0, 0x80], "COTP"],
    [[3, 0, 0, 7, 2, 0x30, 0x80], "COTP"],
    [[...READ_DB1, 4, 0, 0, 7], "TPKT"],
    [[3, 0, 0, 17, 2, 0xf0, 0x80, 0x32, 9, 0, 0, 0, 1, 0, 0, 0, 0], "S7comm"],
    [[3, 0, 0, 17, 2, 0xf0, 0x80, 0x32, 1, 0, 0, 0, 1, 0, 9, 0, 0], "S7comm"],
    [[3, 0, 0, 11, 2, 0xf0, 0x80, 0x72, 1, 0, 9], "S7comm-plus"],
  ];
  for (const [payload, protocol] of table) {
    const engine = otEngine(S7COMM_DISSECTORS);
    const packet = engine.dissectFrame(toPlc(payload));
    strictEqual(engine.stats.malformed, 1, `${payload}: not malformed`);
    strictEqual(packet.problemProtocol, protocol, packet.describeProblem());
  }
});
