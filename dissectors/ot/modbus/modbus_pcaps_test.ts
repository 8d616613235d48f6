import { ok, strictEqual } from "node:assert/strict";
import { flushOfCapture } from "../../_testing.ts";
import { captureFrames, otEngine } from "../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { MODBUS_DISSECTORS, modbusTap } from "./mod.ts";

const CAPTURE = "modbus_tcp_test_data_part1.pcap";
/** The one frame tshark reads as the continuation of a previous segment (see below). */
const REASSEMBLED_BY_TSHARK = 113;
/** Every field a Modbus event may carry: none changes with each packet. */
const BOUNDED_FIELDS = [
  "op",
  "function",
  "function_name",
  "unit",
  "start",
  "quantity",
  "read_start",
  "read_quantity",
  "sub_function",
  "mei_type",
  "exception_code",
  "exception_name",
];
const FIELDS = [
  "frame.number",
  "mbtcp.unit_id",
  "modbus.func_code",
  "modbus.reference_num",
  "modbus.word_cnt",
  "modbus.bit_cnt",
  "modbus.exception_code",
  "ip.src",
  "ip.dst",
] as const;

Deno.test({
  name: `modbus decodes every Modbus/TCP frame of ${CAPTURE} as tshark does${notes(SHARED_PCAPS, TSHARK)}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const rows = await tsharkFields(sharedCapture(CAPTURE), FIELDS, "mbtcp");
    const expected = new Map(rows.map((row) => [Number(row[0][0]), row]));
    const frames = await captureFrames(CAPTURE);
    const engine = otEngine(MODBUS_DISSECTORS);
    let compared = 0;
    let ranges = 0;
    for (let n = 1; n <= frames.length; n++) {
      modbusTap.count = 0;
      const packet = engine.dissectFrame(frames[n - 1]);
      const row = expected.get(n);
      if (n === REASSEMBLED_BY_TSHARK) {
        // Frame 111 ends with 3 stray bytes (01 01 23) after its ADU; like tshark, the engine keeps
        // them as the start of an MBAP header and joins them with frame 113: the 17 bytes have
        // protocol id 0x2300, not Modbus (tshark shows them as Data).
        strictEqual(engine.stats.tcpReassembled, 1);
        strictEqual(modbusTap.count, 0);
        continue;
      }
      if (!row) {
        strictEqual(modbusTap.count, 0, `frame ${n}: tshark shows no Modbus/TCP`);
        continue;
      }
      const [, units, funcs, refs, words, bits, exceptions] = row;
      const where = `frame ${n}: ${packet.describeProblem()}`;
      strictEqual(modbusTap.count, units.length, where);
      for (let i = 0; i < modbusTap.count; i++) {
        strictEqual(modbusTap.unit[i], Number(units[i]), `${where} unit`);
        // tshark shows the function code without the exception bit (0x88 → 8).
        strictEqual(modbusTap.func[i] & 0x7f, Number(funcs[i]), `${where} function`);
        const exception = modbusTap.exception[i];
        strictEqual(exception >= 0 ? String(exception) : undefined, exceptions[i], `${where} exception`);
        if (modbusTap.request[i] && modbusTap.start[i] >= 0) {
          // tshark names the start of a read or write range reference_num and its length word/bit count.
          strictEqual(String(modbusTap.start[i]), refs[i], `${where} start`);
          const count = words[i] ?? bits[i];
          if (count !== undefined) strictEqual(String(modbusTap.quantity[i]), count, `${where} quantity`);
          ranges++;
        }
        compared++;
      }
    }
    strictEqual(compared, rows.length, "every ADU tshark shows was compared");
    // Frames 51–66: read coils ×2, read holding registers, write single coil ×2, write single register.
    strictEqual(ranges, 6);
    strictEqual(compared, 45);
    strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
  },
});

Deno.test({
  name: `modbus roles, events and units of ${CAPTURE} match tshark's directions${
    notes(SHARED_PCAPS, TSHARK)
  }`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const rows = await tsharkFields(sharedCapture(CAPTURE), [
      "ip.src",
      "ip.dst",
      "tcp.dstport",
      "mbtcp.unit_id",
    ], "mbtcp");
    const record = await flushOfCapture(sharedCapture(CAPTURE), MODBUS_DISSECTORS);
    const baseline = await flushOfCapture(sharedCapture(CAPTURE), []);
    strictEqual(record.stats.malformed, baseline.stats.malformed, String(record.stats.problems));
    const has = (ip: string, key: string, value: string) =>
      record.identities.some((i) => i.ip === ip && i.key === key && i.value === value);
    for (const [[src], [dst], [port], [unit]] of rows) {
      const toServer = port === "502";
      const server = toServer ? dst : src;
      ok(has(toServer ? src : dst, "modbus.role", "client"), `${src}>${dst}: client role`);
      ok(has(server, "modbus.role", "server"), `${src}>${dst}: server role`);
      if (!toServer && unit !== "0" && unit !== "255") {
        ok(
          has(server, `child/modbus.unit/${unit}/seen`, "true") || has(server, "modbus.gateway", "true"),
          server,
        );
      }
    }
    // Every request event goes from a client to a server with a bounded set of fields.
    const events = record.events.filter((e) => e.source === "modbus");
    ok(events.length > 0);
    for (const e of events) {
      const fromServer = e.type === "modbus.exception";
      ok(has(e.src_ip!, "modbus.role", fromServer ? "server" : "client"), `${e.type} from ${e.src_ip}`);
      for (const key of Object.keys(e.fields)) ok(BOUNDED_FIELDS.includes(key), `${e.type}: field ${key}`);
    }
    ok(events.some((e) => e.type === "modbus.write" && e.severity === "notice"));
    ok(events.some((e) => e.type === "modbus.exception" && e.fields.exception_code === 11));
    ok(events.some((e) => e.type === "modbus.restart_communications" && e.severity === "critical"));
  },
});
