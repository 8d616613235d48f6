import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { PacketBatch } from "../../capture/batch.ts";
import { openCaptureFile } from "../../capture/file_source.ts";
import { PcapWriter } from "../../samples/pcap_writer.ts";
import { TSHARK_NOTE, TSHARK_SKIP, tsharkFields } from "../../samples/_tshark.ts";
import { HAVE_SHARED_PCAPS, sharedCapture, SKIP_REASON } from "../../tests/shared_pcaps.ts";
import { testEngine } from "../_testing.ts";
import type { FlushRecord } from "../flush.ts";
import { adu, request } from "../ot/modbus/_test_frames.ts";
import { OT_DISSECTORS } from "../ot/mod.ts";
import { RecentSegments } from "./tcp_retransmissions.ts";

/** `frame` with its TCP sequence number set (the test frames' TCP header starts at byte 34). */
function withSeq(frame: Uint8Array, seq: number): Uint8Array {
  const copy = frame.slice();
  new DataView(copy.buffer).setUint32(38, seq);
  return copy;
}

/** A Modbus write single register (function 6) of `value` at register 5, transaction `transaction`. */
function write(transaction: number, value: number, seq: number): Uint8Array {
  return withSeq(request(adu(1, [6, 0, 5, value >> 8, value & 0xff], transaction)), seq);
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
  engine.dissectFrame(withSeq(request(adu(1, [6, 0, 5, 0, 10, 0], 1)), 2000), time(701));
  record = engine.flush();
  strictEqual(writes(record), 2);
  strictEqual(record.stats.tcpRetransmissions, 2, "cumulative, unchanged");
});

Deno.test("the segment table tells flows, ends and lengths apart, forgets at a flush, and never matches a segment it was not given", () => {
  const segments = new RecentSegments();
  strictEqual(segments.seenBefore(7, 502, 1000, 12), false);
  strictEqual(segments.seenBefore(7, 502, 1000, 12), true);
  strictEqual(segments.seenBefore(8, 502, 1000, 12), false, "another flow");
  strictEqual(segments.seenBefore(7, 50000, 1000, 12), false, "the other end");
  strictEqual(segments.seenBefore(7, 502, 1000, 13), false, "another length");
  segments.clear();
  strictEqual(segments.seenBefore(7, 502, 1000, 12), false);
  // Direct-mapped: after many other segments the first is usually gone, never falsely matched.
  let falseMatches = 0;
  for (let seq = 0; seq < 1_000_000; seq++) if (segments.seenBefore(9, 40000, seq * 100, 100)) falseMatches++;
  strictEqual(falseMatches, 0);
});

/** Frames of `name`, each TCP segment with a payload written twice when `every` says so; returns the count. */
async function withRetransmissions(name: string, path: string, every: number): Promise<number> {
  const source = await openCaptureFile(sharedCapture(name));
  const writer = await PcapWriter.create(path);
  const batch = new PacketBatch(256);
  const engine = testEngine([...OT_DISSECTORS]);
  let frames = 0;
  let payloads = 0;
  let duplicated = 0;
  try {
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        const frame = batch.bytes.slice(batch.offset[i], batch.offset[i] + batch.caplen[i]);
        // Frames 10 ms apart, in their order: a copy 10 ms later is a retransmission to tshark.
        const write = () =>
          writer.write(1_700_000_000 + Math.floor(frames / 100), (frames++ % 100) * 10_000, frame);
        write();
        const packet = engine.dissectFrame(frame);
        if (packet.ipProto === 6 && packet.payloadLength > 0 && payloads++ % every === 0) {
          write();
          duplicated++;
        }
      }
    }
  } finally {
    source.close();
    writer.close();
  }
  return duplicated;
}

async function flushOf(path: string): Promise<FlushRecord> {
  const engine = testEngine([...OT_DISSECTORS]);
  const source = await openCaptureFile(path);
  const batch = new PacketBatch(256);
  try {
    while (await source.next(batch)) engine.process(batch);
  } finally {
    source.close();
  }
  return engine.flush();
}

/** Events as comparable text with their counts. */
function eventCounts(record: FlushRecord): string[] {
  return record.events.map((e) => `${e.type} ${e.src_ip}>${e.dst_ip} ${JSON.stringify(e.fields)} ×${e.count}`)
    .sort();
}

for (
  const name of ["s7comm_reading_plc_status.pcap", "modbus_tcp_test_data_part1.pcap", "iec104_diverse.pcap"]
) {
  Deno.test({
    name:
      `${name} with every third payload segment retransmitted: the retransmissions tshark flags are the ones skipped, events unchanged${
        HAVE_SHARED_PCAPS ? TSHARK_NOTE : ` (${SKIP_REASON})`
      }`,
    ignore: !HAVE_SHARED_PCAPS || TSHARK_SKIP,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "netsentinel-retransmissions-" });
      try {
        const path = join(dir, "retransmitted.pcap");
        const duplicated = await withRetransmissions(name, path, 3);
        const flagged = await tsharkFields(
          path,
          ["frame.number"],
          "tcp.analysis.retransmission && tcp.len > 0",
        );
        strictEqual(flagged.length, duplicated, "tshark flags each copy as a retransmission");
        const original = await flushOf(sharedCapture(name));
        const record = await flushOf(path);
        strictEqual(record.stats.tcpRetransmissions, duplicated);
        strictEqual(record.stats.packets, original.stats.packets + duplicated);
        deepStrictEqual(eventCounts(record), eventCounts(original));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
