import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  type AddressClaim,
  addressClaimAlerts,
  ipChangedAlerts,
  newMasterAlerts,
  otAlertType,
  otEventAlerts,
} from "./mod.ts";
import type { EventRecord } from "../../model/flush_record.ts";

function claim(mac: string, ip: string, firstUs: number, lastUs: number, gateway = false): AddressClaim {
  return { mac, ip, vlan: null, firstUs, lastUs, gateway, announced: true };
}

Deno.test("otAlertType() maps operations and event types to one alert type each", () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ["modbus.write", "write", "ot.write"],
    ["modbus.read", "read", undefined],
    ["s7comm.pi_service", "program_download", "ot.program_change"],
    ["s7comm.plc_stop", "cpu_stop", "ot.cpu_state"],
    ["s7comm.cpu_state", "diagnostic", undefined], // reading the CPU state changes nothing
    ["dnp3.cold_restart", "restart", "ot.restart"],
    ["profinet_dcp.set", "config_change", "ot.config_change"],
    ["iec104.command", "command", "ot.config_change"],
    ["iec104.command_confirmation", "command", undefined],
    ["bacnet.file_read", "file_transfer", undefined],
    ["bacnet.file_write", "file_transfer", "ot.write"],
    ["bacnet.device_communication_control", "config_change", "ot.config_change"],
    ["enip.read", undefined, undefined],
  ];
  for (const [type, op, expected] of cases) {
    strictEqual(otAlertType({ type, kind: "event", fields: op === undefined ? {} : { op } }), expected, type);
  }
  strictEqual(otAlertType({ type: "modbus.write", kind: "anomaly", fields: { op: "write" } }), undefined);
});

Deno.test("otEventAlerts() merges repeats of one event between one pair", () => {
  const event: EventRecord = {
    type: "modbus.write",
    severity: "notice",
    kind: "event",
    source: "modbus",
    mac: null,
    ip: null,
    src_mac: "02:00:00:00:00:01",
    dst_mac: "02:00:00:00:00:02",
    src_ip: "10.0.0.1",
    dst_ip: "10.0.0.2",
    vlan_id: null,
    fields: { op: "write", function_code: 6 },
    first_seen_us: 10,
    last_seen_us: 20,
    count: 2,
  };
  const [alert, ...more] = otEventAlerts([event, { ...event, first_seen_us: 5, last_seen_us: 30, count: 1 }]);
  strictEqual(more.length, 0);
  deepStrictEqual([alert.type, alert.severity, alert.count, alert.dedupKey, alert.macs], [
    "ot.write",
    "notice",
    3,
    "10.0.0.1>10.0.0.2|modbus.write",
    ["02:00:00:00:00:02", "02:00:00:00:00:01"],
  ]);
  deepStrictEqual([alert.evidence.firstUs, alert.evidence.lastUs], [5, 30]);
  strictEqual(alert.evidence.facts?.function_code, 6);
});

Deno.test("ipChangedAlerts() needs the old address silent before the new one; gateways are skipped", () => {
  deepStrictEqual(
    ipChangedAlerts([claim("a", "10.0.0.1", 0, 10), claim("a", "10.0.0.2", 20, 30)]).map((x) => x.dedupKey),
    ["a||10.0.0.1>10.0.0.2"],
  );
  strictEqual(ipChangedAlerts([claim("a", "10.0.0.1", 0, 25), claim("a", "10.0.0.2", 20, 30)]).length, 0);
  strictEqual(
    ipChangedAlerts([claim("r", "10.0.0.1", 0, 10, true), claim("r", "8.8.8.8", 20, 30, true)]).length,
    0,
  );
  strictEqual(ipChangedAlerts([claim("a", "fe80::1", 0, 10), claim("a", "fe80::2", 20, 30)]).length, 0);
});

Deno.test("addressClaimAlerts() tells a replaced MAC, a conflict and spoofing apart", () => {
  const types = (claims: AddressClaim[]) => addressClaimAlerts(claims).map((x) => `${x.type} ${x.dedupKey}`);
  deepStrictEqual(types([claim("a", "10.0.0.1", 0, 10), claim("b", "10.0.0.1", 20, 30)]), [
    "device.mac_changed 10.0.0.1||a>b",
  ]);
  deepStrictEqual(types([claim("a", "10.0.0.1", 0, 30), claim("b", "10.0.0.1", 20, 40)]), [
    "ip.conflict 10.0.0.1||a|b",
  ]);
  deepStrictEqual(types([claim("gw", "10.0.0.254", 0, 30, true), claim("x", "10.0.0.254", 20, 40)]), [
    "arp.spoofing 10.0.0.254||gw|x",
  ]);
  deepStrictEqual(
    types([
      claim("a", "10.0.0.1", 0, 30),
      claim("b", "10.0.0.2", 0, 30),
      claim("x", "10.0.0.1", 20, 40),
      claim("x", "10.0.0.2", 20, 40),
    ]),
    ["arp.spoofing 10.0.0.1||a|x", "arp.spoofing 10.0.0.2||b|x"],
  );
  const forwarded = (mac: string) => ({ ...claim(mac, "8.8.8.8", 0, 30, true), announced: false });
  deepStrictEqual(types([forwarded("r1"), forwarded("r2")]), [], "two routers forwarding for one address");
});

Deno.test("newMasterAlerts() raises only for a pair whose first command is in the batch", () => {
  const pair = {
    srcMac: "m",
    srcIp: "10.0.0.9",
    dstMac: "c",
    dstIp: "10.0.0.3",
    batchFirstUs: 100,
    batchLastUs: 200,
  };
  deepStrictEqual(newMasterAlerts([{ ...pair, firstUs: 100 }]).map((x) => [x.type, x.dedupKey, x.macs]), [
    ["ot.new_master", "10.0.0.9>10.0.0.3", ["c", "m"]],
  ]);
  strictEqual(newMasterAlerts([{ ...pair, firstUs: 50 }]).length, 0);
});
