/**
 * The capture worker on a real interface: a veth pair in a throw-away network namespace, frames
 * replayed with tcpreplay on one end, captured on the other by the worker, consumed from its ring
 * by the harness, and compared with the capture files read by the TypeScript reader.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PacketBatch } from "../batch.ts";
import { openCaptureFile } from "../file_source.ts";
import { writeBenchCapture } from "../../samples/bench_capture.ts";
import { NETNS, Netns } from "../../tests/netns.ts";
import { notes } from "../../tests/requirements.ts";
import { SHARED_PCAPS, sharedCapture } from "../../tests/shared_pcaps.ts";
import { type HarnessEvent, type HarnessFrame, type HarnessRequest, spawnHarness } from "./_harness.ts";
import { withDeadline } from "../../tests/wait.ts";

/** Ethernet captures with 802.1Q, QinQ (0x88a8 and 0x8100/0x8100), jumbo-free full-size frames, IPv6, LLDP, STP. */
const FILES = [
  "qinq_8021ad_arp.pcap",
  "qinq_8100x2_bacnet_whois.pcap",
  "vlan_8021q_and_double_tag_cdp.pcap",
  "goose_vlan_tagged.pcap",
  "stp_rpvst_trunk_dtp_vtp.pcap",
  "stp_mstp_intra_region.pcap",
  "modbus_tcp_test_data_part1.pcap",
  "http_get.pcap",
  "ipv6_tcp_smtp.pcap",
  "lldp_cdp_cisco.pcap",
];

const SKIP = NETNS.skip || SHARED_PCAPS.skip;
const suffix = notes(NETNS, SHARED_PCAPS);

type Result = Extract<HarnessEvent, { event: "result" }>;

function hex(bytes: Uint8Array, from: number, length: number): string {
  let text = "";
  for (let i = from; i < from + length; i++) text += bytes[i].toString(16).padStart(2, "0");
  return text;
}

/** Every frame of the files, in order, as the harness reports frames. */
async function framesOf(paths: string[]): Promise<Omit<HarnessFrame, "ring">[]> {
  const frames: Omit<HarnessFrame, "ring">[] = [];
  const batch = new PacketBatch(4096);
  for (const path of paths) {
    const source = await openCaptureFile(path);
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        frames.push({
          caplen: batch.caplen[i],
          wirelen: batch.wirelen[i],
          linkType: batch.linkType[i],
          hex: hex(batch.bytes, batch.offset[i], batch.caplen[i]),
        });
      }
    }
    source.close();
  }
  return frames;
}

/**
 * Starts the harness in `ns` on the capture end, runs `send` once the worker has started, stops the
 * capture after `stopAfterMs` at the latest (a deadline: the stop reason is then "stdin"), and returns
 * the result; a harness that does not start or does not stop fails the test.
 */
async function capture(
  ns: Netns,
  request: Omit<HarnessRequest, "options"> & { options?: Partial<HarnessRequest["options"]> },
  send: () => Promise<unknown>,
  stopAfterMs = 3000,
): Promise<Result> {
  const harness = spawnHarness(ns.prefix, {
    ...request,
    options: { iface: ns.captureIface, ...request.options },
  });
  const ready = await withDeadline(
    harness.ready,
    30_000,
    "the capture worker to start",
    () => harness.stop(),
  );
  assert.equal(ready.event, "started", JSON.stringify(ready));
  await send();
  const timer = setTimeout(() => harness.stop(), stopAfterMs);
  const { events, stderr } = await harness.finish();
  clearTimeout(timer);
  const result = events.find((event) => event.event === "result");
  assert.ok(result, `no result from the harness: ${stderr}`);
  assert.deepEqual(events.filter((event) => event.event === "error"), []);
  return result as Result;
}

Deno.test({
  name:
    `capture worker: replayed frames (802.1Q, QinQ, full size) arrive byte for byte, nothing sent${suffix}`,
  ignore: SKIP,
  async fn() {
    await using ns = await Netns.create();
    const paths = FILES.map(sharedCapture);
    const expected = await framesOf(paths);
    const before = await ns.counters(ns.captureIface);
    let sent = 0;
    const result = await capture(
      ns,
      { collect: "frames", options: { maxPackets: expected.length } },
      async () => {
        sent = (await ns.replay(paths, { pps: 20000 })).sent;
      },
    );
    const after = await ns.counters(ns.captureIface);
    assert.equal(sent, expected.length);
    assert.equal(after.txPackets, before.txPackets, "the capture interface transmitted nothing");
    assert.equal(result.stats.received, expected.length);
    assert.equal(result.consumed, expected.length);
    assert.deepEqual(
      [result.stats.kernelDropped, result.stats.interfaceDropped, result.stats.ringDropped],
      [0, 0, 0],
    );
    const frames = result.frames!;
    for (let i = 0; i < expected.length; i++) {
      const { ring: _ring, ...got } = frames[i];
      assert.deepEqual(got, expected[i], `frame ${i + 1} differs`);
    }
  },
});

Deno.test({
  name: `capture worker: posts stats while idle, and honours a stop request on a silent interface${suffix}`,
  ignore: SKIP,
  async fn() {
    await using ns = await Netns.create();
    // Stopped by the harness at the second stats message (one a second; the fallback stop at 10 s
    // would say "stdin"). A worker blocked in a read of a silent interface would never stop.
    const result = await capture(ns, { stopAfterStats: 2 }, () => Promise.resolve(), 10_000);
    assert.equal(result.stats.received, 0);
    assert.equal(result.stopReason, "stats");
    assert.ok(result.statsMessages >= 2, `${result.statsMessages} stats messages`);
  },
});

Deno.test({
  name: `capture worker: a partial batch reaches the ring after batchLatencyMs${suffix}`,
  ignore: SKIP,
  async fn() {
    await using ns = await Netns.create();
    // Six frames in a 1024-packet batch: only the latency flush can deliver them before a stop
    // (without it they would come with the fallback stop at 5 s, whose reason is "stdin"); the
    // harness asks for the stop once it has consumed them.
    const path = sharedCapture("profinet_dcp_set_ip.pcap");
    const result = await capture(
      ns,
      { stopWhenSeen: 6, options: { batchLatencyMs: 10 } },
      () => ns.replay([path], { pps: 1000 }),
      5000,
    );
    assert.equal(result.consumed, 6);
    assert.equal(result.stopReason, "seen", "the frames arrived before any stop was requested");
  },
});

Deno.test({
  name: `capture worker: stops by itself after maxPackets${suffix}`,
  ignore: SKIP,
  async fn() {
    await using ns = await Netns.create();
    const path = sharedCapture("modbus_tcp_test_data_part1.pcap");
    const result = await capture(
      ns,
      { options: { maxPackets: 50 } },
      () => ns.replay([path], { pps: 20000 }),
    );
    assert.equal(result.stats.received, 50);
    assert.equal(result.consumed, 50);
    assert.equal(result.stopReason, null, "no stop request was needed");
  },
});

Deno.test({
  name: `capture worker: a full ring drops and counts batches, capture goes on${suffix}`,
  ignore: SKIP,
  async fn() {
    await using ns = await Netns.create();
    const path = sharedCapture("goose_vlan_tagged.pcap"); // 451 frames of 245 bytes
    const result = await capture(
      ns,
      { holdRings: true, ringBytes: 64 * 1024, options: { maxPackets: 448, batchPackets: 32 } },
      () => ns.replay([path], { pps: 20000 }),
    );
    assert.equal(result.stats.received, 448);
    assert.ok(result.stats.ringDropped > 0, "the ring overflowed");
    assert.equal(result.consumed + result.stats.ringDropped, 448);
  },
});

Deno.test({
  name: `capture worker: with three rings both directions of a conversation share a ring${suffix}`,
  ignore: SKIP,
  async fn() {
    await using ns = await Netns.create();
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "bench.pcap");
      const summary = await writeBenchCapture(path, { frames: 20000, tinyFrames: true, seed: 7 });
      const result = await capture(
        ns,
        { rings: 3, collect: "frames", options: { maxPackets: summary.frames } },
        () => ns.replay([path], { pps: 50000 }),
        5000,
      );
      assert.equal(result.consumed, summary.frames);
      const ringOfPair = new Map<string, number>();
      for (const frame of result.frames!) {
        const a = frame.hex.slice(0, 12);
        const b = frame.hex.slice(12, 24);
        const pair = a < b ? a + b : b + a;
        const ring = ringOfPair.get(pair);
        if (ring === undefined) ringOfPair.set(pair, frame.ring);
        else assert.equal(frame.ring, ring, `MAC pair ${pair} split across rings`);
      }
      assert.ok(result.perRing.every((count) => count > summary.frames / 10), `uneven: ${result.perRing}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
