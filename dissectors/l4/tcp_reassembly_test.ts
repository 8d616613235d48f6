import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { PacketBatch } from "../../capture/batch.ts";
import { openCaptureFile } from "../../capture/file_source.ts";
import { PcapWriter } from "../../samples/pcap_writer.ts";
import { Rng } from "../../samples/rng.ts";
import { TSHARK, tsharkFields } from "../../tests/tshark_fields.ts";
import { SHARED_PCAPS, sharedCapture } from "../../tests/shared_pcaps.ts";
import { notes } from "../../tests/requirements.ts";
import { eventCounts, flushOfCapture, testEngine } from "../_testing.ts";
import type { FlushRecord } from "../../model/flush_record.ts";
import { adu, request } from "../ot/modbus/_test_frames.ts";
import { sequenceOf, withSequence } from "../it/hints/_test_frames.ts";
import { OT_DISSECTORS } from "../ot/mod.ts";
import { MAX_REASSEMBLY_BYTES } from "../packet.ts";
import type { Dissector } from "../api.ts";

/** Ethernet + IPv4 + TCP headers of the test frames (no options). */
const HEADERS = 14 + 20 + 20;

/** The test frame `frame` cut into TCP segments at `cuts` (offsets in its payload), sequence numbers following. */
function split(frame: Uint8Array, cuts: number[]): Uint8Array[] {
  const payload = frame.subarray(HEADERS);
  const seq = sequenceOf(frame);
  const bounds = [0, ...cuts, payload.length];
  const segments: Uint8Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const segment = new Uint8Array(HEADERS + bounds[i + 1] - bounds[i]);
    segment.set(frame.subarray(0, HEADERS));
    segment.set(payload.subarray(bounds[i], bounds[i + 1]), HEADERS);
    const view = new DataView(segment.buffer);
    view.setUint16(16, segment.length - 14);
    withSequence(segment, seq + bounds[i]);
    segments.push(segment);
  }
  return segments;
}

function writes(record: FlushRecord): number {
  return record.events.filter((e) => e.type === "modbus.write").reduce((sum, e) => sum + e.count, 0);
}

/** Two Modbus writes in one segment (12 bytes each). */
function twoWrites(): Uint8Array {
  const first = adu(1, [6, 0, 5, 0, 10], 1);
  const second = adu(1, [6, 0, 6, 0, 20], 2);
  const both = new Uint8Array(first.length + second.length);
  both.set(first);
  both.set(second, first.length);
  return request(both);
}

Deno.test("a PDU split over TCP segments is decoded once joined, wherever the cuts fall", () => {
  const whole = twoWrites();
  // Every way of cutting 24 bytes in two, then in three.
  for (let a = 1; a < 24; a++) {
    for (const cuts of [[a], ...Array.from({ length: 23 - a }, (_, i) => [a, a + 1 + i])]) {
      const engine = testEngine([...OT_DISSECTORS]);
      for (const segment of split(whole, cuts)) engine.dissectFrame(segment);
      const record = engine.flush();
      strictEqual(writes(record), 2, `cut at ${cuts}`);
      strictEqual(record.stats.tcpReassemblyDropped, 0, `cut at ${cuts}`);
      strictEqual(record.stats.malformed, 0, `cut at ${cuts}`);
    }
  }
});

Deno.test("a PDU whose next segment is missing is given up and counted", () => {
  const engine = testEngine([...OT_DISSECTORS]);
  const [head, , tail] = split(twoWrites(), [5, 15]);
  engine.dissectFrame(head);
  engine.dissectFrame(tail); // the middle segment was lost: the kept start is given up
  const record = engine.flush();
  strictEqual(writes(record), 0);
  strictEqual(record.stats.tcpReassemblyDropped, 1);
});

Deno.test("a PDU waiting at a flush is carried over to the flow's next segment, or given up at the next flush", () => {
  const engine = testEngine([...OT_DISSECTORS]);
  const [head, middle, tail] = split(twoWrites(), [5, 15]);
  engine.dissectFrame(head);
  let record = engine.flush();
  strictEqual(writes(record), 0);
  strictEqual(record.stats.tcpReassemblyDropped, 0, "kept across the flush");
  engine.dissectFrame(middle);
  engine.dissectFrame(tail);
  record = engine.flush();
  strictEqual(writes(record), 2, "the flow numbers changed, the PDU found its flow");
  strictEqual(record.stats.tcpReassembled, 2);
  // Never claimed: given up at the flush after.
  engine.dissectFrame(split(twoWrites(), [5])[0]);
  strictEqual(engine.flush().stats.tcpReassemblyDropped, 0);
  strictEqual(engine.flush().stats.tcpReassemblyDropped, 1);
});

Deno.test("a PDU that grows past the reassembly limit is given up", () => {
  // A dissector that always asks for more: the engine gives the PDU up at the limit.
  const greedy: Dissector = {
    name: "greedy",
    title: "Test: never has enough",
    registration: { tables: { "tcp.port": [40001] } },
    decode: (packet) => packet.desegment(packet.payloadOffset),
  };
  const engine = testEngine([greedy]);
  const chunk = new Uint8Array(1400);
  let seq = 1;
  const segments = Math.ceil(MAX_REASSEMBLY_BYTES / chunk.length) + 3;
  for (let i = 0; i < segments; i++) {
    const segment = withSequence(request(chunk, 40001), seq);
    seq += chunk.length;
    engine.dissectFrame(segment);
  }
  const record = engine.flush();
  // Joined until the kept bytes passed the limit, given up, then kept again from the next segment.
  strictEqual(record.stats.tcpReassemblyDropped, 1);
  strictEqual(record.stats.tcpReassembled, segments - 2);
});

/** Frames of `name` with every TCP payload segment of 2 bytes or more cut in two at a seeded point. */
async function splitCapture(name: string, path: string, seed: number): Promise<number> {
  const rng = new Rng(seed);
  const source = await openCaptureFile(sharedCapture(name));
  const batch = new PacketBatch(256);
  const probe = testEngine();
  const writer = await PcapWriter.create(path);
  let written = 0;
  let cut = 0;
  const write = (frame: Uint8Array) => {
    const micros = written++ * 1000;
    writer.write(1_700_000_000 + Math.floor(micros / 1e6), micros % 1e6, frame);
  };
  try {
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        const frame = batch.bytes.slice(batch.offset[i], batch.offset[i] + batch.caplen[i]);
        const packet = probe.dissectFrame(frame);
        const headers = packet.payloadOffset - packet.start;
        if (packet.ipProto !== 6 || packet.ipVersion !== 4 || packet.payloadLength < 2) {
          write(frame);
          continue;
        }
        const at = rng.int(1, packet.payloadLength - 1);
        const ipAt = packet.l3Offset - packet.start;
        const seqAt = packet.l4Offset - packet.start + 4;
        const parts = [[0, at], [at, packet.payloadLength]];
        for (const [from, to] of parts) {
          const segment = new Uint8Array(headers + to - from);
          segment.set(frame.subarray(0, headers));
          segment.set(frame.subarray(headers + from, headers + to), headers);
          const view = new DataView(segment.buffer);
          view.setUint16(ipAt + 2, segment.length - ipAt);
          view.setUint32(seqAt, (packet.tcpSeq + from) >>> 0);
          write(segment);
        }
        cut++;
      }
    }
  } finally {
    source.close();
    writer.close();
  }
  return cut;
}

function identitySet(record: FlushRecord): string[] {
  return [...new Set(record.identities.map((i) => `${i.ip} ${i.key}=${i.value}`))].sort();
}

/**
 * Captures, and the tshark protocol whose frames are counted on both files, or null. The original
 * capture is the reference: its decoding is checked frame by frame against tshark elsewhere. On the
 * cut Modbus/TCP and EtherNet/IP files tshark itself loses most PDUs (5 of 45 Modbus/TCP frames,
 * 79 of 267 EtherNet/IP ones): its dissectors judge each segment's first bytes before asking for
 * more, so a segment cut inside a header is not joined.
 */
const CAPTURES: [string, string | null][] = [
  ["s7comm_reading_plc_status.pcap", "s7comm"],
  ["s7comm_step7_s300_read_diag.pcap", "s7comm"],
  ["modbus_tcp_test_data_part1.pcap", null],
  ["dnp3_tcp_test_data_part1.pcap", "dnp3"],
  ["iec104_diverse.pcap", "iec60870_104"],
  ["enip_cip_controllogix_change_date.pcap", null],
  ["mqtt_connect_pubsub.pcap", "mqtt"],
  ["opcua_tcp12001_method_call.pcap", null],
];

for (const [name, protocol] of CAPTURES) {
  Deno.test({
    name: `${name} with every TCP payload cut in two: the same events and identities${
      protocol ? ", and tshark reassembles the same PDUs" : ""
    }${notes(SHARED_PCAPS, TSHARK)}`,
    ignore: SHARED_PCAPS.skip || TSHARK.skip,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "netsentinel-reassembly-" });
      try {
        const path = join(dir, "split.pcap");
        const cut = await splitCapture(name, path, 2026);
        ok(cut > 10, `${cut} segments cut`);
        const original = await flushOfOt(sharedCapture(name));
        const record = await flushOfOt(path);
        // A cut that falls between two PDUs needs no joining; most fall inside one.
        ok(record.stats.tcpReassembled > cut / 2, `${record.stats.tcpReassembled} of ${cut} joined`);
        deepStrictEqual(eventCounts(record), eventCounts(original));
        deepStrictEqual(identitySet(record), identitySet(original));
        if (protocol !== null) {
          const pdus = async (file: string) => (await tsharkFields(file, [protocol], protocol)).length;
          strictEqual(await pdus(path), await pdus(sharedCapture(name)), `tshark's ${protocol} frames`);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

/** The in-process flush of a capture file with the OT dissectors. */
function flushOfOt(path: string): Promise<FlushRecord> {
  return flushOfCapture(path, [...OT_DISSECTORS]);
}
