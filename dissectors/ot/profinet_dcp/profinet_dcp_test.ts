import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { flushOfCapture } from "../../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { captureFrames, eventLines, fuzzDissectors, otEngine } from "../_testing.ts";
import { DcpReader, OK } from "./_reader.ts";
import { PROFINET_DCP_DISSECTORS } from "./mod.ts";

const CONTROLLER = [0x02, 0, 0, 0, 0, 0x01];
const DEVICE = [0x00, 0x1b, 0x1b, 0x12, 0x34, 0x56];

/** Ethernet II frame dst, src, EtherType 0x8892, FrameID, DCP header and `blocks`, padded to 60 bytes. */
function dcpFrame(
  dst: number[],
  src: number[],
  frameId: number,
  service: number,
  type: number,
  blocks: number[],
) {
  const body = [
    frameId >> 8,
    frameId & 0xff,
    service,
    type,
    0x01,
    0x02,
    0x03,
    0x04,
    0,
    type === 0 ? 1 : 0,
    blocks.length >> 8,
    blocks.length & 0xff,
    ...blocks,
  ];
  const bytes = new Uint8Array(Math.max(60, 14 + body.length));
  bytes.set([...dst, ...src, 0x88, 0x92, ...body]);
  return bytes;
}

function block(option: number, suboption: number, value: number[]): number[] {
  const padded = value.length & 1 ? [...value, 0] : value;
  return [option, suboption, value.length >> 8, value.length & 0xff, ...padded];
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

const SET_NAME = dcpFrame(DEVICE, CONTROLLER, 0xfefd, 4, 0, block(2, 2, [0, 1, ...ascii("plc-7")]));
const SET_IP = dcpFrame(
  DEVICE,
  CONTROLLER,
  0xfefd,
  4,
  0,
  block(1, 2, [0, 1, 10, 0, 0, 7, 255, 255, 255, 0, 10, 0, 0, 1]),
);
const FACTORY_RESET = dcpFrame(DEVICE, CONTROLLER, 0xfefd, 4, 0, block(5, 6, [0, 0]));
const HELLO = dcpFrame([1, 0x0e, 0xcf, 0, 0, 1], DEVICE, 0xfefc, 6, 0, [
  ...block(2, 2, [0, 0, ...ascii("io-dev")]),
  ...block(2, 3, [0, 0, 0x00, 0x2a, 0x0a, 0x01]),
  ...block(2, 4, [0, 0, 0x01, 0]),
]);
const GET = dcpFrame(DEVICE, CONTROLLER, 0xfefd, 3, 0, [2, 2, 1, 2]);
const BUILT = [SET_NAME, SET_IP, FACTORY_RESET, HELLO, GET];

Deno.test("profinet_dcp reports a Set of NameOfStation as a warning about the target device", () => {
  const record = otEngine(PROFINET_DCP_DISSECTORS, SET_NAME).flush();
  deepStrictEqual(eventLines(record), [
    'profinet_dcp.set warning 02:00:00:00:00:01>00:1b:1b:12:34:56 {"what":"name_of_station","name_of_station":"plc-7","op":"config_change"}',
  ]);
  strictEqual(record.events[0].mac, "00:1b:1b:12:34:56");
  ok(
    record.identities.some((i) =>
      i.mac === "02:00:00:00:00:01" && i.key === "profinet_dcp.role" && i.value === "controller"
    ),
  );
  strictEqual(record.stats.malformed, 0);
});

Deno.test("profinet_dcp reports a Set of IP parameters and a factory reset (critical)", () => {
  const record = otEngine(PROFINET_DCP_DISSECTORS, SET_IP, FACTORY_RESET).flush();
  deepStrictEqual(eventLines(record), [
    'profinet_dcp.set warning 02:00:00:00:00:01>00:1b:1b:12:34:56 {"what":"ip","ip":"10.0.0.7","netmask":"255.255.255.0","gateway":"10.0.0.1","op":"config_change"}',
    'profinet_dcp.set critical 02:00:00:00:00:01>00:1b:1b:12:34:56 {"what":"factory_reset","op":"config_change"}',
  ]);
});

Deno.test("profinet_dcp reads the identity of a Hello sender", () => {
  const record = otEngine(PROFINET_DCP_DISSECTORS, HELLO, GET).flush();
  const facts = record.identities.filter((i) => i.mac === "00:1b:1b:12:34:56").map((i) =>
    `${i.key}=${i.value}`
  ).sort();
  deepStrictEqual(facts, [
    "hostname=io-dev",
    "ot.station_name=io-dev",
    "ot.vendor=Siemens",
    "ot.vendor_id=0x002a",
    "profinet_dcp.device_id=0x0a01",
    "profinet_dcp.device_role=device",
    "profinet_dcp.role=device",
  ]);
  deepStrictEqual(record.events.map((e) => `${e.type} ${e.severity}`), [
    "profinet_dcp.hello info",
    "profinet_dcp.get info",
  ]);
});

Deno.test("profinet_dcp refuses a block longer than the DCP data and ignores cyclic data", () => {
  const bad = dcpFrame(DEVICE, CONTROLLER, 0xfefd, 4, 0, block(2, 2, [0, 1, ...ascii("plc-7")]));
  bad[14 + 12 + 3] = 0x40; // block length 64 > DCPDataLength
  const cyclic = dcpFrame(DEVICE, CONTROLLER, 0x8001, 0, 0, []);
  const record = otEngine(PROFINET_DCP_DISSECTORS, bad, cyclic).flush();
  strictEqual(record.stats.malformed, 1);
  ok(record.identities.some((i) => i.key === "profinet.rt_io" && i.mac === "02:00:00:00:00:01"));
});

const FIELDS = [
  "frame.number",
  "eth.src",
  "eth.dst",
  "pn_dcp.service_id",
  "pn_dcp.service_type",
  "pn_dcp.option",
  "pn_dcp.suboption_ip",
  "pn_dcp.suboption_device",
  "pn_dcp.suboption_control",
  "pn_dcp.suboption_device_nameofstation",
  "pn_dcp.suboption_vendor_id",
  "pn_dcp.suboption_device_id",
  "pn_dcp.suboption_ip_ip",
  "pn_dcp.suboption_device_role",
  "pn_dcp.suboption_device_devicevendorvalue",
];

/** Options and per-option suboptions as tshark lists them (the Device Options block's entries and the option a Control/Response block answers count too). */
function blocksOf(frame: Uint8Array) {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const reader = new DcpReader();
  strictEqual(reader.header(frame, view, 16, frame.length), OK);
  const options: number[] = [];
  const sub: Record<number, number[]> = { 1: [], 2: [], 5: [] };
  const add = (o: number, s: number) => sub[o]?.push(s);
  for (let blocks = 0;; blocks++) {
    ok(blocks < frame.length, "reader.next() keeps returning blocks: it does not advance");
    strictEqual(reader.next(), OK);
    if (reader.option < 0) break;
    options.push(reader.option);
    add(reader.option, reader.suboption);
    if (reader.option === 2 && reader.suboption === 5) {
      for (let i = 0; i + 1 < reader.valueLength; i += 2) {
        options.push(frame[reader.valueAt + i]);
        add(frame[reader.valueAt + i], frame[reader.valueAt + i + 1]);
      }
    }
    if (reader.option === 5 && reader.suboption === 4) add(frame[reader.valueAt], frame[reader.valueAt + 1]);
  }
  return { service: reader.serviceId, type: reader.serviceType, options, sub };
}

Deno.test({
  name: `profinet_dcp matches tshark on every DCP frame of the shared captures${notes(SHARED_PCAPS, TSHARK)}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    let compared = 0;
    for (const name of ["profinet_dcp_identify.pcap", "profinet_dcp_set_ip.pcap"]) {
      const rows = await tsharkFields(sharedCapture(name), FIELDS, "pn_dcp");
      const frames = await captureFrames(name);
      const record = await flushOfCapture(sharedCapture(name), PROFINET_DCP_DISSECTORS);
      strictEqual(record.stats.malformed, 0, String(record.stats.problems));
      const has = (mac: string, key: string, value: string) =>
        record.identities.some((i) => i.mac === mac && i.key === key && i.value === value);
      for (
        const [[n], [src], [dst], [service], [type], options, subIp, subDevice, subControl, ...values] of rows
      ) {
        const [names, vendorIds, deviceIds, ips, roles, vendorValues] = values;
        const where = `${name} frame ${n}`;
        const got = blocksOf(frames[Number(n) - 1]);
        strictEqual(got.service, Number(service), where);
        strictEqual(got.type, Number(type), where);
        deepStrictEqual(got.options, options.map(Number), where);
        deepStrictEqual(got.sub[1], subIp.map(Number), where);
        deepStrictEqual(got.sub[2], subDevice.map(Number), where);
        deepStrictEqual(got.sub[5], subControl.map(Number), where);
        compared++;
        if (type === "0" && service === "5") {
          const filter = names.length
            ? { filter: "name_of_station", name_of_station: names[0] }
            : { filter: "all" };
          ok(
            record.events.some((e) =>
              e.type === "profinet_dcp.identify" && e.src_mac === src && e.severity === "info" &&
              JSON.stringify(e.fields) === JSON.stringify({ op: "identify", ...filter })
            ),
            `${where}: identify ${JSON.stringify(filter)}`,
          );
          ok(has(src, "profinet_dcp.role", "controller"), where);
        }
        if (type === "0" && service === "4") {
          for (const ip of ips) {
            ok(
              record.events.some((e) =>
                e.type === "profinet_dcp.set" && e.severity === "warning" && e.src_mac === src &&
                e.mac === dst && e.fields.what === "ip" && e.fields.ip === ip
              ),
              `${where}: set ip ${ip}`,
            );
          }
        }
        if (type === "1" && service === "5") {
          ok(has(src, "profinet_dcp.role", "device"), where);
          for (const v of names) ok(has(src, "ot.station_name", v), `${where}: name ${v}`);
          for (const v of vendorIds) ok(has(src, "ot.vendor_id", v), `${where}: vendor ${v}`);
          for (const v of deviceIds) ok(has(src, "profinet_dcp.device_id", v), `${where}: device ${v}`);
          for (const v of ips) ok(has(src, "profinet_dcp.ip", v), `${where}: ip ${v}`);
          for (const v of vendorValues) ok(has(src, "ot.product", v), `${where}: type ${v}`);
          const roleNames = ["device", "controller", "multidevice", "supervisor"];
          for (const v of roles) {
            const bits = Number(v);
            ok(
              has(src, "profinet_dcp.device_role", roleNames.filter((_, i) => bits & (1 << i)).join(",")),
              where,
            );
          }
        }
      }
    }
    strictEqual(compared, 18);
  },
});

Deno.test(`profinet_dcp survives truncation and 100 000 seeded mutations${SHARED_PCAPS.skip ? ` (built frames only: skipped ${SHARED_PCAPS.missing})` : ""}`, async () => {
  const real = SHARED_PCAPS.skip ? [] : [
    ...await captureFrames("profinet_dcp_identify.pcap", [1]),
    ...await captureFrames("profinet_dcp_set_ip.pcap", [1, 2, 3, 4]),
  ];
  const report = fuzzDissectors({
    dissectors: PROFINET_DCP_DISSECTORS,
    bases: [...real, ...BUILT],
    rounds: 100_000,
    seed: 0x8892,
  });
  ok(report.malformedBy.profinet_dcp > 0, JSON.stringify(report));
  console.log(JSON.stringify(report));
});
