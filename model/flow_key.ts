/**
 * The flow key: the spec's `traffic_flows` unique tuple, packed in 14 32-bit words.
 *
 * | words  | content |
 * | ------ | ------- |
 * | 0–2    | source MAC (6 B) and destination MAC (6 B); zeros when the link has none |
 * | 3–6    | source IP (IPv4 in word 3, IPv6 in words 3–6) |
 * | 7–10   | destination IP |
 * | 11     | source port << 16 \| destination port (0 when absent, as the spec's COALESCE) |
 * | 12     | (outer VLAN + 1) << 16 \| (inner VLAN + 1); 0 = no tag |
 * | 13     | EtherType << 16 \| (IP protocol + 1) << 4 \| IP version |
 *
 * Departure from the seed spec, on purpose: the key also holds the outer VLAN (so QinQ 200/100
 * and plain VLAN 100 are different flows) and the EtherType (so ARP and LLDP between the same
 * two MACs are different flows).
 *
 * The sensor writes keys (dissectors/flow/flow_key_writer.ts); the bus, the aggregator and storage read
 * them with the functions here.
 *
 * @module
 */

import { formatIpv4, formatIpv6, formatMac } from "./address.ts";

/** Words per flow key. */
export const FLOW_KEY_WORDS = 14;

/** The fields of a packed flow key, for reports and storage. */
export interface FlowKeyFields {
  src_mac: string | null;
  dst_mac: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  src_port: number | null;
  dst_port: number | null;
  /** The VLAN the frame belongs to: the only tag, or the inner (C-) tag of a QinQ frame. */
  vlan_id: number | null;
  /** The outer (S-) tag of a QinQ frame. */
  outer_vlan_id: number | null;
  ethertype: number | null;
  ip_protocol: number | null;
  ip_version: number | null;
}

/**
 * Text of MACs and IPv4 addresses by numeric value. Reports format the same few thousand hosts
 * for hundreds of thousands of flows; the cache is emptied when it holds too many entries.
 */
const textCache: Map<number, string> = new Map();
const TEXT_CACHE_LIMIT = 1 << 18;

function cachedText(key: number, make: () => string): string {
  let text = textCache.get(key);
  if (text === undefined) {
    if (textCache.size >= TEXT_CACHE_LIMIT) textCache.clear();
    text = make();
    textCache.set(key, text);
  }
  return text;
}

function macText(high: number, low16: number): string {
  // MACs use keys ≥ 2^32 (48 bits), IPv4 addresses keys < 2^32 with an offset below.
  return cachedText(2 ** 32 + high * 65536 + low16, () => formatMac(high, low16));
}

function ipv4Text(value: number): string {
  return cachedText(-1 - value, () => formatIpv4(value));
}

/** Decodes entry `entry` of a packed key array into named fields. */
export function flowKeyFields(keys: Uint32Array, entry: number): FlowKeyFields {
  const k = entry * FLOW_KEY_WORDS;
  const version = keys[k + 13] & 0x0f;
  const ethertype = keys[k + 13] >>> 16;
  const proto = ((keys[k + 13] >>> 4) & 0x1ff) - 1;
  const srcMacHigh = keys[k];
  const srcMacLow = keys[k + 1] >>> 16;
  const dstMacHigh = (((keys[k + 1] & 0xffff) << 16) | (keys[k + 2] >>> 16)) >>> 0;
  const dstMacLow = keys[k + 2] & 0xffff;
  let srcIp: string | null = null;
  let dstIp: string | null = null;
  if (version === 4) {
    srcIp = ipv4Text(keys[k + 3]);
    dstIp = ipv4Text(keys[k + 7]);
  } else if (version === 6) {
    srcIp = formatIpv6(keys[k + 3], keys[k + 4], keys[k + 5], keys[k + 6]);
    dstIp = formatIpv6(keys[k + 7], keys[k + 8], keys[k + 9], keys[k + 10]);
  }
  const hasPorts = proto === 6 || proto === 17 || proto === 132;
  const outer = (keys[k + 12] >>> 16) - 1;
  const inner = (keys[k + 12] & 0xffff) - 1;
  return {
    src_mac: srcMacHigh === 0 && srcMacLow === 0 ? null : macText(srcMacHigh, srcMacLow),
    dst_mac: dstMacHigh === 0 && dstMacLow === 0 ? null : macText(dstMacHigh, dstMacLow),
    src_ip: srcIp,
    dst_ip: dstIp,
    src_port: hasPorts ? keys[k + 11] >>> 16 : null,
    dst_port: hasPorts ? keys[k + 11] & 0xffff : null,
    vlan_id: inner >= 0 ? inner : outer >= 0 ? outer : null,
    outer_vlan_id: inner >= 0 ? outer : null,
    ethertype: ethertype === 0xffff ? null : ethertype,
    ip_protocol: proto >= 0 ? proto : null,
    ip_version: version === 0 ? null : version,
  };
}
