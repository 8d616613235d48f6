/**
 * Alerts raised by the batch transaction on real captures (OT commands, a DHCP server outside the
 * allowed list) and on frames built here (IP change, MAC change, ARP spoofing; an S7 PLC stop, start
 * and block download, for which no shared capture exists), each with its type,
 * severity, devices and evidence; importing the same capture again changes no count.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { flushRecordsOf, testOnDrivers } from "./_testing.ts";
import { Persistence } from "./persistence.ts";
import type { Queryable } from "./database.ts";
import { SHARED_PCAPS, sharedCapture } from "../tests/shared_pcaps.ts";
import { testEngine } from "../dissectors/_testing.ts";
import { ArpOp, parseIpv4, parseMac, writeArpFrame } from "../samples/frames.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { DOWNLOAD_OB1, HOT_START, PLC_STOP, toPlc } from "../dissectors/ot/s7comm/_test_frames.ts";

interface StoredAlert {
  rule: string;
  severity: string;
  dedup_key: string;
  count: number;
  macs: string;
  details: string;
}

async function alerts(db: Queryable, rule?: string): Promise<StoredAlert[]> {
  return await db.query<StoredAlert>(
    `SELECT a.rule, a.severity, a.dedup_key, a.count::float8 AS count, a.details::text AS details,
            array_to_string(ARRAY(SELECT d.mac_address::text FROM unnest(a.device_ids) WITH ORDINALITY AS x(id, n)
              JOIN devices d ON d.id = x.id ORDER BY x.n), ' ') AS macs
       FROM alerts a WHERE $1::text IS NULL OR a.rule = $1 ORDER BY a.rule, a.dedup_key`,
    [rule ?? null],
  );
}

async function importRecords(persistence: Persistence, records: FlushRecord[]): Promise<void> {
  const boot = crypto.randomUUID();
  for (const [seq, record] of records.entries()) {
    strictEqual(await persistence.apply({ sensor: "test", boot, seq, record }), "applied");
  }
}

function counts(list: StoredAlert[]): string[] {
  return list.map((alert) => `${alert.rule} ${alert.dedup_key} ×${alert.count}`);
}

/** Captures whose OT commands raise alerts, and what each must raise (type, severity, controller, sender). */
const OT_CASES: [string, string, string, string, string][] = [
  ["profinet_dcp_set_ip.pcap", "ot.config_change", "warning", "08:00:06:93:cf:32", "00:0c:29:ba:09:ea"],
  ["modbus_tcp_test_data_part1.pcap", "ot.write", "notice", "10.0.0.3", "10.0.0.9"],
  ["dnp3_tcp_test_data_part1.pcap", "ot.restart", "critical", "10.0.0.3", "10.0.0.8"],
  ["dnp3_tcp_test_data_part1.pcap", "ot.cpu_state", "critical", "10.0.0.3", "10.0.0.8"],
  ["bacnet_stack_services_ip_and_ethernet.pcap", "ot.restart", "critical", "192.168.0.5", "192.168.0.13"],
  [
    "bacnet_stack_services_ip_and_ethernet.pcap",
    "ot.config_change",
    "critical",
    "192.168.0.5",
    "192.168.0.13",
  ],
  // IEC-104 commands (C_SC, C_DC, C_SE…); the outstation's confirmations raise nothing. The capture
  // has one address on both sides.
  ["iec104_diverse.pcap", "ot.config_change", "warning", "10.0.0.10", "10.0.0.10"],
];

testOnDrivers("raiseAlerts() on real captures", async (t, { db, reset }) => {
  if (SHARED_PCAPS.skip) return SHARED_PCAPS.check();
  const names = [...new Set(OT_CASES.map(([name]) => name))];
  for (const name of names) {
    await t.step(`${name}: OT alerts with evidence; a second import changes nothing`, async () => {
      await reset();
      const persistence = new Persistence(db);
      const records = await flushRecordsOf(sharedCapture(name), 40);
      await importRecords(persistence, records);
      const first = await alerts(db);
      for (const [capture, type, severity, controller, sender] of OT_CASES) {
        if (capture !== name) continue;
        const found = first.filter((alert) =>
          alert.rule === type && alert.dedup_key.startsWith(`${sender}>`)
        );
        ok(found.length > 0, `${type} from ${sender}: ${counts(first).join(", ")}`);
        for (const alert of found) {
          strictEqual(alert.severity, severity, alert.dedup_key);
          const details = JSON.parse(alert.details);
          ok(alert.dedup_key.includes(`>${controller}|`), alert.dedup_key);
          ok(details.first_frame <= details.last_frame, alert.details);
          ok(details.facts.event.length > 0, alert.details);
          ok(alert.macs.length > 0, `devices of ${alert.dedup_key}`);
        }
      }
      ok(first.some((alert) => alert.rule === "device.new"));
      ok(first.some((alert) => alert.rule === "ot.new_master"));
      await importRecords(persistence, records);
      deepStrictEqual(counts(await alerts(db)), counts(first));
    });
  }

  await t.step("dhcp_zeek_dhcp.pcap: a server outside the allowed list is rogue", async () => {
    await reset();
    const persistence = new Persistence(db, { allowedDhcpServers: ["128.2.6.1"] });
    const records = await flushRecordsOf(sharedCapture("dhcp_zeek_dhcp.pcap"), 5);
    await importRecords(persistence, records);
    const [rogue, ...more] = await alerts(db, "dhcp.rogue_server");
    strictEqual(more.length, 0);
    strictEqual(rogue.severity, "critical");
    strictEqual(rogue.dedup_key, "128.2.6.152");
    strictEqual(rogue.macs, "00:0c:29:40:0e:ef");
    const details = JSON.parse(rogue.details);
    strictEqual(details.after, "128.2.6.152");
    ok(details.first_frame < details.last_frame, rogue.details);
    const before = rogue.count;
    await importRecords(persistence, records);
    strictEqual((await alerts(db, "dhcp.rogue_server"))[0].count, before);
  });
});

const T = 1_700_000_000;
const HOST = parseMac("02:00:00:00:00:0a");
const OTHER = parseMac("02:00:00:00:00:0b");
const ATTACKER = parseMac("02:00:00:00:00:66");
const PEER = parseMac("02:00:00:00:00:0c");

/** An ARP reply from `mac` to the peer (10.0.0.200) saying `ip` is at `mac`. */
function arpReply(mac: Uint8Array, ip: string): Uint8Array {
  const to = PEER;
  const buf = new Uint8Array(64);
  const length = writeArpFrame(buf, 0, { src: mac, dst: to }, {
    op: ArpOp.REPLY,
    senderMac: mac,
    senderIp: parseIpv4(ip),
    targetMac: to,
    targetIp: parseIpv4("10.0.0.200"),
  });
  return buf.slice(0, length);
}

/** One flush record per group of (frame, second after T). */
function recordsOf(...groups: [Uint8Array, number][][]): FlushRecord[] {
  return groups.map((frames) => {
    const engine = testEngine();
    for (const [frame, second] of frames) engine.dissectFrame(frame, { tsSec: T + second });
    return engine.flush();
  });
}

testOnDrivers("raiseAlerts() on built frames", async (t, { db, reset }) => {
  await t.step("device.ip_changed: a device leaves 10.0.0.1 for 10.0.0.7", async () => {
    await reset();
    const records = recordsOf([[arpReply(HOST, "10.0.0.1"), 10]], [[arpReply(HOST, "10.0.0.7"), 100]]);
    const persistence = new Persistence(db);
    await importRecords(persistence, records);
    const [changed, ...more] = await alerts(db, "device.ip_changed");
    strictEqual(more.length, 0);
    strictEqual(changed.severity, "notice");
    strictEqual(changed.macs, "02:00:00:00:00:0a");
    const details = JSON.parse(changed.details);
    deepStrictEqual([details.before, details.after], ["10.0.0.1", "10.0.0.7"]);
    deepStrictEqual([details.first_frame, details.last_frame], [
      new Date((T + 10) * 1000).toISOString(),
      new Date((T + 100) * 1000).toISOString(),
    ]);
    strictEqual((await alerts(db, "device.new")).length, 2); // HOST and its peer
    const before = counts(await alerts(db));
    await importRecords(persistence, records);
    deepStrictEqual(counts(await alerts(db)), before);
  });

  await t.step("device.mac_changed: 10.0.0.1 is answered by another MAC", async () => {
    await reset();
    await importRecords(
      new Persistence(db),
      recordsOf([[arpReply(HOST, "10.0.0.1"), 10]], [[arpReply(OTHER, "10.0.0.1"), 100]]),
    );
    const [changed, ...more] = await alerts(db, "device.mac_changed");
    strictEqual(more.length, 0);
    strictEqual(changed.severity, "notice");
    strictEqual(changed.macs, "02:00:00:00:00:0b 02:00:00:00:00:0a");
    const details = JSON.parse(changed.details);
    deepStrictEqual([details.before, details.after, details.facts.ip], [
      "02:00:00:00:00:0a",
      "02:00:00:00:00:0b",
      "10.0.0.1",
    ]);
    deepStrictEqual(await alerts(db, "ip.conflict"), []);
  });

  await t.step("ip.conflict: two MACs claim 10.0.0.1 at once (flip-flop)", async () => {
    await reset();
    await importRecords(
      new Persistence(db),
      recordsOf([
        [arpReply(HOST, "10.0.0.1"), 10],
        [arpReply(OTHER, "10.0.0.1"), 11],
        [arpReply(HOST, "10.0.0.1"), 12],
        [arpReply(OTHER, "10.0.0.1"), 13],
      ]),
    );
    const [conflict, ...more] = await alerts(db, "ip.conflict");
    strictEqual(more.length, 0);
    strictEqual(conflict.severity, "warning");
    deepStrictEqual(conflict.macs.split(" ").sort(), ["02:00:00:00:00:0a", "02:00:00:00:00:0b"]);
    deepStrictEqual(await alerts(db, "arp.spoofing"), []);
  });

  await t.step("arp.spoofing: one MAC claims the addresses of two other devices", async () => {
    await reset();
    await importRecords(
      new Persistence(db),
      recordsOf([
        [arpReply(HOST, "10.0.0.1"), 10],
        [arpReply(OTHER, "10.0.0.2"), 11],
        [arpReply(ATTACKER, "10.0.0.1"), 20],
        [arpReply(ATTACKER, "10.0.0.2"), 21],
        [arpReply(HOST, "10.0.0.1"), 30],
        [arpReply(OTHER, "10.0.0.2"), 31],
      ]),
    );
    const spoofing = await alerts(db, "arp.spoofing");
    deepStrictEqual(spoofing.map((alert) => [alert.severity, alert.macs]), [
      ["critical", "02:00:00:00:00:66 02:00:00:00:00:0a"],
      ["critical", "02:00:00:00:00:66 02:00:00:00:00:0b"],
    ]);
    const details = JSON.parse(spoofing[0].details);
    deepStrictEqual([details.before, details.after, details.facts.ip], [
      "02:00:00:00:00:0a",
      "02:00:00:00:00:66",
      "10.0.0.1",
    ]);
  });

  await t.step("S7: a PLC stop and start are ot.cpu_state, a block download ot.program_change", async () => {
    await reset();
    const records = recordsOf([
      [toPlc(PLC_STOP), 10],
      [toPlc(PLC_STOP), 11],
      [toPlc(HOT_START), 20],
      [toPlc(DOWNLOAD_OB1), 30],
    ]);
    const persistence = new Persistence(db);
    await importRecords(persistence, records);
    const ot = (await alerts(db)).filter((alert) => alert.rule.startsWith("ot."));
    deepStrictEqual(ot.map((alert) => `${alert.rule} ${alert.severity} ${alert.dedup_key} ×${alert.count}`), [
      "ot.cpu_state critical 10.0.0.10>10.0.0.20|s7comm.plc_start ×1",
      "ot.cpu_state critical 10.0.0.10>10.0.0.20|s7comm.plc_stop ×2",
      "ot.new_master warning 10.0.0.10>10.0.0.20 ×1",
      "ot.program_change critical 10.0.0.10>10.0.0.20|s7comm.download ×1",
    ]);
    const stop = JSON.parse(ot[1].details);
    deepStrictEqual([stop.first_frame, stop.last_frame, stop.facts.op, stop.flow.dst_ip], [
      new Date((T + 10) * 1000).toISOString(),
      new Date((T + 11) * 1000).toISOString(),
      "cpu_stop",
      "10.0.0.20",
    ]);
    strictEqual(ot[1].macs.split(" ").length, 2, "the PLC and the client");
    const before = counts(await alerts(db));
    await importRecords(persistence, records);
    deepStrictEqual(counts(await alerts(db)), before);
  });
});
