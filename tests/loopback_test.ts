/**
 * BSD loopback captures (LINKTYPE_NULL 0, LINKTYPE_LOOP 108) against tshark: every frame, flow
 * and host, on the two real loopback captures of ../shared/pcaps and on captures built here with
 * the pcap writer — NULL in both byte orders, IPv4 and the three IPv6 family values of the BSDs,
 * and LOOP in network byte order. The hosts carry no MAC: they are devices keyed by IP. And a link
 * type without a dissector (802.11 radiotap) is a warning line of the summary, with its count.
 *
 * @module
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { actualFrom, expectedFrom, inventoryOf, sorted, tsharkFrames } from "./tshark_oracle.ts";
import { PcapWriter } from "../samples/pcap_writer.ts";
import {
  type IpFrame,
  parseIpv4,
  parseIpv6,
  TcpFlags,
  writeTcpFrame,
  writeUdpFrame,
} from "../samples/frames.ts";
import { LinkType } from "../capture/batch.ts";
import { formatTextReport } from "../cli/report_text.ts";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";

const ETHERNET_HEADER = 14;
const NO_MAC = { src: new Uint8Array(6), dst: new Uint8Array(6) };

/** A loopback frame: the 4-byte family header in the given byte order, then the IP datagram. */
function loopbackFrame(family: number, littleEndian: boolean, ip: IpFrame["ip"], tcp: boolean, port: number) {
  const buf = new Uint8Array(256);
  const frame: IpFrame = { eth: NO_MAC, ip };
  if (tcp) {
    writeTcpFrame(buf, 0, frame, { srcPort: port, dstPort: 6666, seq: 1, ack: 0, flags: TcpFlags.SYN }, 0);
  } else {
    writeUdpFrame(buf, 0, frame, { srcPort: port, dstPort: 53 }, 0);
  }
  // The IP datagram without the Ethernet header and padding the frame writer adds.
  const view = new DataView(buf.buffer);
  const ipLength = ip.version === 4
    ? view.getUint16(ETHERNET_HEADER + 2)
    : 40 + view.getUint16(ETHERNET_HEADER + 4);
  const out = new Uint8Array(4 + ipLength);
  new DataView(out.buffer).setUint32(0, family, littleEndian);
  out.set(buf.subarray(ETHERNET_HEADER, ETHERNET_HEADER + ipLength), 4);
  return out;
}

const V4 = { version: 4 as const, src: parseIpv4("10.1.0.1"), dst: parseIpv4("10.1.0.2") };
const V6 = { version: 6 as const, src: parseIpv6("fd00::1"), dst: parseIpv6("fd00::2") };

/** Frames of one built capture: [family, little-endian header, IP header, TCP]. */
type Spec = [number, boolean, IpFrame["ip"], boolean][];

const NULL_FRAMES: Spec = [
  [2, true, V4, true], // AF_INET written by a little-endian machine
  [2, false, V4, false], // … and by a big-endian one
  [24, true, V6, true], // AF_INET6 of NetBSD/OpenBSD
  [28, false, V6, false], // FreeBSD, big-endian
  [30, true, V6, false], // macOS
  [30, false, V6, true],
];
const LOOP_FRAMES: Spec = [
  [2, false, V4, true],
  [24, false, V6, false],
];

async function writeLoopbackCapture(path: string, linkType: number, spec: Spec): Promise<void> {
  const writer = await PcapWriter.create(path, { linkType });
  spec.forEach(([family, littleEndian, ip, tcp], index) => {
    writer.write(1_700_000_000 + index, 0, loopbackFrame(family, littleEndian, ip, tcp, 40000 + index));
  });
  writer.close();
}

/** Compares frames, flows and hosts with tshark's; every frame must carry IP for tshark too. */
async function assertAgreesWithTshark(path: string, expectedFrames?: number): Promise<void> {
  const [expected, doc, frames] = await Promise.all([
    expectedFrom(path),
    inventoryOf(path),
    tsharkFrames(path),
  ]);
  if (expectedFrames !== undefined) strictEqual(frames.length, expectedFrames, "frames tshark reads");
  ok(
    frames.every((frame) => frame.srcIp !== null && frame.srcMac === null),
    "tshark: IP and no MAC in each frame",
  );
  const actual = actualFrom(doc);
  strictEqual(actual.frames, expected.frames, "frames");
  deepStrictEqual(
    Object.fromEntries(sorted(actual.flows.entries())),
    Object.fromEntries(sorted(expected.flows.entries())),
    "TCP/UDP flows with packet and byte counts",
  );
  ok(expected.ipDevices.size > 0, "tshark shows hosts");
  deepStrictEqual(sorted(actual.ipDevices), sorted(expected.ipDevices), "devices keyed by IP");
  deepStrictEqual(doc.devices, [], "no device keyed by MAC");
  strictEqual(doc.summary.ip_devices, expected.ipDevices.size);
  const counters = Object.values(doc.stats)[0];
  strictEqual(counters.unsupported_link_type, 0);
  strictEqual(counters.unaccounted, 0);
  strictEqual(counters.malformed, 0, counters.problems.join("; "));
  const text = formatTextReport(doc);
  for (const ip of expected.ipDevices) {
    match(text, new RegExp(`\\(no MAC: by IP\\) .* ${ip.replaceAll(".", "\\.")} `));
  }
}

Deno.test({
  name: `analyze agrees with tshark on the real loopback captures${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn(t) {
    for (const name of ["irc_null_loopback_ipv4_ipv6.pcap", "http_connect_null_loopback.pcap"]) {
      await t.step(name, () => assertAgreesWithTshark(sharedCapture(name)));
    }
  },
});

Deno.test("analyze agrees with tshark on built NULL (both byte orders) and LOOP captures", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("NULL, IPv4 and IPv6 (families 24, 28, 30), little- and big-endian", async () => {
      const path = `${dir}/null.pcap`;
      await writeLoopbackCapture(path, LinkType.NULL, NULL_FRAMES);
      await assertAgreesWithTshark(path, NULL_FRAMES.length);
    });
    await t.step("LOOP, network byte order", async () => {
      const path = `${dir}/loop.pcap`;
      await writeLoopbackCapture(path, LinkType.LOOP, LOOP_FRAMES);
      await assertAgreesWithTshark(path, LOOP_FRAMES.length);
    });
    await t.step("an address family that is not IP is counted, not attributed", async () => {
      const path = `${dir}/iso.pcap`;
      await writeLoopbackCapture(path, LinkType.NULL, [[7, true, V4, false], [2, true, V4, false]]);
      const doc = await inventoryOf(path);
      strictEqual(doc.summary.packets, 2);
      strictEqual(doc.flows.length, 1);
      strictEqual(Object.values(doc.stats)[0].unaccounted, 1);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the summary warns of frames of a link type without a dissector, with their count", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const writer = await PcapWriter.create(path, { linkType: LinkType.IEEE802_11_RADIOTAP });
    // A radiotap header (version 0, length 8, no fields) before a few bytes of an 802.11 frame.
    for (let i = 0; i < 3; i++) {
      writer.write(1_700_000_000 + i, 0, Uint8Array.of(0, 0, 8, 0, 0, 0, 0, 0, 0x80, 0));
    }
    writer.close();
    const analysis = await analyzeCaptureFile(path);
    // The summary names link types from the source's interfaces, as `analyze` passes them.
    const doc = buildInventoryDocument(analysis.inventory, { source: analysis.source, metrics: false });
    strictEqual(Object.values(doc.stats)[0].unsupported_link_type, 3);
    match(
      formatTextReport(doc),
      /^WARNING: 3 frames of an unsupported link type \(802\.11 radiotap\) were counted but not analysed$/m,
    );
  } finally {
    await Deno.remove(path);
  }
});
