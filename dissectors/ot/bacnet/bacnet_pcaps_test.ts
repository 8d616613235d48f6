import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tshark, tsharkFields } from "../../../tests/tshark_fields.ts";
import { PacketFlag } from "../../api.ts";
import { captureFrames, otEngine } from "../_testing.ts";
import { OBJECT_TYPES, propertyName, VENDORS } from "./_consts.ts";
import { apduTrace, BACNET_DISSECTORS, npduTrace } from "./mod.ts";

const CAPTURES = ["bacnet_stack_services_ip_and_ethernet.pcap", "qinq_8100x2_bacnet_whois.pcap"];
const FIELDS = [
  "frame.number",
  "bvlc.function",
  "bacnet.control",
  "bacnet.dnet",
  "bacnet.snet",
  "bacnet.sadr_mstp",
  "bacnet.sadr_eth",
  "bacapp.type",
  "bacapp.confirmed_service",
  "bacapp.unconfirmed_service",
  "bacapp.objectType",
  "bacapp.instance_number",
  "bacapp.vendor_identifier",
  "bacapp.property_identifier",
  "_ws.malformed",
  "ip.src",
  "eth.src",
] as const;
const NOTE = notes(SHARED_PCAPS, TSHARK);

/** What the dissector saw in one frame, from its reused traces (-1: absent). */
function snapshot(malformed: boolean) {
  return {
    bvlc: npduTrace.bvlcFunction,
    control: npduTrace.control,
    dnet: npduTrace.dnet,
    snet: npduTrace.snet,
    sadr: npduTrace.sadr,
    sadrHex: npduTrace.sadrLength > 0
      ? npduTrace.sadr.toString(16).padStart(2 * npduTrace.sadrLength, "0")
      : "",
    type: apduTrace.type,
    service: apduTrace.service,
    objectTypes: Array.from(apduTrace.objectTypes.subarray(0, apduTrace.objectCount)),
    instances: Array.from(apduTrace.instances.subarray(0, apduTrace.objectCount)),
    vendor: apduTrace.vendor,
    properties: Array.from(apduTrace.properties.subarray(0, apduTrace.propertyCount)),
    malformed,
  };
}

const one = (values: string[]) => (values.length > 0 ? Number(values[0]) : -1);
const numbers = (values: string[]) => values.map((v) => Number(v));

Deno.test({
  name: `bacnet: BVLC, NPDU and APDU fields of every BACnet frame equal tshark${NOTE}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    let compared = 0;
    let devices = 0;
    for (const name of CAPTURES) {
      const rows = await tsharkFields(sharedCapture(name), FIELDS, "bacnet");
      const frames = await captureFrames(name);
      const engine = otEngine(BACNET_DISSECTORS);
      const seen = new Map<number, ReturnType<typeof snapshot>>();
      frames.forEach((bytes, i) => {
        // Frames that do not reach the dissector leave the traces as they were.
        npduTrace.bvlcFunction = npduTrace.control = -1;
        const packet = engine.dissectFrame(bytes);
        if (npduTrace.bvlcFunction >= 0 || npduTrace.control >= 0) {
          seen.set(i + 1, snapshot((packet.flags & PacketFlag.MALFORMED) !== 0));
        }
      });
      const record = engine.flush();
      deepStrictEqual([...seen.keys()], rows.map((row) => Number(row[0][0])), `${name}: BACnet frames`);
      for (const row of rows) {
        const [[number], bvlc, control, dnet, snet, mstp, eth, type, confirmed, unconfirmed, ...rest] = row;
        const [objectTypes, instances, vendor, properties, malformed, [ip], [mac]] = rest;
        const mine = seen.get(Number(number))!;
        const where = `${name} frame ${number}`;
        const sadr = mstp.length > 0
          ? Number(mstp[0])
          : eth.length > 0
          ? parseInt(eth[0].replaceAll(":", ""), 16)
          : 0;
        deepStrictEqual(
          [mine.bvlc, mine.control, mine.dnet, mine.snet, mine.sadr],
          [one(bvlc), one(control), one(dnet), one(snet), sadr],
          `${where}: BVLC function, NPDU control, DNET, SNET, SADR`,
        );
        deepStrictEqual(
          [mine.type, mine.service, mine.vendor, mine.malformed],
          [one(type), Math.max(one(confirmed), one(unconfirmed)), one(vendor), malformed.length > 0],
          `${where}: APDU type, service choice, vendor id, malformed`,
        );
        deepStrictEqual(mine.objectTypes, numbers(objectTypes), `${where}: object types`);
        deepStrictEqual(mine.instances, numbers(instances), `${where}: instances`);
        deepStrictEqual(mine.properties, numbers(properties), `${where}: properties`);
        if (mine.type === 1 && mine.service === 0) {
          // I-Am: the device (or the router's child) has its instance and vendor.
          const prefix = mine.snet >= 0 ? `child/bacnet.device/${mine.snet}:${mine.sadrHex}/` : "";
          const has = (key: string, value: string) =>
            record.identities.some((i) =>
              (i.ip ?? i.mac) === (ip ?? mac) && i.key === prefix + key && i.value === value
            );
          ok(has("bacnet.device_instance", instances[0]), `${where}: device instance`);
          ok(has("ot.vendor_id", vendor[0]), `${where}: vendor id`);
          const vendorName = VENDORS[Number(vendor[0])];
          if (vendorName) ok(has("ot.vendor", vendorName), `${where}: vendor name`);
          devices++;
        }
        compared++;
      }
    }
    // 113 + 2 BACnet frames (87 BACnet/IP, 26 BACnet/Ethernet, 2 in QinQ), 22 I-Am.
    strictEqual(compared, 115);
    strictEqual(devices, 22);
  },
});

Deno.test({
  name: `bacnet: vendor, object type and property names equal tshark's for every id mapped${TSHARK.note}`,
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
    const vendors = table("bacapp.vendor_identifier");
    for (const [id, name] of Object.entries(VENDORS)) {
      strictEqual(name, vendors.get(Number(id)), `vendor ${id}`);
    }
    const types = table("bacapp.objectType");
    OBJECT_TYPES.forEach((name, id) => strictEqual(name, types.get(id), `object type ${id}`));
    const properties = table("bacapp.property_identifier");
    for (const id of [8, 12, 28, 44, 70, 75, 76, 77, 79, 81, 85, 87, 103, 111, 117, 120, 121]) {
      strictEqual(propertyName(id), properties.get(id), `property ${id}`);
    }
  },
});
