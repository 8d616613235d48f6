/**
 * The database totals equal the offline analysis (`analyze --json`) of the same capture, on
 * PostgreSQL and on PGlite: whole captures as one batch, the same batch twice, and captures split
 * into many batches applied out of order with redeliveries.
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { flushRecordsOf, type ScratchDatabase, testOnDrivers } from "../storage/_testing.ts";
import { comparable } from "../storage/_compare.ts";
import { Persistence } from "../storage/persistence.ts";
import { readTotals } from "../storage/totals.ts";
import type { SensorBatch } from "../model/sensor_batch.ts";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";
import { Inventory } from "../aggregator/inventory.ts";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "./shared_pcaps.ts";
import { writePlantSample } from "../samples/plant.ts";

const CAPTURES = sharedCaptureFiles();

/**
 * `analyze --json` of a capture. By default the analysis runs in process: the same engine, inventory
 * and document builder that `analyze` runs in its sandboxed workers, without the ~1 s of starting
 * workers per file (a few captures are also checked through the sandboxed path below). Set
 * NETSENTINEL_FULL_ORACLE=1 to analyse every capture exactly as the CLI does.
 */
const FULL_ORACLE = Deno.env.get("NETSENTINEL_FULL_ORACLE") === "1";
const SANDBOXED_CHECKS = [
  "qinq_8021ad_arp.pcap",
  "enip_cip_io_listidentity_1756enbt.pcap",
  "ipv6_tcp_smtp.pcap",
];

const oracles = new Map<string, Promise<InventoryDocument>>();
function oracle(path: string, sandboxed = FULL_ORACLE): Promise<InventoryDocument> {
  const id = `${sandboxed}|${path}`;
  let doc = oracles.get(id);
  if (!doc) {
    doc = sandboxed
      ? analyzeCaptureFile(path).then(({ inventory }) => buildInventoryDocument(inventory))
      : flushRecordsOf(path).then((records) => {
        const inventory = new Inventory();
        for (const record of records) inventory.merge(record, "local");
        return buildInventoryDocument(inventory);
      });
    oracles.set(id, doc);
  }
  return doc;
}

function batches(records: Awaited<ReturnType<typeof flushRecordsOf>>, boot = "boot-1"): SensorBatch[] {
  return records.map((record, seq) => ({ sensor: "test/eth0", boot, seq, record }));
}

/** Runs `body` with the sample plant capture written to a temporary file. */
async function withPlantCapture<T>(body: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ prefix: "netsentinel-plant-", suffix: ".pcap" });
  try {
    await writePlantSample(path);
    return await body(path);
  } finally {
    await Deno.remove(path);
  }
}

testOnDrivers("Persistence.apply()", async (t, scratch) => {
  for (const name of CAPTURES) {
    await t.step(`of ${name} gives the totals of analyze, once`, async () => {
      const persistence = new Persistence(scratch.db);
      await scratch.reset();
      const path = sharedCapture(name);
      const [expected, records] = await Promise.all([oracle(path), flushRecordsOf(path)]);
      strictEqual(records.length, 1);
      const [batch] = batches(records);
      strictEqual(await persistence.apply(batch), "applied");
      const totals = comparable(await readTotals(scratch.db));
      deepStrictEqual(totals, comparable(expected));
      strictEqual(await persistence.apply(batch), "duplicate");
      strictEqual(await persistence.apply(structuredClone(batch)), "duplicate", "a copy, as from Redis");
      deepStrictEqual(comparable(await readTotals(scratch.db)), totals, "unchanged by the duplicates");
      if (SANDBOXED_CHECKS.includes(name)) deepStrictEqual(totals, comparable(await oracle(path, true)));
    });
  }
  await withPlantCapture(async (plant) => {
    await splitCaptures(t, scratch, plant);
    await t.step("keeps the batches of two boots of one sensor apart", () => twoBoots(scratch, plant));
    await t.step(
      "stores odd plugin values instead of failing the batch forever",
      () => oddValues(scratch, plant),
    );
  });
});

if (SHARED_PCAPS.skip) {
  Deno.test({ name: `apply() of the shared captures${SHARED_PCAPS.note}`, ignore: true, fn() {} });
}

/** Captures split into many batches, applied out of order with redeliveries, give the totals of the whole. */
async function splitCaptures(t: Deno.TestContext, scratch: ScratchDatabase, plant: string): Promise<void> {
  const cases = [
    { name: "the sample plant (gateway, QinQ, events)", path: plant, every: 100 },
    ...[
      "vlan_8021q_and_double_tag_cdp.pcap",
      "dns_mdns_llmnr_mix.pcap",
      "enip_cip_io_listidentity_1756enbt.pcap",
    ]
      .filter((name) => CAPTURES.includes(name))
      .map((name) => ({ name, path: sharedCapture(name), every: 7 })),
  ];
  for (const { name, path, every } of cases) {
    await t.step(
      `of ${name} split into a batch every ${every} packets gives the totals of the whole`,
      async () => {
        await scratch.reset();
        const persistence = new Persistence(scratch.db);
        const records = await flushRecordsOf(path, every);
        // The oracles: analyze of the file, and the same records merged in memory (for the metrics).
        const whole = await oracle(path);
        const merged = new Inventory();
        for (const record of records) merged.merge(record, "test/eth0");
        const mergedDoc = buildInventoryDocument(merged);
        deepStrictEqual(comparable(mergedDoc).flows, comparable(whole).flows);
        const all = batches(records);
        // Out of order, with redeliveries: the last half first, then everything again.
        const order = [...all.slice(all.length >> 1), ...all];
        const results = [];
        for (const batch of order) results.push(await persistence.apply(batch));
        strictEqual(results.filter((result) => result === "applied").length, all.length);
        strictEqual(results.filter((result) => result === "duplicate").length, order.length - all.length);
        const totals = await readTotals(scratch.db, { metrics: true });
        deepStrictEqual(comparable(totals), comparable(whole));
        deepStrictEqual(
          comparable(totals, { metrics: true }).metrics,
          comparable(mergedDoc, { metrics: true }).metrics,
        );
      },
    );
  }
}

/** A sensor restarted mid-capture: its second process numbers its batches from 0 again. */
async function twoBoots(scratch: ScratchDatabase, path: string): Promise<void> {
  await scratch.reset();
  const persistence = new Persistence(scratch.db);
  const records = await flushRecordsOf(path, 500);
  const half = records.length >> 1;
  const first = batches(records.slice(0, half), "boot-a");
  const second = batches(records.slice(half), "boot-b");
  for (const batch of [...first, ...second, ...first]) await persistence.apply(batch);
  const merged = new Inventory();
  for (const record of records) merged.merge(record, "test/eth0");
  const totals = comparable(await readTotals(scratch.db));
  const expected = comparable(buildInventoryDocument(merged));
  deepStrictEqual(totals.devices, expected.devices);
  deepStrictEqual(totals.flows, expected.flows);
  deepStrictEqual(totals.vlans, expected.vlans);
  const rows = await scratch.db.query<{ n: number }>("SELECT count(*)::int AS n FROM ingested_batches");
  strictEqual(rows[0].n, records.length);
}

/** Identity attributes and events come from plugins: bad addresses, NUL characters, huge strings. */
async function oddValues(scratch: ScratchDatabase, path: string): Promise<void> {
  await scratch.reset();
  const [record] = await flushRecordsOf(path);
  const times = {
    first_seen_us: Date.UTC(2024, 5, 11, 8) * 1000,
    last_seen_us: Date.UTC(2024, 5, 11, 8) * 1000,
  };
  record.identities = [
    {
      key: "host\0name",
      value: "ev\0il",
      confidence: 500,
      mac: "not a mac",
      ip: "999.1.1.1",
      vlan_id: 9999,
      source: "plugin",
      count: 1,
      ...times,
    },
    {
      key: "os.family",
      value: "linux",
      confidence: 40,
      mac: "AA-BB-CC-00-00-01",
      ip: "::ffff:1.2.3.4",
      vlan_id: 10,
      source: "plugin",
      count: 2,
      ...times,
    },
  ];
  record.events = [{
    type: "x".repeat(300),
    severity: "warning",
    kind: "event",
    source: "plugin",
    mac: null,
    ip: "fe80::1%eth0",
    src_mac: "00:11:22:33:44:55",
    dst_mac: null,
    src_ip: "10.0.0.1",
    dst_ip: null,
    vlan_id: null,
    fields: { note: "a\0b", n: 1 },
    count: 3,
    ...times,
  }];
  const persistence = new Persistence(scratch.db);
  strictEqual(await persistence.apply({ sensor: "odd", boot: "b", seq: 0, record }), "applied");
  const totals = await readTotals(scratch.db);
  const time = "2024-06-11T08:00:00.000Z";
  deepStrictEqual(byKey(totals.identities), [
    {
      key: "hostname",
      value: "evil",
      confidence: 100,
      mac: null,
      ip: null,
      vlan_id: null,
      source: "plugin",
      count: 1,
      first_seen: time,
      last_seen: time,
    },
    {
      key: "os.family",
      value: "linux",
      confidence: 40,
      mac: "aa:bb:cc:00:00:01",
      ip: "::ffff:102:304",
      vlan_id: 10,
      source: "plugin",
      count: 2,
      first_seen: time,
      last_seen: time,
    },
  ]);
  deepStrictEqual(totals.events, [{
    type: "x".repeat(128),
    kind: "event",
    severity: "warning",
    source: "plugin",
    mac: null,
    ip: null,
    src_mac: "00:11:22:33:44:55",
    dst_mac: null,
    src_ip: "10.0.0.1",
    dst_ip: null,
    vlan_id: null,
    fields: { note: "ab", n: 1 },
    count: 3,
    first_seen: time,
    last_seen: time,
  }]);
}

function byKey<T extends { key: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.key.localeCompare(b.key));
}
