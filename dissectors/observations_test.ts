import { deepStrictEqual, ok } from "node:assert/strict";
import { PacketBatch } from "../capture/batch.ts";
import { openCaptureFile } from "../capture/file_source.ts";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "../tests/shared_pcaps.ts";
import { ipAt, macAt } from "../model/address.ts";
import type { IdentityAttribute, ProtocolEvent, Severity, Subject } from "./api.ts";
import { testEngine } from "./_testing.ts";
import type { Packet } from "./packet.ts";
import type { ObservationCollector } from "./observations.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { Decoded, type Dissector } from "./api.ts";
import { frame } from "./it/hints/_test_frames.ts";
import { dissector as fins } from "../plugins/example/omron_fins.ts";

/** What one record is, written out: every field the collector keys or reports, and its totals. */
type Tally = Map<string, { count: number; first: number; last: number; confidence: number }>;

function add(tally: Tally, key: string, timeUs: number, confidence = 0): void {
  const known = tally.get(key);
  if (known === undefined) tally.set(key, { count: 1, first: timeUs, last: timeUs, confidence });
  else {
    known.count++;
    known.first = Math.min(known.first, timeUs);
    known.last = Math.max(known.last, timeUs);
    known.confidence = Math.max(known.confidence, confidence);
  }
}

/** The addresses of the current frame and of a subject, formatted for every call (no cache, no hash). */
function addresses(packet: Packet, about: Subject) {
  const bytes = packet.bytes;
  const version = packet.ipVersion;
  const srcMac = packet.srcMacOffset >= 0 ? macAt(bytes, packet.srcMacOffset) : null;
  const dstMac = packet.dstMacOffset >= 0 ? macAt(bytes, packet.dstMacOffset) : null;
  const srcIp = version && packet.srcIpOffset >= 0 ? ipAt(bytes, packet.srcIpOffset, version) : null;
  const dstIp = version && packet.dstIpOffset >= 0 ? ipAt(bytes, packet.dstIpOffset, version) : null;
  const vlan = packet.innerVlan >= 0 ? packet.innerVlan : packet.outerVlan >= 0 ? packet.outerVlan : null;
  const subject = typeof about === "object"
    ? [about.mac ?? null, about.ip ?? null]
    : about === "src"
    ? [srcMac, srcIp]
    : [dstMac, dstIp];
  return { subject, pair: [srcMac, dstMac, srcIp, dstIp], vlan };
}

/**
 * Records every observation the collector is given, the plain way, next to the collector: its
 * caches of recent records (per flow, per hashed address pair) and hashed subjects must give the
 * same records with the same counts.
 */
function shadow(collector: ObservationCollector): { identities: Tally; events: Tally } {
  const identities: Tally = new Map();
  const events: Tally = new Map();
  const identity = collector.identity.bind(collector);
  const event = collector.event.bind(collector);
  const anomaly = collector.anomaly.bind(collector);
  collector.identity = (packet: Packet, about: Subject, attribute: IdentityAttribute) => {
    const { subject, vlan } = addresses(packet, about);
    const key = JSON.stringify([
      ...subject,
      vlan,
      collector.currentDissector,
      attribute.key,
      attribute.value,
    ]);
    add(identities, key, packet.timeUs, attribute.confidence);
    identity(packet, about, attribute);
  };
  collector.event = (packet: Packet, happened: ProtocolEvent) => {
    const about = happened.about ?? "src";
    const { subject, pair, vlan } = addresses(packet, about);
    const fields = JSON.stringify(happened.fields ?? {});
    const key = JSON.stringify([
      "event",
      happened.type,
      happened.severity,
      collector.currentDissector,
      ...subject,
      ...pair,
      vlan,
      fields,
    ]);
    add(events, key, packet.timeUs);
    event(packet, happened);
  };
  collector.anomaly = (packet: Packet, id: string, severity: Severity) => {
    const { subject, pair, vlan } = addresses(packet, "src");
    const type = `${collector.currentDissector}.${id}`;
    const key = JSON.stringify([
      "anomaly",
      type,
      severity,
      collector.currentDissector,
      ...subject,
      ...pair,
      vlan,
      "{}",
    ]);
    add(events, key, packet.timeUs);
    anomaly(packet, id, severity);
  };
  return { identities, events };
}

/** The collector's records, written out as the shadow writes them, equal the shadow's tally. */
function assertSameRecords(record: FlushRecord, expected: { identities: Tally; events: Tally }): void {
  const identities: Tally = new Map();
  for (const i of record.identities) {
    const key = JSON.stringify([i.mac, i.ip, i.vlan_id, i.source, i.key, i.value]);
    ok(!identities.has(key), `identity recorded twice: ${key}`);
    identities.set(key, {
      count: i.count,
      first: i.first_seen_us,
      last: i.last_seen_us,
      confidence: i.confidence,
    });
  }
  const events: Tally = new Map();
  for (const e of record.events) {
    const key = JSON.stringify([
      e.kind,
      e.type,
      e.severity,
      e.source,
      e.mac,
      e.ip,
      e.src_mac,
      e.dst_mac,
      e.src_ip,
      e.dst_ip,
      e.vlan_id,
      JSON.stringify(e.fields),
    ]);
    ok(!events.has(key), `event recorded twice: ${key}`);
    events.set(key, { count: e.count, first: e.first_seen_us, last: e.last_seen_us, confidence: 0 });
  }
  deepStrictEqual(identities, expected.identities);
  deepStrictEqual(events, expected.events);
}

Deno.test({
  name:
    `collector records equal a plain per-call tally on every shared capture, each read three times${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const engine = testEngine([fins]);
    const shadowed = shadow(engine.observations);
    const batch = new PacketBatch(512);
    // Three passes: the second and third find every record in the caches (or in the maps, when a
    // slot was taken by another flow), so counts, first and last seen go through every path.
    for (let pass = 0; pass < 3; pass++) {
      for (const name of sharedCaptureFiles()) {
        const source = await openCaptureFile(sharedCapture(name));
        try {
          while (await source.next(batch)) engine.process(batch);
        } finally {
          source.close();
        }
      }
    }
    ok(shadowed.identities.size > 500 && shadowed.events.size > 500, "the captures report enough to compare");
    assertSameRecords(engine.flush(), shadowed);
  },
});

/**
 * Reports the same identity and the same event about both ends of every frame, and one more
 * carrying the payload's first byte: a cache that confused the two sides of a flow, or two address
 * pairs of frames without a flow, would merge records the shadow keeps apart.
 */
const mirror: Dissector = {
  name: "mirror",
  title: "Test: the same observations about both ends",
  registration: { tables: { "udp.port": [40000], ethertype: [0x88b5] } },
  decode(packet, out) {
    const at = packet.payloadOffset >= 0 ? packet.payloadOffset : packet.offset;
    const value = String(packet.bytes[at]);
    for (const about of ["src", "dst"] as const) {
      out.identity(packet, about, { key: "mirror.seen", value: "yes", confidence: 50 });
      out.identity(packet, about, { key: "mirror.byte", value, confidence: 50 });
      out.event(packet, {
        type: "mirror.frame",
        severity: "info",
        about,
        fields: { op: "read", byte: value },
      });
    }
    out.event(packet, { type: "mirror.frame", severity: "info", fields: { op: "read", byte: value } });
    return Decoded.DONE;
  },
};

function l2Frame(dst: number, src: number, first: number): Uint8Array {
  return Uint8Array.from([2, 0, 0, 0, 0, dst, 2, 0, 0, 0, 0, src, 0x88, 0xb5, first, 0, 0, 0]);
}

Deno.test("collector keeps the two ends of a flow, and of an address pair without a flow, apart", () => {
  const engine = testEngine([mirror]);
  const shadowed = shadow(engine.observations);
  let time = 0;
  for (let round = 0; round < 40; round++) {
    for (let a = 1; a <= 6; a++) {
      for (let b = 1; b <= 6; b++) {
        if (a === b) continue;
        const first = (round * 7 + a) % 3;
        const payload = Uint8Array.of(first, 1);
        engine.dissectFrame(
          frame(
            "udp",
            { srcIp: `10.0.0.${a}`, dstIp: `10.0.0.${b}`, srcPort: 40000, dstPort: 40000 },
            payload,
          ),
          { tsSec: 1_700_000_000, tsNsec: 1000 * time++ },
        );
        engine.dissectFrame(l2Frame(b, a, first), { tsSec: 1_700_000_000, tsNsec: 1000 * time++ });
      }
    }
  }
  const record = engine.flush();
  // Each host sent and received 5 × 40 UDP frames: "mirror.seen" counted once per frame per end
  // (two records: the test frames carry one MAC pair whatever their direction).
  const seen = record.identities.filter((i) => i.key === "mirror.seen" && i.ip === "10.0.0.3");
  deepStrictEqual(seen.map((i) => i.count), [200, 200]);
  // And each MAC without IP (the L2 frames) as well.
  const l2 = record.identities.filter((i) => i.key === "mirror.seen" && i.ip === null);
  deepStrictEqual(l2.map((i) => i.count), [400, 400, 400, 400, 400, 400]);
  assertSameRecords(record, shadowed);
});
