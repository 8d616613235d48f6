import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { flushOfCapture } from "../../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { captureFrames, eventLines, fuzzDissectors, identityLines, otEngine } from "../_testing.ts";
import { GooseReader, OK, visibleAt } from "./_reader.ts";
import { forgetGooseState, GOOSE_DISSECTORS } from "./mod.ts";

const PUBLISHER = [0x00, 0x0a, 0xdc, 0x01, 0x02, 0x03];
function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

/** A BER element with a short or long (0x81/0x82) definite length. */
function ber(tag: number, value: number[]): number[] {
  const n = value.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return [tag, ...length, ...value];
}

interface Pdu {
  stNum: number;
  simulation?: boolean;
  ndsCom?: boolean;
}

/** A VLAN-tagged GOOSE frame (VID 0, priority 4) with a goosePdu holding two booleans. */
function gooseFrame({ stNum, simulation = false, ndsCom = false }: Pdu): Uint8Array {
  const pdu = ber(0x61, [
    ...ber(0x80, ascii("IED1LD0/LLN0$GO$gcb1")),
    ...ber(0x81, [0x07, 0xd0]),
    ...ber(0x82, ascii("IED1LD0/LLN0$DataSet1")),
    ...ber(0x83, ascii("IED1_GOOSE1")),
    ...ber(0x84, [0x48, 0x88, 0x90, 0xc1, 0x24, 0, 0, 0x27]),
    ...ber(0x85, [stNum]),
    ...ber(0x86, [0]),
    ...ber(0x87, [simulation ? 0xff : 0]),
    ...ber(0x88, [0x01, 0x00]),
    ...ber(0x89, [ndsCom ? 1 : 0]),
    ...ber(0x8a, [2]),
    ...ber(0xab, [...ber(0x83, [0]), ...ber(0x83, [1])]),
  ]);
  const goose = [0x10, 0x01, (8 + pdu.length) >> 8, (8 + pdu.length) & 0xff, 0, 0, 0, 0, ...pdu];
  return Uint8Array.from([
    1,
    0x0c,
    0xcd,
    1,
    0,
    1,
    ...PUBLISHER,
    0x81,
    0x00,
    0x80,
    0x00,
    0x88,
    0xb8,
    ...goose,
  ]);
}

const BUILT = [gooseFrame({ stNum: 1 }), gooseFrame({ stNum: 2, simulation: true, ndsCom: true })];

Deno.test("goose reports the publisher's identities and a state change", () => {
  forgetGooseState();
  const record = otEngine(
    GOOSE_DISSECTORS,
    gooseFrame({ stNum: 1 }),
    gooseFrame({ stNum: 1 }),
    gooseFrame({ stNum: 2 }),
  )
    .flush();
  deepStrictEqual(identityLines(record), [
    "00:0a:dc:01:02:03 goose.appid=0x1001",
    "00:0a:dc:01:02:03 goose.conf_rev=256",
    "00:0a:dc:01:02:03 goose.dat_set=IED1LD0/LLN0$DataSet1",
    "00:0a:dc:01:02:03 goose.go_id=IED1_GOOSE1",
    "00:0a:dc:01:02:03 goose.gocb_ref=IED1LD0/LLN0$GO$gcb1",
    "00:0a:dc:01:02:03 goose.role=publisher",
    "00:0a:dc:01:02:03 ot.device_type=IED",
  ]);
  deepStrictEqual(eventLines(record), [
    'goose.state_change info 00:0a:dc:01:02:03>01:0c:cd:01:00:01 {"op":"publish","gocb_ref":"IED1LD0/LLN0$GO$gcb1","dat_set":"IED1LD0/LLN0$DataSet1"}',
  ]);
  strictEqual(record.events[0].vlan_id, 0);
  strictEqual(record.stats.malformed, 0);
});

Deno.test("goose reports simulation and needsCommissioning as notices", () => {
  forgetGooseState();
  const record = otEngine(GOOSE_DISSECTORS, BUILT[1]).flush();
  deepStrictEqual(record.events.map((e) => `${e.type} ${e.severity} ${e.src_mac}`), [
    "goose.simulation notice 00:0a:dc:01:02:03",
    "goose.ndscom notice 00:0a:dc:01:02:03",
  ]);
});

Deno.test("goose refuses BER lengths past the PDU, indefinite lengths and a missing goosePdu tag", () => {
  const cases: [number, number][] = [[26 + 1, 0x7f], [26 + 1, 0x80], [26, 0x30], [26 + 3, 0x84]];
  for (const [at, value] of cases) {
    const bad = gooseFrame({ stNum: 1 });
    bad[at] = value;
    const record = otEngine(GOOSE_DISSECTORS, bad).flush();
    strictEqual(record.stats.malformed, 1, `byte ${at} = ${value}`);
    strictEqual(record.identities.length, 0);
  }
});

const FIELDS = [
  "frame.number",
  "eth.src",
  "goose.appid",
  "goose.gocbRef",
  "goose.datSet",
  "goose.goID",
  "goose.stNum",
  "goose.sqNum",
  "goose.confRev",
  "goose.simulation",
  "goose.ndsCom",
  "goose.numDatSetEntries",
  "goose.allData",
  "goose.timeAllowedtoLive",
];

Deno.test({
  name: `goose matches tshark on every frame of the shared capture${notes(SHARED_PCAPS, TSHARK)}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const name = "goose_vlan_tagged.pcap";
    const rows = await tsharkFields(sharedCapture(name), FIELDS, "goose");
    const frames = await captureFrames(name);
    forgetGooseState();
    const record = await flushOfCapture(sharedCapture(name), GOOSE_DISSECTORS);
    strictEqual(record.stats.malformed, 0, String(record.stats.problems));
    const reader = new GooseReader();
    const transitions = new Map<string, number>();
    const last = new Map<string, string>();
    const has = (mac: string, key: string, value: string) =>
      record.identities.some((i) => i.mac === mac && i.key === key && i.value === value);
    for (const [[n], [src], [appid], [gocbRef], [datSet], [goId], [stNum], [sqNum], ...rest] of rows) {
      const [[confRev], [simulation], [ndsCom], [entries], [allData], [tal]] = rest;
      const where = `frame ${n}`;
      const frame = frames[Number(n) - 1];
      const at = frame[12] === 0x81 ? 18 : 14;
      strictEqual(
        reader.read(frame, new DataView(frame.buffer, frame.byteOffset), at, frame.length),
        OK,
        where,
      );
      deepStrictEqual(
        [
          `0x${reader.appid.toString(16).padStart(4, "0")}`,
          visibleAt(frame, reader.gocbRefAt, reader.gocbRefLength),
          visibleAt(frame, reader.datSetAt, reader.datSetLength),
          visibleAt(frame, reader.goIdAt, reader.goIdLength),
          reader.stNum,
          reader.sqNum,
          reader.confRev,
          reader.simulation,
          reader.ndsCom,
          reader.numDatSetEntries,
          reader.allDataCount,
          reader.timeAllowedToLive,
        ],
        [
          appid,
          gocbRef,
          datSet,
          goId,
          ...[stNum, sqNum, confRev, simulation, ndsCom, entries, allData, tal].map(Number),
        ],
        where,
      );
      for (
        const [key, value] of [["goose.appid", appid], ["goose.gocb_ref", gocbRef], ["goose.dat_set", datSet]]
      ) {
        ok(has(src, key, value), `${where}: ${key}=${value}`);
      }
      ok(
        has(src, "goose.go_id", goId) && has(src, "goose.conf_rev", confRev) &&
          has(src, "goose.role", "publisher"),
      );
      if (last.has(gocbRef) && last.get(gocbRef) !== stNum) {
        transitions.set(gocbRef, (transitions.get(gocbRef) ?? 0) + 1);
      }
      last.set(gocbRef, stNum);
    }
    strictEqual(rows.length, 451);
    strictEqual(last.size, 3);
    // Every stNum transition tshark shows is one goose.state_change (counted per gocbRef within the flush).
    const counted = new Map(
      record.events.filter((e) => e.type === "goose.state_change").map((
        e,
      ) => [String(e.fields.gocb_ref), e.count]),
    );
    deepStrictEqual(counted, transitions);
    ok(!record.events.some((e) => e.type !== "goose.state_change"), eventLines(record).join("\n"));
  },
});

Deno.test(`goose survives truncation and 100 000 seeded mutations${SHARED_PCAPS.skip ? ` (built frames only: skipped ${SHARED_PCAPS.missing})` : ""}`, async () => {
  const real = SHARED_PCAPS.skip ? [] : await captureFrames("goose_vlan_tagged.pcap", [1, 2, 200]);
  const report = fuzzDissectors({
    dissectors: GOOSE_DISSECTORS,
    bases: [...real, ...BUILT],
    rounds: 100_000,
    seed: 0x88b8,
    mutateFrom: () => 18,
  });
  ok(report.malformedBy.goose > 0, JSON.stringify(report));
  console.log(JSON.stringify(report));
});
