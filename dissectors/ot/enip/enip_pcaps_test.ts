import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tshark, tsharkFields } from "../../../tests/tshark_fields.ts";
import { captureFrames, otEngine } from "../_testing.ts";
import { DEVICE_TYPES, VENDORS } from "./_consts.ts";
import { cipTrace, ENIP_DISSECTORS, enipTrace } from "./mod.ts";

const CAPTURES = ["enip_cip_io_listidentity_1756enbt.pcap", "enip_cip_controllogix_change_date.pcap"];
const FIELDS = [
  "frame.number",
  "enip.command",
  "cip.sc",
  "cip.class",
  "cip.instance",
  "cip.attribute",
  "cip.genstat",
  "ip.src",
  "enip.lir.vendor",
  "enip.lir.devtype",
  "enip.lir.prodcode",
  "enip.lir.revision",
  "enip.lir.serial",
  "enip.lir.name",
] as const;
const NOTE = notes(SHARED_PCAPS, TSHARK);

/** What the dissector saw in one frame, from its reused traces. */
interface Seen {
  commands: number[];
  services: number[];
  classes: number[];
  instances: number[];
  attributes: number[];
  statuses: number[];
}

function snapshot(): Seen {
  const n = cipTrace.count;
  const services = Array.from(cipTrace.service.subarray(0, n));
  return {
    commands: Array.from(enipTrace.commands.subarray(0, enipTrace.count)),
    services,
    classes: Array.from(cipTrace.classId.subarray(0, n)).filter((v) => v >= 0),
    instances: Array.from(cipTrace.instance.subarray(0, n)).filter((v) => v >= 0),
    attributes: Array.from(cipTrace.attributes.subarray(0, cipTrace.attributeCount)),
    statuses: Array.from(cipTrace.status.subarray(0, n)).filter((v) => v >= 0),
  };
}

const numbers = (values: string[]) => values.map((v) => Number(v));

Deno.test({
  name:
    `enip: every encapsulation command and CIP service/class/instance/attribute/status equals tshark${NOTE}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    let compared = 0;
    let requests = 0;
    let identities = 0;
    for (const name of CAPTURES) {
      const rows = await tsharkFields(sharedCapture(name), FIELDS, "enip.command");
      const byFrame = new Map(rows.map((row) => [Number(row[0][0]), row]));
      const frames = await captureFrames(name);
      const engine = otEngine(ENIP_DISSECTORS);
      const seen = new Map<number, Seen>();
      frames.forEach((bytes, i) => {
        // Frames that do not reach the dissector leave the traces as they were.
        enipTrace.count = 0;
        engine.dissectFrame(bytes);
        if (enipTrace.count > 0) seen.set(i + 1, snapshot());
      });
      const record = engine.flush();
      strictEqual(record.stats.malformed, 0, `${name}: ${record.stats.problems}`);
      deepStrictEqual([...seen.keys()], [...byFrame.keys()], `${name}: frames with an encapsulation`);
      for (const [number, row] of byFrame) {
        const [, command, sc, cls, instance, attribute, genstat, [src], ...lir] = row;
        const mine = seen.get(number)!;
        const where = `${name} frame ${number}`;
        deepStrictEqual(mine.commands, numbers(command), `${where}: commands`);
        deepStrictEqual(mine.services.map((s) => s & 0x7f), numbers(sc), `${where}: services`);
        const isRequest = mine.services.length > 0 && (mine.services[0] & 0x80) === 0;
        if (isRequest) {
          // Responses: tshark repeats the path of the request it matched; the dissector keeps no state.
          deepStrictEqual(mine.classes, numbers(cls), `${where}: classes`);
          deepStrictEqual(mine.instances, numbers(instance), `${where}: instances`);
          deepStrictEqual(mine.attributes, numbers(attribute), `${where}: attributes`);
          requests++;
        } else {
          deepStrictEqual(mine.statuses, numbers(genstat), `${where}: general status`);
        }
        const [vendor, devtype, prodcode, revision, serial, productName] = lir;
        if (vendor.length > 0) {
          const has = (key: string, value: string) =>
            record.identities.some((i) => i.ip === src && i.key === key && i.value === value);
          const rev = Number(revision[0]);
          ok(has("ot.vendor_id", String(Number(vendor[0]))), `${where}: vendor`);
          ok(has("enip.device_type_id", String(Number(devtype[0]))), `${where}: device type`);
          ok(has("ot.product_code", prodcode[0]), `${where}: product code`);
          ok(has("ot.firmware", `${rev >> 8}.${String(rev & 0xff).padStart(2, "0")}`), `${where}: revision`);
          ok(has("ot.serial", serial[0]), `${where}: serial`);
          ok(has("ot.product", productName[0]), `${where}: product name`);
          identities++;
        }
        compared++;
      }
    }
    // 269 + 267 frames with an encapsulation, 266 CIP requests, one ListIdentity reply.
    strictEqual(compared, 536);
    ok(requests > 250, `${requests} requests`);
    strictEqual(identities, 1);
  },
});

Deno.test({
  name: `enip: vendor and device type names equal tshark's for every id mapped${TSHARK.note}`,
  ignore: TSHARK.skip,
  async fn() {
    const text = await tshark(["-G", "values"]);
    const table = (field: string) =>
      new Map(
        text.split("\n").map((line) => line.split("\t")).filter((cols) =>
          cols[0] === "V" && cols[1] === field
        )
          .map((cols) => [Number(cols[2]), cols[3]]),
      );
    const vendors = table("enip.lir.vendor");
    for (const [id, name] of Object.entries(VENDORS)) {
      strictEqual(name, vendors.get(Number(id)), `vendor ${id}`);
    }
    const types = table("enip.lir.devtype");
    for (const [id, name] of Object.entries(DEVICE_TYPES)) {
      strictEqual(name, types.get(Number(id)), `device type ${id}`);
    }
    ok(Object.keys(VENDORS).length >= 40);
  },
});
