/**
 * Steps of web/api_test.ts: the alert routes over the alerts the imported captures raised (new
 * devices, Modbus writes and restarts…): paging and every filter against the table, one alert with
 * its evidence, the workflow (acknowledge, resolve, reopen; viewers refused; audited) and bulk
 * changes; a resolved alert stays resolved when its capture is imported again; a new alert is
 * pushed on the live feed.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import type { ScratchDatabase } from "../storage/_testing.ts";
import { flushRecordsOf } from "../storage/_testing.ts";
import { Persistence } from "../storage/persistence.ts";
import type { Alert } from "../storage/read/alerts.ts";
import type { Page } from "../storage/read/sql.ts";
import { SHARED_PCAPS, SHARED_PCAPS_DIR } from "../tests/shared_pcaps.ts";
import { type Harness, json } from "./_testing.ts";
import { LiveHub } from "./live/hub.ts";
import { absentCaptureStatus } from "../model/capture_status.ts";
import { testEngine } from "../dissectors/_testing.ts";
import { ArpOp, parseIpv4, parseMac, writeArpFrame } from "../samples/frames.ts";

/** An ARP reply saying `ip` is at `mac` (to a fixed peer). */
function arpReply(mac: string, ip: string): Uint8Array {
  const buf = new Uint8Array(64);
  const peer = parseMac("02:00:00:00:01:99");
  const length = writeArpFrame(buf, 0, { src: parseMac(mac), dst: peer }, {
    op: ArpOp.REPLY,
    senderMac: parseMac(mac),
    senderIp: parseIpv4(ip),
    targetMac: peer,
    targetIp: parseIpv4("10.9.9.99"),
  });
  return buf.slice(0, length);
}

async function count(scratch: ScratchDatabase, where = "true", params: unknown[] = []): Promise<number> {
  return (await scratch.db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM alerts WHERE ${where}`,
    params,
  ))[0]
    .n;
}

/** The alert steps. */
export async function alertSteps(t: Deno.TestContext, h: Harness, scratch: ScratchDatabase): Promise<void> {
  if (SHARED_PCAPS.skip) return;
  const viewer = { cookie: h.as.viewer.cookie };
  const operator = { cookie: h.as.operator.cookie };

  await t.step("GET /alerts: paged like /devices, last seen first", async () => {
    const total = await count(scratch);
    ok(total > 5, `alerts raised by the captures: ${total}`);
    const first = await json<Page<Alert>>(await h.request("GET", "/alerts?page_size=3", viewer));
    deepStrictEqual([first.total, first.page, first.page_size, first.pages], [
      total,
      1,
      3,
      Math.ceil(total / 3),
    ]);
    const all = await json<Page<Alert>>(await h.request("GET", "/alerts?page_size=500", viewer));
    strictEqual(all.items.length, total);
    deepStrictEqual(all.items.slice(0, 3).map((a) => a.id), first.items.map((a) => a.id));
    const times = all.items.map((a) => a.last_seen);
    deepStrictEqual(times, [...times].sort().reverse());
    const second = await json<Page<Alert>>(await h.request("GET", "/alerts?page_size=3&page=2", viewer));
    deepStrictEqual(second.items.map((a) => a.id), all.items.slice(3, 6).map((a) => a.id));
  });

  await t.step("GET /alerts: filters by type, severity, state, device and time", async () => {
    const writes = await json<Page<Alert>>(
      await h.request("GET", "/alerts?type=ot.write&page_size=500", viewer),
    );
    strictEqual(writes.total, await count(scratch, "rule = 'ot.write'"));
    ok(writes.total > 0 && writes.items.every((a) => a.type === "ot.write" && a.severity === "notice"));
    const critical = await json<Page<Alert>>(await h.request("GET", "/alerts?severity=critical", viewer));
    strictEqual(critical.total, await count(scratch, "severity = 'critical'"));
    ok(critical.items.every((a) => a.severity === "critical"));
    const open = await json<Page<Alert>>(await h.request("GET", "/alerts?state=open", viewer));
    strictEqual(open.total, await count(scratch, "status = 'open'"));
    const [plc] = await scratch.db.query<{ id: number }>(
      "SELECT d.id::float8 AS id FROM devices d JOIN device_ips i ON i.device_id = d.id WHERE i.ip_address = '10.0.0.3'",
    );
    const ofPlc = await json<Page<Alert>>(
      await h.request("GET", `/alerts?device=${plc.id}&page_size=500`, viewer),
    );
    ok(ofPlc.total >= 2, `alerts of the Modbus server: ${ofPlc.total}`);
    ok(ofPlc.items.every((a) => a.device_ids.includes(plc.id) || a.device_id === plc.id));
    ok(ofPlc.items.some((a) => a.type === "ot.write"));
    const last = writes.items[0].last_seen;
    const later = await json<Page<Alert>>(
      await h.request(
        "GET",
        `/alerts?from=${new Date(Date.parse(last) + 1000).toISOString()}&type=ot.write`,
        viewer,
      ),
    );
    ok(later.items.every((a) => a.last_seen > last));
    const before = await json<Page<Alert>>(await h.request("GET", "/alerts?to=2000-01-01T00:00:00Z", viewer));
    strictEqual(before.total, 0);
    strictEqual((await h.request("GET", "/alerts?state=closed", viewer)).status, 400);
  });

  await t.step("GET /alerts/{id}: one alert with its evidence; 404 when absent", async () => {
    const [write] = (await json<Page<Alert>>(await h.request("GET", "/alerts?type=ot.write", viewer))).items;
    const alert = await json<Alert>(await h.request("GET", `/alerts/${write.id}`, viewer));
    strictEqual(alert.type, "ot.write");
    strictEqual(alert.state, "open");
    const evidence = alert.evidence as {
      first_frame: string;
      flow: { dst_ip: string };
      facts: { event: string };
    };
    strictEqual(evidence.flow.dst_ip, "10.0.0.3");
    strictEqual(evidence.facts.event, "modbus.write");
    ok(evidence.first_frame <= alert.last_seen);
    strictEqual((await h.request("GET", "/alerts/999999999", viewer)).status, 404);
  });

  await t.step("PATCH /alerts/{id}: acknowledge, resolve, reopen; audited; viewers refused", async () => {
    const [alert] =
      (await json<Page<Alert>>(await h.request("GET", "/alerts?type=ot.restart", viewer))).items;
    const refused = await h.request("PATCH", `/alerts/${alert.id}`, {
      ...viewer,
      body: { state: "acknowledged" },
    });
    strictEqual(refused.status, 403);
    const acked = await json<Alert>(
      await h.request("PATCH", `/alerts/${alert.id}`, {
        ...operator,
        body: { state: "acknowledged", comment: "planned test" },
      }),
    );
    deepStrictEqual([acked.state, acked.comment, acked.acknowledged_by], [
      "acknowledged",
      "planned test",
      "operator1",
    ]);
    ok(acked.acknowledged_at !== null && acked.state_changed_by === "operator1");
    const resolved = await json<Alert>(
      await h.request("PATCH", `/alerts/${alert.id}`, { ...operator, body: { state: "resolved" } }),
    );
    deepStrictEqual([resolved.state, resolved.comment, resolved.resolved_by], [
      "resolved",
      "planned test",
      "operator1",
    ]);
    const reopened = await json<Alert>(
      await h.request("PATCH", `/alerts/${alert.id}`, {
        ...operator,
        body: { state: "open", comment: null },
      }),
    );
    deepStrictEqual([reopened.state, reopened.comment, reopened.resolved_at], ["open", null, null]);
    const audit = await scratch.db.query<{ username: string; before: string; after: string }>(
      `SELECT username, before::text AS before, after::text AS after FROM audit_log
        WHERE action = 'alert.update' AND target = $1 ORDER BY id`,
      [`alert:${alert.id}`],
    );
    deepStrictEqual(
      audit.map((row) => [row.username, JSON.parse(row.before).state, JSON.parse(row.after).state]),
      [
        ["operator1", "open", "acknowledged"],
        ["operator1", "acknowledged", "resolved"],
        ["operator1", "resolved", "open"],
      ],
    );
    strictEqual(
      (await h.request("PATCH", "/alerts/999999999", { ...operator, body: { state: "resolved" } })).status,
      404,
    );
    strictEqual(
      (await h.request("PATCH", `/alerts/${alert.id}`, { ...operator, body: { state: "x" } })).status,
      400,
    );
  });

  await t.step(
    "POST /alerts/bulk: resolves several; a second import keeps them resolved, raises none",
    async () => {
      const modbus = await json<Page<Alert>>(
        await h.request("GET", `/alerts?type=ot.write&page_size=500`, viewer),
      );
      const ids = modbus.items.map((a) => a.id);
      const answer = await json<{ updated: number[]; skipped: number[] }>(
        await h.request("POST", "/alerts/bulk", {
          ...operator,
          body: { ids: [...ids, 999999999], state: "resolved", comment: "known engineering station" },
        }),
      );
      deepStrictEqual(answer, { updated: [...ids].sort((a, b) => a - b), skipped: [999999999] });
      strictEqual(await count(scratch, "rule = 'ot.write' AND status = 'closed'"), ids.length);
      strictEqual(
        (await scratch.db.query<{ n: number }>(
          "SELECT count(*)::float8 AS n FROM audit_log WHERE action = 'alert.update' AND after->>'comment' = $1",
          ["known engineering station"],
        ))[0].n,
        ids.length,
      );
      const before = await count(scratch);
      const records = await flushRecordsOf(join(SHARED_PCAPS_DIR, "modbus_tcp_test_data_part1.pcap"), 1000);
      const persistence = new Persistence(scratch.db);
      const boot = crypto.randomUUID();
      for (const [seq, record] of records.entries()) {
        await persistence.apply({
          sensor: "again",
          boot,
          seq,
          record,
        });
      }
      strictEqual(await count(scratch), before);
      strictEqual(await count(scratch, "rule = 'ot.write' AND status = 'closed'"), ids.length);
      strictEqual(
        (await h.request("POST", "/alerts/bulk", { ...viewer, body: { ids, state: "open" } })).status,
        403,
      );
    },
  );

  await t.step("the live feed sends each new alert once", async () => {
    const messages: {
      type: string;
      alert?: { id: number; type: string; severity: string; message: string };
    }[] = [];
    const hub = new LiveHub({ db: scratch.db, status: () => absentCaptureStatus("test"), log: () => {} });
    const unsubscribe = hub.subscribe((text) => messages.push(JSON.parse(text)));
    try {
      await hub.tick();
      strictEqual(messages.filter((m) => m.type === "alert").length, 0, "nothing new yet");
      const engine = testEngine();
      engine.dissectFrame(arpReply("02:00:00:00:01:0a", "10.9.9.1"), { tsSec: 1_700_000_000 });
      engine.dissectFrame(arpReply("02:00:00:00:01:0b", "10.9.9.1"), { tsSec: 1_700_000_001 });
      engine.dissectFrame(arpReply("02:00:00:00:01:0a", "10.9.9.1"), { tsSec: 1_700_000_002 });
      const persistence = new Persistence(scratch.db);
      await persistence.apply({ sensor: "live", boot: crypto.randomUUID(), seq: 0, record: engine.flush() });
      await hub.tick();
      await hub.tick();
      const alerts = messages.filter((m) => m.type === "alert").map((m) => m.alert!);
      const conflict = alerts.filter((a) => a.type === "ip.conflict");
      strictEqual(conflict.length, 1, JSON.stringify(alerts));
      strictEqual(conflict[0].severity, "warning");
      ok(conflict[0].message.includes("10.9.9.1"), conflict[0].message);
      const stored = await json<Alert>(await h.request("GET", `/alerts/${conflict[0].id}`, viewer));
      strictEqual(stored.type, "ip.conflict");
      strictEqual(new Set(alerts.map((a) => a.id)).size, alerts.length, "each alert once");
    } finally {
      unsubscribe();
      hub.close();
    }
  });
}
