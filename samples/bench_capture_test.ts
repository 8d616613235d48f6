import assert from "node:assert/strict";
import { BENCH_FRAMES_PER_SECOND, writeBenchCapture } from "./bench_capture.ts";
import { finishChecksum, pseudoSumV4, pseudoSumV6, sumWords } from "./frames.ts";
import { expertProblems, TSHARK } from "../tests/tshark_fields.ts";

/** What the test counts in a capture, decoding it with its own few lines (not NetSentinel's dissectors). */
interface Tally {
  frames: number;
  bytes: number;
  min: number;
  max: number;
  small: number;
  large: number;
  dot1q: number;
  qinq: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  arp: number;
  badChecksums: number;
  nonMonotonic: number;
  firstMicros: number;
  lastMicros: number;
  flows: Set<string>;
  hosts: Set<string>;
  vlansOfHost: Map<string, Set<string>>;
}

function endpoint(frame: Uint8Array, at: number, length: number): string {
  return Array.from(frame.subarray(at, at + length)).join(".");
}

function tallyFrame(frame: Uint8Array, t: Tally): void {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const mac = endpoint(frame, 6, 6);
  t.hosts.add(mac);
  let at = 12;
  let type = v.getUint16(at);
  if (type === 0x88a8) t.qinq++;
  else if (type === 0x8100) t.dot1q++;
  let vids = "";
  while (type === 0x88a8 || type === 0x8100) {
    vids += `${type.toString(16)}/${v.getUint16(at + 2) & 0xfff} `;
    at += 4;
    type = v.getUint16(at);
  }
  const vlans = t.vlansOfHost.get(mac) ?? new Set();
  t.vlansOfHost.set(mac, vlans.add(vids));
  at += 2;
  if (type === 0x0806) {
    t.arp++;
    return;
  }
  let proto: number;
  let l4: number;
  let l4Length: number;
  let pseudo: number;
  let src: string;
  let dst: string;
  if (type === 0x0800) {
    const hl = (frame[at] & 0x0f) * 4;
    if (finishChecksum(sumWords(frame, at, hl)) !== 0) t.badChecksums++;
    proto = frame[at + 9];
    l4 = at + hl;
    l4Length = v.getUint16(at + 2) - hl;
    pseudo = proto === 1 ? 0 : pseudoSumV4(v.getUint32(at + 12), v.getUint32(at + 16), proto, l4Length);
    [src, dst] = [endpoint(frame, at + 12, 4), endpoint(frame, at + 16, 4)];
  } else {
    t.ipv6++;
    proto = frame[at + 6];
    l4 = at + 40;
    l4Length = v.getUint16(at + 4);
    pseudo = pseudoSumV6(frame.subarray(at + 8, at + 24), frame.subarray(at + 24, at + 40), proto, l4Length);
    [src, dst] = [endpoint(frame, at + 8, 16), endpoint(frame, at + 24, 16)];
  }
  if (finishChecksum(sumWords(frame, l4, l4Length, pseudo)) !== 0) t.badChecksums++;
  if (proto === 6) t.tcp++;
  else if (proto === 17) t.udp++;
  else t.icmp++;
  const ports = proto === 6 || proto === 17
    ? [v.getUint16(l4), v.getUint16(l4 + 2)]
    : [v.getUint16(l4 + 4), 0];
  const a = `${src}/${ports[0]}`;
  const b = `${dst}/${ports[1]}`;
  t.flows.add(`${proto} ${a < b ? a + " " + b : b + " " + a}`);
}

async function tally(path: string): Promise<Tally> {
  const bytes = await Deno.readFile(path);
  const v = new DataView(bytes.buffer);
  assert.equal(v.getUint32(0, true), 0xa1b2c3d4);
  const t: Tally = {
    frames: 0,
    bytes: 0,
    min: Infinity,
    max: 0,
    small: 0,
    large: 0,
    dot1q: 0,
    qinq: 0,
    ipv6: 0,
    tcp: 0,
    udp: 0,
    icmp: 0,
    arp: 0,
    badChecksums: 0,
    nonMonotonic: 0,
    firstMicros: 0,
    lastMicros: 0,
    flows: new Set(),
    hosts: new Set(),
    vlansOfHost: new Map(),
  };
  for (let at = 24; at < bytes.length;) {
    const micros = v.getUint32(at, true) * 1e6 + v.getUint32(at + 4, true);
    const caplen = v.getUint32(at + 8, true);
    assert.equal(v.getUint32(at + 12, true), caplen);
    if (t.frames === 0) t.firstMicros = micros;
    if (micros < t.lastMicros) t.nonMonotonic++;
    t.lastMicros = micros;
    t.frames++;
    t.bytes += caplen;
    t.min = Math.min(t.min, caplen);
    t.max = Math.max(t.max, caplen);
    if (caplen <= 100) t.small++;
    if (caplen >= 1400) t.large++;
    tallyFrame(bytes.subarray(at + 16, at + 16 + caplen), t);
    at += 16 + caplen;
  }
  return t;
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const FRAMES = 100_000;
const dir = await Deno.makeTempDir({ prefix: "netsentinel-bench-" });

function assertShare(name: string, count: number, total: number, expected: number, tolerance: number): void {
  const share = count / total;
  assert.ok(
    Math.abs(share - expected) <= tolerance,
    `${name} share ${(100 * share).toFixed(2)} %, expected ${100 * expected} %`,
  );
}

Deno.test("writeBenchCapture() at 100 k frames meets the traffic mix, scaled flow and host counts", async () => {
  const path = `${dir}/mixed.pcap`;
  const summary = await writeBenchCapture(path, { frames: FRAMES, seed: 3 });
  const t = await tally(path);
  assert.equal(summary.frames, FRAMES);
  assert.equal(t.frames, FRAMES);
  assert.equal(t.badChecksums, 0);
  assert.equal(t.nonMonotonic, 0);
  assert.ok(t.min >= 60 && t.max <= 1514, `sizes ${t.min}–${t.max}`);
  const avg = t.bytes / t.frames;
  assert.ok(avg > 520 && avg < 680, `average size ${avg}`);
  assertShare("ACK-sized (≤ 100 B)", t.small, t.frames, 0.42, 0.08);
  assertShare("near-MTU (≥ 1400 B)", t.large, t.frames, 0.26, 0.08);
  assertShare("802.1Q", t.dot1q, t.frames, 0.10, 0.015);
  assertShare("QinQ", t.qinq, t.frames, 0.05, 0.01);
  assertShare("IPv6", t.ipv6, t.frames, 0.15, 0.02);
  assertShare("TCP", t.tcp, t.frames, 0.77, 0.04);
  assertShare("UDP", t.udp, t.frames, 0.18, 0.03);
  assertShare("ICMP", t.icmp, t.frames, 0.03, 0.01);
  assertShare("ARP", t.arp, t.frames, 0.02, 0.01);
  assert.ok(t.flows.size >= (50_000 * FRAMES) / 2_000_000, `${t.flows.size} flows`);
  assert.ok(t.hosts.size >= (5_000 * FRAMES) / 2_000_000, `${t.hosts.size} hosts`);
  assert.equal(t.hosts.size, summary.hosts);
  const roaming = [...t.vlansOfHost].filter(([, vlans]) => vlans.size > 1);
  assert.deepEqual(roaming, [], "every host keeps one VLAN stack");
  const span = (t.lastMicros - t.firstMicros) / 1e6;
  assert.ok(Math.abs(span - FRAMES / BENCH_FRAMES_PER_SECOND) < 1, `span ${span} s`);
});

Deno.test("writeBenchCapture({ tinyFrames }) writes only 60-byte IPv4/ARP frames, same VLAN mix", async () => {
  const path = `${dir}/tiny.pcap`;
  await writeBenchCapture(path, { frames: FRAMES, tinyFrames: true, seed: 3 });
  const t = await tally(path);
  assert.equal(t.frames, FRAMES);
  assert.equal(t.min, 60);
  assert.equal(t.max, 60);
  assert.equal(t.ipv6, 0);
  assert.equal(t.badChecksums, 0);
  assertShare("802.1Q", t.dot1q, t.frames, 0.10, 0.015);
  assertShare("QinQ", t.qinq, t.frames, 0.05, 0.01);
  assert.ok(t.flows.size >= (50_000 * FRAMES) / 2_000_000);
});

Deno.test("writeBenchCapture() is deterministic for a seed", async () => {
  const [a, b, c] = [`${dir}/a.pcap`, `${dir}/b.pcap`, `${dir}/c.pcap`];
  await writeBenchCapture(a, { frames: 20_000, seed: 11 });
  await writeBenchCapture(b, { frames: 20_000, seed: 11 });
  await writeBenchCapture(c, { frames: 20_000, seed: 12 });
  assert.equal(await sha256(a), await sha256(b));
  assert.notEqual(await sha256(a), await sha256(c));
});

Deno.test("writeBenchCapture() rejects a bad frame count", async () => {
  for (const frames of [0, -1, 1.5, NaN]) {
    await assert.rejects(() => writeBenchCapture(`${dir}/bad.pcap`, { frames }), {
      name: "RangeError",
      message: `Cannot write bench capture: frames is ${frames}, must be a positive integer`,
    });
  }
});

Deno.test({
  name:
    `bench captures (mixed and tiny) have no tshark expert warning, checksum or malformed error${TSHARK.note}`,
  ignore: TSHARK.skip,
  async fn() {
    for (const tinyFrames of [false, true]) {
      const path = `${dir}/tshark-${tinyFrames}.pcap`;
      await writeBenchCapture(path, { frames: 5_000, tinyFrames, seed: 5 });
      assert.deepEqual(await expertProblems(path), []);
    }
  },
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
