import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { device, handMade } from "./_test_docs.ts";
import { inferOtAssets, type OtAsset } from "./ot_roles.ts";
import { classifyDevices } from "./classify.ts";
import type { EventFact, IdentityFact } from "./evidence.ts";

const PLC = "02:00:00:00:00:10";
const HMI = "02:00:00:00:00:20";
const EWS = "02:00:00:00:00:30";
const HISTORIAN = "02:00:00:00:00:40";
const RTU = "02:00:00:00:00:50";
const IED = "02:00:00:00:00:60";
const IO = "02:00:00:00:00:70";
const OFFICE = "02:00:00:00:00:80";

function ipOf(mac: string): string {
  return `10.0.0.${parseInt(mac.slice(-2), 16)}`;
}

function at(mac: string, key: string, value: string, source: string, confidence = 80): Partial<IdentityFact> {
  return { ip: ipOf(mac), key, value, source, confidence };
}

function op(
  source: string,
  type: string,
  opName: string,
  severity: string,
  from: string,
  to: string,
  count = 1,
): Partial<EventFact> {
  return {
    source,
    type,
    severity,
    src_ip: ipOf(from),
    dst_ip: ipOf(to),
    fields: { op: opName },
    count,
    first_seen: "2026-01-01T00:00:00.000Z",
  };
}

function plant(): OtAsset[] {
  const macs = [PLC, HMI, EWS, HISTORIAN, RTU, IED, IO, OFFICE];
  const devices = macs.map((mac) => device(mac, { ips: [[ipOf(mac), ["traffic"]]] }));
  const identities: Partial<IdentityFact>[] = [
    at(PLC, "modbus.role", "server", "modbus"),
    at(PLC, "s7comm.role", "server", "s7comm"),
    at(PLC, "ot.vendor", "Siemens", "s7comm", 70),
    at(PLC, "ot.order_number", "6ES7 315-2EH14-0AB0", "s7comm", 90),
    at(PLC, "ot.firmware", "V3.2.6", "s7comm", 90),
    at(PLC, "child/modbus.unit/3/seen", "true", "modbus"),
    at(PLC, "child/modbus.unit/3/ot.vendor", "Schneider Electric", "modbus", 90),
    at(PLC, "child/modbus.unit/12/seen", "true", "modbus"),
    at(HMI, "modbus.role", "client", "modbus"),
    at(EWS, "s7comm.role", "client", "s7comm"),
    at(HISTORIAN, "modbus.role", "client", "modbus"),
    at(RTU, "dnp3.role", "outstation", "dnp3"),
    at(HMI, "dnp3.role", "master", "dnp3"),
    { mac: IED, key: "goose.role", value: "publisher", source: "goose" },
    { mac: IO, key: "profinet_dcp.role", value: "device", source: "profinet_dcp" },
    { mac: IO, key: "profinet_dcp.device_role", value: "IO-Device", source: "profinet_dcp" },
    at(OFFICE, "hostname", "DESKTOP-1", "dhcp"),
  ];
  const events: Partial<EventFact>[] = [
    op("modbus", "modbus.read", "read", "info", HMI, PLC, 500),
    op("modbus", "modbus.write", "write", "notice", HMI, PLC, 3),
    op("s7comm", "s7comm.download", "program_download", "critical", EWS, PLC),
    op("s7comm", "s7comm.plc_stop", "cpu_stop", "critical", EWS, PLC),
    op("modbus", "modbus.read", "read", "info", HISTORIAN, PLC, 900),
    op("dnp3", "dnp3.read", "read", "info", HMI, RTU, 40),
    // An event of an IT dissector is no OT activity.
    op("dns", "dns.query", "read", "info", OFFICE, PLC),
  ];
  return inferOtAssets(handMade(devices, identities, events));
}

function asset(assets: OtAsset[], mac: string): OtAsset {
  const found = assets.find((a) => a.mac_address === mac);
  if (!found) throw new Error(`${mac} is not an OT asset`);
  return found;
}

Deno.test("inferOtAssets: a Modbus and S7 server that is stopped and programmed is a level-1 PLC", () => {
  const plc = asset(plant(), PLC);
  deepStrictEqual([plc.role, plc.purdue_level], ["plc", 1]);
  deepStrictEqual(plc.reasons, ["answers S7comm as a server", "answers Modbus/TCP as a server"]);
  strictEqual(plc.confidence, 90);
  strictEqual(plc.purdue_reason, "plc → controller (level 1: basic control)");
  deepStrictEqual(plc.protocols, ["modbus:server", "s7comm:server"]);
  deepStrictEqual(plc.facts, {
    "ot.firmware": "V3.2.6",
    "ot.order_number": "6ES7 315-2EH14-0AB0",
    "ot.vendor": "Siemens",
  });
  deepStrictEqual(plc.children, [
    { kind: "modbus.unit", id: "3", attributes: { seen: "true", "ot.vendor": "Schneider Electric" } },
    { kind: "modbus.unit", id: "12", attributes: { seen: "true" } },
  ]);
  deepStrictEqual(plc.controlled_by, ["10.0.0.32", "10.0.0.48"]);
  deepStrictEqual(plc.notable_events, { "s7comm.download": 1, "s7comm.plc_stop": 1 });
});

Deno.test("inferOtAssets: one Modbus unit id alone is the device itself, not a child", () => {
  const devices = [device(PLC, { ips: [[ipOf(PLC), ["traffic"]]] })];
  const one = inferOtAssets(handMade(devices, [
    at(PLC, "modbus.role", "server", "modbus"),
    at(PLC, "child/modbus.unit/1/seen", "true", "modbus"),
  ]));
  deepStrictEqual(asset(one, PLC).children, []);
  const gateway = inferOtAssets(handMade(devices, [
    at(PLC, "modbus.role", "server", "modbus"),
    at(PLC, "child/modbus.unit/1/seen", "true", "modbus"),
    at(PLC, "modbus.gateway", "true", "modbus"),
  ]));
  deepStrictEqual(asset(gateway, PLC).children.map((child) => child.id), ["1"]);
});

Deno.test("inferOtAssets: program download and CPU stop make an engineering workstation", () => {
  const ews = asset(plant(), EWS);
  deepStrictEqual([ews.role, ews.purdue_level, ews.confidence], ["engineering_workstation", 2, 50]);
  deepStrictEqual(ews.reasons, ["sent program_download, cpu_stop to 10.0.0.16"]);
  deepStrictEqual(ews.controls, ["10.0.0.16"]);
});

Deno.test("inferOtAssets: writes and a DNP3 master make an HMI; read-only polling leans HMI over historian", () => {
  const assets = plant();
  const hmi = asset(assets, HMI);
  deepStrictEqual([hmi.role, hmi.purdue_level], ["hmi", 2]);
  deepStrictEqual(hmi.reasons, ["DNP3 master (SCADA)", "sent writes/commands to 10.0.0.16"]);
  const reader = asset(assets, HISTORIAN);
  deepStrictEqual([reader.role, reader.confidence], ["hmi", 15]);
  deepStrictEqual(reader.reasons, ["polls 10.0.0.16", "also historian: only reads (never writes)"]);
});

Deno.test("inferOtAssets: outstations are RTUs, GOOSE publishers IEDs, PROFINET IO devices level 0", () => {
  const assets = plant();
  deepStrictEqual([asset(assets, RTU).role, asset(assets, RTU).purdue_level], ["rtu", 1]);
  deepStrictEqual([asset(assets, IED).role, asset(assets, IED).purdue_level], ["ied", 1]);
  deepStrictEqual([asset(assets, IO).role, asset(assets, IO).purdue_level], ["io_device", 0]);
  strictEqual(assets.some((a) => a.mac_address === OFFICE), false, "an office PC is no OT asset");
});

Deno.test("inferOtAssets: a client reading from five OT servers is a historian (level 3)", () => {
  const servers = ["02:00:00:00:00:11", "02:00:00:00:00:12", "02:00:00:00:00:13", "02:00:00:00:00:14", PLC];
  const devices = [...servers, HISTORIAN].map((mac) => device(mac, { ips: [[ipOf(mac), ["traffic"]]] }));
  const events = servers.map((server) => op("modbus", "modbus.read", "read", "info", HISTORIAN, server, 100));
  const historian = asset(inferOtAssets(handMade(devices, [], events)), HISTORIAN);
  deepStrictEqual([historian.role, historian.purdue_level], ["historian", 3]);
  deepStrictEqual(historian.reasons, ["only reads, from 5 OT servers"]);
});

Deno.test("classifyDevices takes the OT role as the device type, with its reason", () => {
  const devices = [device(PLC, { ips: [[ipOf(PLC), ["traffic"]]], vendor: "Siemens AG" })];
  const doc = handMade(devices, [at(PLC, "s7comm.role", "server", "s7comm")]);
  const [found] = classifyDevices(doc, inferOtAssets(doc));
  strictEqual(found.device_type, "plc");
  deepStrictEqual(found.reasons, [
    "OT role plc: answers S7comm as a server",
    "OUI vendor Siemens AG (industrial; weak hint)",
  ]);
});
