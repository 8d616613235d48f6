import { ok, strictEqual } from "node:assert/strict";
import { flushOfCapture } from "../../_testing.ts";
import { captureFrames, otEngine } from "../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { DNP3_DISSECTORS, dnp3Tap } from "./mod.ts";

const CAPTURE = "dnp3_tcp_test_data_part1.pcap";
const FIELDS = [
  "frame.number",
  "dnp3.src",
  "dnp3.dst",
  "dnp3.ctl.dir",
  "dnp3.ctl.prm",
  "dnp3.ctl.prifunc",
  "dnp3.ctl.secfunc",
  "dnp3.al.func",
  "dnp3.al.iin",
  "dnp3.al.iin.rst",
  "ip.src",
  "ip.dst",
] as const;

Deno.test({
  name: `dnp3 link addresses, control, function codes and IIN equal tshark's in ${CAPTURE}${
    notes(SHARED_PCAPS, TSHARK)
  }`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const rows = await tsharkFields(sharedCapture(CAPTURE), FIELDS, "dnp3");
    const expected = new Map(rows.map((row) => [Number(row[0][0]), row]));
    const frames = await captureFrames(CAPTURE);
    const engine = otEngine(DNP3_DISSECTORS);
    let linkFrames = 0;
    let functions = 0;
    let iins = 0;
    for (let n = 1; n <= frames.length; n++) {
      dnp3Tap.count = 0;
      const packet = engine.dissectFrame(frames[n - 1]);
      const row = expected.get(n);
      if (!row) {
        strictEqual(dnp3Tap.count, 0, `frame ${n}: tshark shows no DNP3`);
        continue;
      }
      const [, srcs, dsts, dirs, prms, prifuncs, secfuncs, funcs, iin] = row;
      const where = `frame ${n}: ${packet.describeProblem()}`;
      strictEqual(dnp3Tap.count, srcs.length, where);
      for (let i = 0; i < dnp3Tap.count; i++) {
        const control = dnp3Tap.control[i];
        strictEqual(String(dnp3Tap.src[i]), srcs[i], `${where} source`);
        strictEqual(String(dnp3Tap.dst[i]), dsts[i], `${where} destination`);
        strictEqual(String(control >> 7), dirs[i], `${where} DIR`);
        strictEqual(String((control >> 6) & 1), prms[i], `${where} PRM`);
        strictEqual(
          String(control & 0x0f),
          (control & 0x40 ? prifuncs : secfuncs)[i],
          `${where} link function`,
        );
        linkFrames++;
      }
      // Every frame of this capture is a single FIR+FIN segment: tshark's application layer (read after
      // transport reassembly, on the FIN segment) is the one we read on the FIR segment.
      const ours = [...dnp3Tap.appFunction.subarray(0, dnp3Tap.count)].filter((f) => f >= 0).map(String);
      strictEqual(ours.join(), funcs.join(), `${where} application function`);
      functions += ours.length;
      const ourIin = [...dnp3Tap.iin.subarray(0, dnp3Tap.count)].filter((v) => v >= 0);
      strictEqual(
        ourIin.map((v) => `0x${v.toString(16).padStart(4, "0")}`).join(),
        iin.join(),
        `${where} IIN`,
      );
      iins += ourIin.length;
    }
    strictEqual(linkFrames, rows.length, "every DNP3 frame tshark shows was compared");
    strictEqual(linkFrames, 93);
    strictEqual(functions, 93);
    ok(iins > 40, `only ${iins} IIN compared`);
    strictEqual(engine.stats.malformed, 0, String(engine.stats.problems));
  },
});

Deno.test({
  name: `dnp3 roles, link addresses and restart events of ${CAPTURE} agree with tshark${
    notes(SHARED_PCAPS, TSHARK)
  }`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const rows = await tsharkFields(sharedCapture(CAPTURE), FIELDS, "dnp3");
    const record = await flushOfCapture(sharedCapture(CAPTURE), DNP3_DISSECTORS);
    const baseline = await flushOfCapture(sharedCapture(CAPTURE), []);
    strictEqual(record.stats.malformed, baseline.stats.malformed, String(record.stats.problems));
    const has = (ip: string, key: string, value: string, confidence?: number) =>
      record.identities.some((i) =>
        i.ip === ip && i.key === key && i.value === value &&
        (confidence === undefined || i.confidence === confidence)
      );
    const events = record.events.filter((e) => e.source === "dnp3");
    for (const [[frame], [src], [dst], [dir], , , , [func], , [restart], [ipSrc], [ipDst]] of rows) {
      const where = `frame ${frame}`;
      ok(has(ipSrc, "dnp3.role", dir === "1" ? "master" : "outstation"), `${where}: role of ${ipSrc}`);
      ok(has(ipDst, "dnp3.role", dir === "1" ? "outstation" : "master"), `${where}: role of ${ipDst}`);
      ok(has(ipSrc, "dnp3.address", src, 90), `${where}: address ${src} of ${ipSrc}`);
      if (Number(dst) < 0xfff0) ok(has(ipDst, "dnp3.address", dst), `${where}: address ${dst} of ${ipDst}`);
      const matching = (type: string) =>
        events.some((e) =>
          e.type === type && e.src_ip === ipSrc && e.dst_ip === ipDst && e.fields.function === Number(func) &&
          e.fields.src_address === Number(src) && e.fields.dst_address === Number(dst)
        );
      if (restart === "1") ok(matching("dnp3.device_restart"), `${where}: device restart`);
      if (func === "13") ok(matching("dnp3.cold_restart"), `${where}: cold restart`);
      if (func === "130") ok(matching("dnp3.unsolicited_response"), `${where}: unsolicited response`);
    }
    ok(events.some((e) => e.type === "dnp3.cold_restart" && e.severity === "critical"));
    ok(events.some((e) => e.type === "dnp3.stop_application" && e.severity === "critical"));
    ok(events.some((e) => e.type === "dnp3.time_sync" && e.severity === "warning" && e.fields.group === 50));
  },
});
