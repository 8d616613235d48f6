/**
 * tshark as the oracle: per-frame fields of a capture, aggregated the way NetSentinel aggregates,
 * for the cross-check tests.
 *
 * Decisions, so both sides compare the same thing:
 * - IP defragmentation is off (`ip.defragment:FALSE`, `ipv6.defragment:FALSE`): NetSentinel
 *   accounts each fragment as a frame and only the first carries ports.
 * - Only the first occurrence of an address or port field counts: later ones come from headers
 *   quoted inside ICMP errors or from tunnels, and NetSentinel keys flows on the outer header.
 * - Ports count only when the outer IP protocol is TCP or UDP (an ICMP error quoting a UDP header
 *   has udp.srcport in tshark, but the frame is an ICMP frame).
 *
 * @module
 */

import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { buildInventoryDocument } from "../aggregator/inventory_view.ts";
import type { InventoryDocument } from "../aggregator/inventory_types.ts";
import { TSHARK } from "./tshark_fields.ts";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "./shared_pcaps.ts";
import { notes } from "./requirements.ts";
import { writePlantSample } from "../samples/plant.ts";

/** One frame as tshark decodes it. */
export interface OracleFrame {
  length: number;
  srcMac: string | null;
  dstMac: string | null;
  srcIp: string | null;
  dstIp: string | null;
  ipProtocol: number | null;
  srcPort: number | null;
  dstPort: number | null;
  /** VLAN ids, outermost first. */
  vlans: number[];
}

const FIELDS = [
  "frame.len",
  "eth.src",
  "eth.dst",
  "ip.src",
  "ip.dst",
  "ip.proto",
  "ipv6.src",
  "ipv6.dst",
  "ipv6.nxt",
  "tcp.srcport",
  "tcp.dstport",
  "udp.srcport",
  "udp.dstport",
  "ieee8021ad.id",
  "vlan.id",
  "ip.frag_offset",
];

function first(field: string): string | null {
  if (field === "") return null;
  return field.split(",")[0];
}

function all(field: string): number[] {
  return field === "" ? [] : field.split(",").map(Number);
}

/** Runs tshark on `path` and returns its frames. */
export async function tsharkFrames(path: string): Promise<OracleFrame[]> {
  const args = [
    "-r",
    path,
    "-n",
    "-o",
    "ip.defragment:FALSE",
    "-o",
    "ipv6.defragment:FALSE",
    "-T",
    "fields",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=a",
    "-E",
    "aggregator=,",
    ...FIELDS.flatMap((field) => ["-e", field]),
  ];
  TSHARK.check();
  const output = await new Deno.Command("tshark", { args, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) {
    throw new Error(`Cannot run tshark on ${path}: ${new TextDecoder().decode(output.stderr)}`);
  }
  const lines = new TextDecoder().decode(output.stdout).split("\n").filter((line) => line.length > 0);
  return lines.map((line) => {
    const f = line.split("\t");
    const v4 = first(f[3]) !== null;
    const srcIp = first(f[3]) ?? first(f[6]);
    const dstIp = first(f[4]) ?? first(f[7]);
    const protocolText = v4 ? first(f[5]) : first(f[8]);
    const ipProtocol = protocolText === null ? null : Number(protocolText);
    const fragmentOffset = first(f[15]);
    const laterFragment = fragmentOffset !== null && Number(fragmentOffset) !== 0;
    let srcPort: number | null = null;
    let dstPort: number | null = null;
    if (!laterFragment && ipProtocol === 6 && first(f[9]) !== null) {
      srcPort = Number(first(f[9]));
      dstPort = Number(first(f[10]));
    } else if (!laterFragment && ipProtocol === 17 && first(f[11]) !== null) {
      srcPort = Number(first(f[11]));
      dstPort = Number(first(f[12]));
    }
    return {
      length: Number(f[0]),
      srcMac: first(f[1]),
      dstMac: first(f[2]),
      srcIp,
      dstIp,
      ipProtocol,
      srcPort,
      dstPort,
      vlans: [...all(f[13]), ...all(f[14])],
    };
  });
}

/** Key of a TCP/UDP flow as both sides can compute it. */
export function transportFlowKey(
  flow: {
    srcMac: string | null;
    dstMac: string | null;
    srcIp: string | null;
    dstIp: string | null;
    srcPort: number | null;
    dstPort: number | null;
    ipProtocol: number | null;
  },
  vlans: string,
): string {
  return [
    flow.srcMac,
    flow.dstMac,
    flow.srcIp,
    flow.dstIp,
    flow.srcPort,
    flow.dstPort,
    flow.ipProtocol,
    vlans,
  ].join("|");
}

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

function vlanText(vlans: number[]): string {
  return vlans.slice(0, 2).join("/");
}

/**
 * The inventory document of a capture, as `analyze` builds it (throws on a damaged file).
 *
 * @param path Capture file.
 * @param options `metrics`: also derive the per-minute metrics (default false: they cost time).
 */
export async function inventoryOf(
  path: string,
  options: { metrics?: boolean } = {},
): Promise<InventoryDocument> {
  const analysis = await analyzeCaptureFile(path);
  if (analysis.error) throw analysis.error;
  return buildInventoryDocument(analysis.inventory, { metrics: options.metrics ?? false });
}

/** What both sides are compared on. */
export interface Comparable {
  frames: number;
  sourcePairs: Set<string>;
  vlans: Set<string>;
  flows: Map<string, { packets: number; bytes: number }>;
  /** Unicast IPs of frame sides without a MAC (raw IP, loopback) that no MAC holds: devices keyed by IP. */
  ipDevices: Set<string>;
}

/** True for an address tshark shows that names one host (not multicast, broadcast or unspecified). */
function isUnicast(ip: string): boolean {
  if (ip.includes(":")) return ip !== "::" && !ip.startsWith("ff");
  const first = Number(ip.split(".")[0]);
  return ip !== "0.0.0.0" && ip !== "255.255.255.255" && (first < 224 || first > 239);
}

/** What tshark says of a capture. */
export async function expectedFrom(path: string): Promise<Comparable> {
  const sourcePairs = new Set<string>();
  const vlans = new Set<string>();
  const flows = new Map<string, { packets: number; bytes: number }>();
  const frames = await tsharkFrames(path);
  const withMac = new Set<string>();
  const withoutMac = new Set<string>();
  for (const frame of frames) {
    for (const [mac, ip] of [[frame.srcMac, frame.srcIp], [frame.dstMac, frame.dstIp]]) {
      if (ip !== null && isUnicast(ip)) (mac === null ? withoutMac : withMac).add(ip);
    }
  }
  // An IP that a MAC device sends from is that device, on whatever link it was also seen.
  const ipDevices = new Set([...withoutMac].filter((ip) => !withMac.has(ip)));
  for (const frame of frames) {
    if (frame.srcMac && frame.srcIp && !isUnspecified(frame.srcIp)) {
      sourcePairs.add(`${frame.srcMac} ${frame.srcIp}`);
    }
    if (frame.vlans.length > 0) vlans.add(vlanText(frame.vlans));
    if (frame.ipProtocol === 6 || frame.ipProtocol === 17) {
      const key = transportFlowKey(frame, vlanText(frame.vlans));
      const flow = flows.get(key) ?? { packets: 0, bytes: 0 };
      flow.packets++;
      flow.bytes += frame.length;
      flows.set(key, flow);
    }
  }
  return { frames: frames.length, sourcePairs, vlans, flows, ipDevices };
}

/** What NetSentinel says of it. */
export function actualFrom(doc: InventoryDocument): Comparable {
  const sourcePairs = new Set<string>();
  for (const device of doc.devices) {
    for (const ip of device.ips) {
      if (ip.learnt_from.includes("traffic")) sourcePairs.add(`${device.mac_address} ${ip.ip_address}`);
    }
  }
  const vlans = new Set<string>();
  const flows = new Map<string, { packets: number; bytes: number }>();
  for (const flow of doc.flows) {
    const tags = flow.vlan_id === null ? [] : flow.outer_vlan_id === null ? [flow.vlan_id] : [
      flow.outer_vlan_id,
      flow.vlan_id,
    ];
    if (tags.length > 0) vlans.add(vlanText(tags));
    if (flow.ip_protocol !== 6 && flow.ip_protocol !== 17) continue;
    const key = transportFlowKey({
      srcMac: flow.src_mac,
      dstMac: flow.dst_mac,
      srcIp: flow.src_ip,
      dstIp: flow.dst_ip,
      srcPort: flow.src_port === 0 && flow.dst_port === 0 ? null : flow.src_port,
      dstPort: flow.src_port === 0 && flow.dst_port === 0 ? null : flow.dst_port,
      ipProtocol: flow.ip_protocol,
    }, vlanText(tags));
    const known = flows.get(key) ?? { packets: 0, bytes: 0 };
    known.packets += flow.packet_count;
    known.bytes += flow.byte_count;
    flows.set(key, known);
  }
  const ipDevices = new Set((doc.ip_devices ?? []).map((device) => device.ip_address));
  return { frames: doc.summary.packets, sourcePairs, vlans, flows, ipDevices };
}

/** Sorted copy, for order-free comparisons. */
export function sorted<T>(values: Iterable<T>): T[] {
  return [...values].sort();
}

/**
 * Registers `check` as two tests named `${what} on every shared capture` (one step per file) and
 * `${what} on the sample plant`, skipped with the reason in their names when tshark or the shared
 * captures are missing.
 */
export function testOnEveryCapture(what: string, check: (path: string) => Promise<void>): void {
  Deno.test({
    name: `${what} on every shared capture${notes(SHARED_PCAPS, TSHARK)}`,
    ignore: SHARED_PCAPS.skip || TSHARK.skip,
    async fn(t) {
      for (const name of sharedCaptureFiles()) await t.step(name, () => check(sharedCapture(name)));
    },
  });
  Deno.test({
    name: `${what} on the sample plant${TSHARK.note}`,
    ignore: TSHARK.skip,
    async fn() {
      const dir = await Deno.makeTempDir();
      const path = `${dir}/plant.pcap`;
      await writePlantSample(path);
      await check(path);
      await Deno.remove(dir, { recursive: true });
    },
  });
}
