import { deepStrictEqual, notStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  APP_UNDECIDED,
  BUCKET_MICROS,
  ColdColumn,
  FLOW_STRIDE,
  FlowColumn,
  FlowMeter,
} from "./flow_meter.ts";
import { FLOW_KEY_WORDS, flowKeyFields } from "../../model/flow_key.ts";
import { writeFlowKey } from "./flow_key_writer.ts";
import { BUCKET_STRIDE } from "../../model/flush_record.ts";
import { testEngine } from "../_testing.ts";
import type { FrameMeta } from "../engine.ts";
import {
  dot1q,
  type IpFrame,
  parseIpv4,
  parseMac,
  TcpFlags,
  tcpPayloadOffset,
  udpPayloadOffset,
  writeTcpFrame,
  writeUdpFrame,
} from "../../samples/frames.ts";

const A = parseMac("02:00:00:00:00:0a");
const B = parseMac("02:00:00:00:00:0b");
const AB: IpFrame = {
  eth: { dst: B, src: A },
  ip: { version: 4, src: parseIpv4("10.0.0.1"), dst: parseIpv4("10.0.0.2") },
};
const BA: IpFrame = {
  eth: { dst: A, src: B },
  ip: { version: 4, src: parseIpv4("10.0.0.2"), dst: parseIpv4("10.0.0.1") },
};

/** A UDP frame with `payload` bytes after the headers. */
function udp(frame: IpFrame, srcPort: number, dstPort: number, payload = 0): Uint8Array {
  const buf = new Uint8Array(1600);
  buf.fill(0x5a, udpPayloadOffset(frame), udpPayloadOffset(frame) + payload);
  return buf.slice(0, writeUdpFrame(buf, 0, frame, { srcPort, dstPort }, payload));
}

/** A TCP segment with `flags` and `payload` bytes. */
function tcp(frame: IpFrame, flags: number, payload = 0): Uint8Array {
  const buf = new Uint8Array(1600);
  const header = { srcPort: 40000, dstPort: 80, seq: 1000, ack: 1, flags };
  buf.fill(0x5a, tcpPayloadOffset(frame, header), tcpPayloadOffset(frame, header) + payload);
  return buf.slice(0, writeTcpFrame(buf, 0, frame, header, payload));
}

/** Decodes each frame with the built-in dissectors and accounts it in `meter`; returns the flow ids. */
function account(meter: FlowMeter, frames: [Uint8Array, FrameMeta][]): number[] {
  const engine = testEngine();
  return frames.map(([frame, meta]) => meter.account(engine.dissectFrame(frame, meta)));
}

/** Seconds → frame metadata (timestamp, optionally a longer length on the wire). */
function at(seconds: number, wirelen?: number): FrameMeta {
  const tsSec = Math.floor(seconds);
  return { tsSec, tsNsec: Math.round((seconds - tsSec) * 1e9), wirelen };
}

function column(meter: FlowMeter, flow: number, slot: number): number {
  return meter.rows[flow * FLOW_STRIDE + slot];
}

Deno.test("FlowMeter.account() sums packets and wire bytes per direction, and keeps first and last seen", () => {
  const meter = new FlowMeter(16);
  const small = udp(AB, 5000, 53, 10);
  const big = udp(AB, 5000, 53, 1000);
  const reply = udp(BA, 53, 5000, 100);
  const flows = account(meter, [
    [small, at(100.5)],
    [big, at(130.25, 1400)], // cut by a snapshot length: bytes count the wire length
    [reply, at(101)],
    [small, at(90.000001)], // older than the first: first seen moves back, last seen stays
  ]);
  strictEqual(meter.size, 2);
  deepStrictEqual(flows, [0, 0, 1, 0]);
  strictEqual(column(meter, 0, FlowColumn.PACKETS), 3);
  strictEqual(column(meter, 0, FlowColumn.BYTES), small.length + 1400 + small.length);
  strictEqual(meter.firstUs(0), 90_000_001);
  strictEqual(column(meter, 0, FlowColumn.LAST_US), 130_250_000);
  strictEqual(column(meter, 1, FlowColumn.PACKETS), 1);
  strictEqual(column(meter, 1, FlowColumn.BYTES), reply.length);
  strictEqual(meter.firstUs(1), 101_000_000);
  strictEqual(column(meter, 1, FlowColumn.LAST_US), 101_000_000);
  // The two directions are two flows with mirrored keys.
  const keys = meter.packedKeys(2);
  strictEqual(flowKeyFields(keys, 0).src_ip, "10.0.0.1");
  strictEqual(flowKeyFields(keys, 1).src_ip, "10.0.0.2");
  strictEqual(flowKeyFields(keys, 1).src_port, 53);
});

Deno.test("FlowMeter closes a flow's bucket when its packets reach a later minute, with sizes and SYN/RST/FIN", () => {
  const meter = new FlowMeter(16);
  const minute = BUCKET_MICROS / 1e6;
  const syn = tcp(AB, TcpFlags.SYN);
  const data = tcp(AB, TcpFlags.ACK | TcpFlags.PSH, 500);
  const fin = tcp(AB, TcpFlags.FIN | TcpFlags.ACK);
  const rst = tcp(AB, TcpFlags.RST);
  const t0 = 1000 * minute; // minute 1000
  const ack = tcp(AB, TcpFlags.ACK, 30);
  account(meter, [
    [ack, at(t0 + 1)], // neither the smallest nor the largest of its minute
    [syn, at(t0 + 2)],
    [data, at(t0 + 3)],
    [syn, at(t0 + 4)],
    [fin, at(t0 + 59)],
    [data, at(t0 + minute + 1)], // minute 1001: closes minute 1000
    [rst, at(t0 + minute + 2)],
  ]);
  strictEqual(meter.closed.size, 1);
  const closed = [...meter.closed.snapshot()];
  deepStrictEqual(closed, [
    0, // flow
    1000, // minute
    5, // packets
    ack.length + syn.length * 2 + data.length + fin.length,
    syn.length,
    data.length,
    2, // SYN
    0, // RST
    1, // FIN
  ]);
  // The open bucket of minute 1001 counts only its own packets.
  strictEqual(column(meter, 0, FlowColumn.BUCKET_MINUTE), 1001);
  strictEqual(column(meter, 0, FlowColumn.BUCKET_PACKETS), 2);
  strictEqual(column(meter, 0, FlowColumn.BUCKET_MIN), rst.length);
  strictEqual(column(meter, 0, FlowColumn.BUCKET_MAX), data.length);
  strictEqual(meter.cold[ColdColumn.BUCKET_RST], 1);
  strictEqual(meter.cold[ColdColumn.BUCKET_SYN], 0);
  // Totals span both minutes.
  strictEqual(column(meter, 0, FlowColumn.PACKETS), 7);
  strictEqual(meter.tcpFlags(0), TcpFlags.SYN | TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN | TcpFlags.RST);
  meter.closeAllBuckets();
  strictEqual(meter.closed.size, 2);
  deepStrictEqual([...meter.closed.snapshot().subarray(BUCKET_STRIDE)], [
    0,
    1001,
    2,
    data.length + rst.length,
    rst.length,
    data.length,
    0,
    1,
    0,
  ]);
  meter.closeAllBuckets();
  strictEqual(meter.closed.size, 2, "an emptied bucket is not closed twice");
});

Deno.test("FlowMeter keeps each flow's application, heuristic attempts and TCP flags apart", () => {
  const meter = new FlowMeter(16);
  const [first, second] = account(meter, [[tcp(AB, TcpFlags.SYN), at(1)], [tcp(BA, TcpFlags.ACK), at(2)]]);
  strictEqual(meter.app(first), APP_UNDECIDED);
  strictEqual(meter.setApp(first, 7), 7);
  strictEqual(meter.app(first), 7);
  strictEqual(meter.app(second), APP_UNDECIDED);
  strictEqual(meter.heuristicTry(second), 0);
  strictEqual(meter.heuristicTry(second), 1);
  strictEqual(meter.heuristicTry(first), 0);
  strictEqual(meter.tcpFlags(first), TcpFlags.SYN);
  strictEqual(meter.tcpFlags(second), TcpFlags.ACK);
  account(meter, [[tcp(AB, TcpFlags.ACK), at(3)]]);
  strictEqual(meter.tcpFlags(first), TcpFlags.SYN | TcpFlags.ACK);
  strictEqual(meter.app(first), 7, "a later packet keeps the application");
});

Deno.test("FlowMeter grows from 16 flows to thousands and keeps every flow's key, counters and cold row", () => {
  const meter = new FlowMeter(16);
  const frames: [Uint8Array, FrameMeta][] = [];
  const firstFrame: number[] = [];
  for (let port = 1; port <= 3000; port++) {
    // The flow from source port `port` gets `port % 5 + 1` packets, one a second from `port` s.
    firstFrame[port] = frames.length;
    for (let n = 0; n <= port % 5; n++) frames.push([udp(AB, port, 9999, n), at(port + n)]);
  }
  const flows = account(meter, frames);
  strictEqual(meter.size, 3000);
  ok(meter.table.capacity >= 3000);
  strictEqual(meter.rows.buffer, meter.table.keys.buffer, "the float view follows the grown key array");
  const keys = meter.packedKeys(meter.size);
  const engine = testEngine();
  const expectedKey = new Uint32Array(FLOW_KEY_WORDS);
  for (let port = 1; port <= 3000; port++) {
    const flow = flows[firstFrame[port]];
    strictEqual(flow, port - 1, "flows are numbered in order of first appearance");
    strictEqual(column(meter, flow, FlowColumn.PACKETS), port % 5 + 1, `flow of port ${port}`);
    strictEqual(meter.firstUs(flow), port * 1e6);
    strictEqual(column(meter, flow, FlowColumn.LAST_US), (port + port % 5) * 1e6);
    writeFlowKey(engine.dissectFrame(udp(AB, port, 9999)), expectedKey);
    deepStrictEqual(keys.subarray(flow * FLOW_KEY_WORDS, (flow + 1) * FLOW_KEY_WORDS), expectedKey);
  }
});

Deno.test("FlowMeter.clear() forgets flows and closed buckets: a flow seen again starts from zero", () => {
  const meter = new FlowMeter(16);
  const frame = udp(AB, 1, 2, 20);
  account(meter, [[frame, at(0)], [frame, at(61)], [udp(BA, 2, 1), at(62)]]);
  strictEqual(meter.closed.size, 1);
  meter.setApp(0, 3);
  meter.heuristicTry(0);
  meter.clear();
  strictEqual(meter.size, 0);
  strictEqual(meter.closed.size, 0);
  const [flow] = account(meter, [[frame, at(200)]]);
  strictEqual(flow, 0);
  strictEqual(column(meter, flow, FlowColumn.PACKETS), 1);
  strictEqual(column(meter, flow, FlowColumn.BYTES), frame.length);
  strictEqual(meter.firstUs(flow), 200e6);
  strictEqual(meter.app(flow), APP_UNDECIDED);
  strictEqual(meter.heuristicTry(flow), 0);
});

Deno.test("FlowMeter.keyText() names a flow by its key: the same after a flush renumbers it, distinct per flow", () => {
  const meter = new FlowMeter(16);
  const frames = [
    udp(AB, 1, 2),
    udp(BA, 2, 1),
    udp({ ...AB, eth: { ...AB.eth, tags: dot1q(5) } }, 1, 2), // same addresses and ports, other VLAN
    tcp(AB, TcpFlags.SYN),
  ];
  account(meter, frames.map((frame) => [frame, at(1)]));
  const texts = frames.map((_, flow) => meter.keyText(flow));
  strictEqual(new Set(texts).size, frames.length);
  meter.clear();
  // Seen again in reverse order, the TCP flow with other flags: other entry ids, same names.
  frames[3] = tcp(AB, TcpFlags.ACK | TcpFlags.FIN);
  const flows = account(meter, [...frames].reverse().map((frame) => [frame, at(2)]));
  deepStrictEqual(flows, [0, 1, 2, 3]);
  deepStrictEqual([...flows].reverse().map((flow) => meter.keyText(flow)), texts);
  notStrictEqual(meter.keyText(0), texts[0]);
});
