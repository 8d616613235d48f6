import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { PacketBatch } from "../../capture/batch.ts";
import { openCaptureFile } from "../../capture/file_source.ts";
import { PcapWriter } from "../../samples/pcap_writer.ts";
import { TSHARK, tsharkFields } from "../../tests/tshark_fields.ts";
import { SHARED_PCAPS, sharedCapture } from "../../tests/shared_pcaps.ts";
import { notes } from "../../tests/requirements.ts";
import { eventCounts, flushOfCapture, testEngine } from "../_testing.ts";
import type { FlushRecord } from "../../model/flush_record.ts";
import { adu, request } from "../ot/modbus/_test_frames.ts";
import { withSequence } from "../it/hints/_test_frames.ts";
import { OT_DISSECTORS } from "../ot/mod.ts";
import { TcpSequenceTracker } from "./tcp_retransmissions.ts";

/** A Modbus write single register (function 6) of `value` at register 5, transaction `transaction`. */
function write(transaction: number, value: number, seq: number): Uint8Array {
  return withSequence(request(adu(1, [6, 0, 5, value >> 8, value & 0xff], transaction)), seq);
}

function writes(record: FlushRecord): number {
  return record.events.filter((e) => e.type === "modbus.write").reduce((sum, e) => sum + e.count, 0);
}

Deno.test("a retransmitted segment is accounted but not decoded twice; out-of-order segments are all decoded", () => {
  const engine = testEngine([...OT_DISSECTORS]);
  const time = (ms: number) => ({ tsSec: 1_700_000_000, tsNsec: ms * 1_000_000 });
  engine.dissectFrame(write(1, 10, 1000), time(0));
  engine.dissectFrame(write(1, 10, 1000), time(250)); // retransmitted after a timeout
  engine.dissectFrame(write(3, 30, 1024), time(300)); // arrives before the segment it follows
  engine.dissectFrame(write(2, 20, 1012), time(301));
  engine.dissectFrame(write(2, 20, 1012), time(600)); // retransmitted too
  let record = engine.flush();
  strictEqual(writes(record), 3);
  strictEqual(record.stats.tcpRetransmissions, 2);
  strictEqual(record.flows.packets[0], 5, "the flow meter counts every segment");
  // The same sequence number from the other end, or with another length, is other data.
  engine.dissectFrame(write(1, 10, 2000), time(700));
  engine.dissectFrame(withSequence(request(adu(1, [6, 0, 5, 0, 10, 0], 1)), 2000), time(701));
  record = engine.flush();
  strictEqual(writes(record), 2);
  strictEqual(record.stats.tcpRetransmissions, 2, "cumulative, unchanged");
});

Deno.test("a retransmission across a flush is still recognised: what the flow carried is kept by flow key", () => {
  const engine = testEngine([...OT_DISSECTORS]);
  const time = (ms: number) => ({ tsSec: 1_700_000_000, tsNsec: ms * 1_000_000 });
  engine.dissectFrame(write(1, 10, 1000), time(0));
  let record = engine.flush();
  strictEqual(writes(record), 1);
  engine.dissectFrame(write(1, 10, 1000), time(250)); // retransmitted after the flush
  engine.dissectFrame(write(2, 20, 1012), time(260)); // then new data
  record = engine.flush();
  strictEqual(writes(record), 1, "only the new write");
  strictEqual(record.stats.tcpRetransmissions, 1);
  // Kept for one flush only: a flow silent for a whole flush starts afresh.
  engine.flush();
  engine.dissectFrame(write(1, 10, 1000), time(900));
  strictEqual(writes(engine.flush()), 1);
});

Deno.test("the sequence tracker carries a flow over a flush by key, for one flush", () => {
  const tcp = new TcpSequenceTracker();
  tcp.isRetransmission(3, 1000, 100);
  const keys = ["a", "b", "c", "d"];
  tcp.carryOver((flow) => keys[flow]);
  strictEqual(tcp.carried, 1);
  strictEqual(tcp.isFresh(0), true);
  tcp.restore(0, "d");
  strictEqual(tcp.carried, 0);
  strictEqual(tcp.isFresh(0), false);
  strictEqual(tcp.isRetransmission(0, 1000, 100), true, "the flow's data, renumbered");
  tcp.carryOver((flow) => keys[flow]);
  tcp.carryOver((flow) => keys[flow]);
  strictEqual(tcp.carried, 0, "not claimed during a whole flush: forgotten");
});

Deno.test("the sequence tracker: in order, retransmitted, probes, out of order, a second gap, wrap-around, flush", () => {
  const tcp = new TcpSequenceTracker();
  const seen = (seq: number, length: number, flow = 0) => tcp.isRetransmission(flow, seq, length);
  strictEqual(seen(1000, 100), false, "first segment");
  strictEqual(seen(1100, 100), false, "next in order");
  strictEqual(seen(1000, 100), true, "retransmitted");
  strictEqual(seen(1199, 1), true, "keep-alive probe: one old byte");
  strictEqual(seen(1150, 100), false, "repacketised, ends with new data: decoded");
  strictEqual(seen(1250, 0), false, "no payload: nothing to decode");
  strictEqual(seen(1250, 10, 1), false, "another flow (the other direction is another flow)");
  // 1250…1300 lost by the capture or late: a gap.
  strictEqual(seen(1300, 100), false, "beyond a gap");
  strictEqual(seen(1250, 20), false, "out of order, fills the start of the gap");
  strictEqual(seen(1250, 20), true, "…then retransmitted");
  strictEqual(seen(1280, 20), false, "fills the rest of the gap");
  strictEqual(seen(1280, 20), true, "…then retransmitted");
  // Two gaps at once: the tracker is no longer sure, and decodes rather than lose anything.
  strictEqual(seen(1500, 100), false);
  strictEqual(seen(1700, 100), false);
  strictEqual(seen(1600, 100), false, "fills the second gap: unknown to the tracker, decoded");
  strictEqual(seen(1300, 100), false, "unsure: decoded again rather than risk skipping new data");
  // Sequence numbers wrap at 2^32.
  strictEqual(seen(0xffffff00, 0x80, 2), false);
  strictEqual(seen(0xffffff80, 0x100, 2), false, "crosses zero");
  strictEqual(seen(0x80, 0x40, 2), false, "after zero");
  strictEqual(seen(0xffffff80, 0x100, 2), true, "retransmitted across zero");
  tcp.clear();
  strictEqual(seen(1000, 100), false, "forgotten at a flush");
  strictEqual(seen(1000, 100, 70_000), false, "a flow far beyond the first ones");
  strictEqual(seen(1000, 100, 70_000), true);
});

/** What {@linkcode rewrite} changed. */
interface Rewritten {
  /** Payload segments written a second time, 10 ms later. */
  duplicated: number;
  /** Pairs of consecutive payload segments of one sender seen (every other one is swapped). */
  swapped: number;
  /** Copies of a segment that arrived out of order (tshark calls them out of order too). */
  lateCopies: number;
}

/**
 * Writes `name` to `path` with every `every`-th TCP payload segment written again 10 ms later (a
 * retransmission) and, where a sender sends two payload segments in a row, every other such pair
 * swapped (the later one first, the earlier 1 ms after it: out of order).
 */
async function rewrite(name: string, path: string, every: number): Promise<Rewritten> {
  const source = await openCaptureFile(sharedCapture(name));
  const batch = new PacketBatch(256);
  const engine = testEngine([...OT_DISSECTORS]);
  const frames: { bytes: Uint8Array; sender: string }[] = [];
  try {
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        const bytes = batch.bytes.slice(batch.offset[i], batch.offset[i] + batch.caplen[i]);
        const packet = engine.dissectFrame(bytes);
        const payload = packet.ipProto === 6 && packet.payloadLength > 0;
        const sender = payload
          ? `${bytes.subarray(packet.srcIpOffset, packet.srcIpOffset + 4)}:${packet.srcPort}`
          : "";
        frames.push({ bytes, sender });
      }
    }
  } finally {
    source.close();
  }
  const writer = await PcapWriter.create(path);
  const result: Rewritten = { duplicated: 0, swapped: 0, lateCopies: 0 };
  let slot = 0;
  let payloads = 0;
  const write = (bytes: Uint8Array, extraMicros = 0) => {
    const micros = slot++ * 10_000 + extraMicros;
    writer.write(1_700_000_000 + Math.floor(micros / 1e6), micros % 1e6, bytes);
  };
  const send = (bytes: Uint8Array, extraMicros = 0) => {
    write(bytes, extraMicros);
    if (payloads++ % every === 0) {
      write(bytes);
      result.duplicated++;
      if (extraMicros > 0) result.lateCopies++;
    }
  };
  try {
    for (let i = 0; i < frames.length; i++) {
      const { bytes, sender } = frames[i];
      if (sender === "") {
        write(bytes);
      } else if (frames[i + 1]?.sender === sender && result.swapped++ % 2 === 0) {
        send(frames[i + 1].bytes);
        slot--;
        send(bytes, 1000);
        i++;
      } else {
        send(bytes);
      }
    }
  } finally {
    writer.close();
  }
  return result;
}

// Captures, and whether a sender sends two payload segments in a row in them (then some are swapped).
const CAPTURES: [string, boolean][] = [
  ["s7comm_reading_plc_status.pcap", true],
  ["s7commplus_s7-1200_upload_ob1.pcap", true],
  ["modbus_tcp_test_data_part1.pcap", false],
  ["iec104_diverse.pcap", false],
];

for (const [name, reorders] of CAPTURES) {
  Deno.test({
    name:
      `${name} with every third payload segment retransmitted and segments out of order: the retransmissions tshark flags are the ones skipped, events unchanged${
        notes(SHARED_PCAPS, TSHARK)
      }`,
    ignore: SHARED_PCAPS.skip || TSHARK.skip,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "netsentinel-retransmissions-" });
      try {
        const path = join(dir, "retransmitted.pcap");
        const { duplicated, swapped, lateCopies } = await rewrite(name, path, 3);
        ok(duplicated > 0 && (swapped > 0) === reorders, `${duplicated} copies, ${swapped} pairs`);
        // Deliberate difference: the copy of a segment that came out of order is, to tshark, out of
        // order again (it still fills what tshark took for a gap); it carries data seen already, so
        // NetSentinel counts it with the retransmissions.
        const flagged = await tsharkFields(
          path,
          ["frame.number"],
          "tcp.analysis.retransmission && tcp.len > 0",
        );
        strictEqual(
          flagged.length,
          duplicated - lateCopies,
          "tshark flags the other copies as retransmissions",
        );
        const late = await tsharkFields(path, ["frame.number"], "tcp.analysis.out_of_order");
        strictEqual(
          late.length,
          Math.ceil(swapped / 2) + lateCopies,
          "and the swapped earlier segments as out of order",
        );
        const original = await flushOfOt(sharedCapture(name));
        const record = await flushOfOt(path);
        strictEqual(record.stats.tcpRetransmissions, duplicated);
        strictEqual(record.stats.packets, original.stats.packets + duplicated);
        deepStrictEqual(eventCounts(record), eventCounts(original));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name:
    `two captures of one EtherNet/IP connection, one after the other: the segments they share are the retransmissions tshark flags${
      notes(SHARED_PCAPS, TSHARK)
    }`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "netsentinel-retransmissions-" });
    try {
      const path = join(dir, "both.pcap");
      const writer = await PcapWriter.create(path);
      const batch = new PacketBatch(256);
      try {
        for (
          const name of ["enip_cip_io_listidentity_1756enbt.pcap", "enip_cip_controllogix_change_date.pcap"]
        ) {
          const source = await openCaptureFile(sharedCapture(name));
          try {
            while (await source.next(batch)) {
              for (let i = 0; i < batch.count; i++) {
                const frame = batch.bytes.subarray(batch.offset[i], batch.offset[i] + batch.caplen[i]);
                writer.write(batch.tsSec[i], Math.floor(batch.tsNsec[i] / 1000), frame);
              }
            }
          } finally {
            source.close();
          }
        }
      } finally {
        writer.close();
      }
      const flagged = await tsharkFields(
        path,
        ["frame.number"],
        "tcp.analysis.retransmission && tcp.len > 0",
      );
      const record = await flushOfOt(path);
      strictEqual(record.stats.tcpRetransmissions, flagged.length);
      strictEqual(flagged.length, 267);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** The in-process flush of a capture file with the OT dissectors. */
function flushOfOt(path: string): Promise<FlushRecord> {
  return flushOfCapture(path, [...OT_DISSECTORS]);
}
