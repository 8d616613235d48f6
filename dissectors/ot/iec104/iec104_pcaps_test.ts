import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { flushOfCapture } from "../../_testing.ts";
import { captureFrames, otEngine } from "../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { IEC104_DISSECTORS, iec104Tap } from "./mod.ts";

const CAPTURE = "iec104_diverse.pcap";
const NOTE = notes(SHARED_PCAPS, TSHARK);
const FIELDS = [
  "frame.number",
  "iec60870_104.type",
  "iec60870_104.utype",
  "iec60870_asdu.typeid",
  "iec60870_asdu.causetx",
  "iec60870_asdu.addr",
] as const;

/** Tap entries of the current frame where `keep` holds. */
function tapList(values: ArrayLike<number>, keep: (i: number) => boolean = () => true): number[] {
  const list: number[] = [];
  for (let i = 0; i < iec104Tap.count; i++) if (keep(i)) list.push(values[i]);
  return list;
}

Deno.test({
  name: `iec104 decodes every APDU of ${CAPTURE} as tshark does${NOTE}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const rows = await tsharkFields(sharedCapture(CAPTURE), FIELDS, "iec60870_104");
    const expected = new Map(rows.map((row) => [Number(row[0][0]), row]));
    const frames = await captureFrames(CAPTURE);
    const engine = otEngine(IEC104_DISSECTORS);
    let apdus = 0;
    let asdus = 0;
    for (let n = 1; n <= frames.length; n++) {
      iec104Tap.count = 0;
      const packet = engine.dissectFrame(frames[n - 1]);
      const where = `frame ${n}: ${packet.describeProblem()}`;
      const row = expected.get(n);
      if (!row) {
        strictEqual(iec104Tap.count, 0, `${where}: tshark shows no IEC-104`);
        continue;
      }
      const [, formats, uTypes, typeIds, causes, addresses] = row;
      const isI = (i: number) => iec104Tap.format[i] === 0;
      deepStrictEqual(tapList(iec104Tap.format), formats.map(Number), `${where} format`);
      // tshark's UType is the control octet shifted right by two (0x10 TESTFR act).
      deepStrictEqual(tapList(iec104Tap.uType, (i) => iec104Tap.format[i] === 3), uTypes.map(Number), where);
      deepStrictEqual(tapList(iec104Tap.typeId, isI), typeIds.map(Number), `${where} type id`);
      deepStrictEqual(tapList(iec104Tap.cause, isI), causes.map(Number), `${where} cause`);
      deepStrictEqual(
        tapList(iec104Tap.commonAddress, isI),
        addresses.map(Number),
        `${where} common address`,
      );
      apdus += formats.length;
      asdus += typeIds.length;
    }
    strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
    deepStrictEqual([expected.size, apdus, asdus], [86, 86, 72]);
  },
});

Deno.test({
  name: `iec104 events and identities of ${CAPTURE} follow tshark's commands and addresses${NOTE}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const path = sharedCapture(CAPTURE);
    const rows = await tsharkFields(path, [
      "tcp.srcport",
      "iec60870_asdu.typeid",
      "iec60870_asdu.causetx",
      "iec60870_asdu.addr",
      "iec60870_asdu.ioa",
    ], "iec60870_asdu");
    const record = await flushOfCapture(path, IEC104_DISSECTORS);
    const baseline = await flushOfCapture(path, []);
    strictEqual(record.stats.malformed, baseline.stats.malformed, String(record.stats.problems));
    const commands = new Set<string>();
    const monitored = new Set<string>();
    const addresses = new Set<string>();
    for (const [[srcPort], typeIds, causes, cas, ioas] of rows) {
      typeIds.forEach((t, i) => {
        const type = Number(t);
        addresses.add(cas[i]);
        if (((type >= 45 && type <= 51) || (type >= 58 && type <= 64)) && causes[i] === "6") {
          strictEqual(srcPort === "2404", false, "a command from the controlled station");
          commands.add(`${type} ${cas[i]} ${ioas[0]}`);
        }
        if (type < 45) monitored.add(`${type} ${cas[i]}`);
      });
    }
    const mine = (type: string) => record.events.filter((e) => e.type === type);
    deepStrictEqual(
      new Set(
        mine("iec104.command").map((e) => `${e.fields.type_id} ${e.fields.common_address} ${e.fields.ioa}`),
      ),
      commands,
    );
    ok(mine("iec104.command").every((e) => e.severity === "warning" && e.fields.cot === 6));
    // Monitoring data: one event per type id and common address, however many measurements.
    deepStrictEqual(
      mine("iec104.monitoring").map((e) => `${e.fields.type_id} ${e.fields.common_address}`).sort(),
      [...monitored].sort(),
    );
    deepStrictEqual(
      new Set(record.identities.filter((i) => i.key === "iec104.common_address").map((i) => i.value)),
      addresses,
    );
    strictEqual(commands.size, 7);
    ok(mine("iec104.interrogation").length === 1);
  },
});
