/**
 * Run by no_allocation_test.ts under `--v8-flags=--trace-gc`: dissects and accounts the same
 * batch of varied frames many times and prints markers around the steady-state loop, so the test
 * can count garbage collections that happened inside it.
 *
 * @module
 */

import { PacketBatch } from "../capture/batch.ts";
import { hex, testEngine } from "../dissectors/_testing.ts";

const FRAMES = [
  // TCP over QinQ (outer 200 / inner 100).
  "020000000002 020000000001 88a8 00c8 8100 0064 0800 4500 002c 0001 4000 4006 0000 0a000001 0a000002 9c40 01f6 00000001 00000000 6002 ffff 0000 0000 0204 05b4",
  // UDP over 802.1Q with IPv4 options.
  "ffffffffffff 020000000001 8100 000a 0800 4600 0024 0001 0000 4011 0000 0a000001 0a000002 94040000 04d2 162e 000c 0000 deadbeef",
  // ARP reply (two sightings).
  "0020d25afb3f 0080ea818863 0806 0001 0800 06 04 0002 0080ea818863 ac154f64 0020d25afb3f ac154f61",
  // IPv6 TCP SYN (ipv6_tcp_smtp.pcap frame 1).
  "000573a007d1 68a3c4f949f6 86dd 6000 0000 0020 06 40 2001 0470 e5bf dead 4957 2174 e82c 4887 2607 f8b0 400c 0c03 0000 0000 0000 001a f9c7 0019 03a0 8830 0000 0000 8002 2000 da47 0000 0204058c 01030308 01010402",
  // ICMPv6 neighbor advertisement with target link-layer address.
  "333300000001 020000000001 86dd 6000 0000 0020 3a ff fe80 0000 0000 0000 0000 0200 0000 0001 ff02 0000 0000 0000 0000 0000 0000 0001 8800 0000 60000000 20010db8000000000000000000000010 0201 020000000010",
  // 802.3 LLC/SNAP (CDP header).
  "01000ccccccc 001c0f1aa1cd 0176 aaaa03 00000c 2000 0200b4",
].map(hex);

const batch = new PacketBatch(1024);
const total = FRAMES.reduce((sum, frame) => sum + frame.length, 0) * 200;
batch.bytes = new Uint8Array(total);
let at = 0;
for (let i = 0; i < 1024; i++) {
  const frame = FRAMES[i % FRAMES.length];
  batch.bytes.set(frame, at);
  batch.offset[i] = at;
  batch.caplen[i] = batch.wirelen[i] = frame.length;
  batch.tsSec[i] = 1_700_000_000;
  batch.tsNsec[i] = i * 1000;
  batch.linkType[i] = 1;
  at += frame.length;
}
batch.count = 1024;

const engine = testEngine();
for (let i = 0; i < 200; i++) engine.process(batch);
console.log("STEADY-STATE-BEGIN");
for (let i = 0; i < 2000; i++) engine.process(batch);
console.log("STEADY-STATE-END");
console.log(`packets ${engine.stats.packets}`);
