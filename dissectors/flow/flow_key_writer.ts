/**
 * Writes a decoded packet's flow key in the layout of model/flow_key.ts, without allocating.
 *
 * @module
 */

import type { Packet } from "../packet.ts";

/** Writes the flow key of a decoded packet into `key` (no allocation). */
export function writeFlowKey(packet: Packet, key: Uint32Array): void {
  const bytes = packet.bytes;
  const view = packet.view;
  const s = packet.srcMacOffset;
  const d = packet.dstMacOffset;
  let srcLow = 0;
  if (s >= 0) {
    key[0] = view.getUint32(s);
    srcLow = (bytes[s + 4] << 8) | bytes[s + 5];
  } else {
    key[0] = 0;
  }
  if (d >= 0) {
    key[1] = ((srcLow << 16) | (bytes[d] << 8) | bytes[d + 1]) >>> 0;
    key[2] = view.getUint32(d + 2);
  } else {
    key[1] = (srcLow << 16) >>> 0;
    key[2] = 0;
  }
  const version = packet.ipVersion;
  if (version === 4) {
    key[3] = view.getUint32(packet.srcIpOffset);
    key[4] = key[5] = key[6] = 0;
    key[7] = view.getUint32(packet.dstIpOffset);
    key[8] = key[9] = key[10] = 0;
  } else if (version === 6) {
    const sa = packet.srcIpOffset;
    const da = packet.dstIpOffset;
    key[3] = view.getUint32(sa);
    key[4] = view.getUint32(sa + 4);
    key[5] = view.getUint32(sa + 8);
    key[6] = view.getUint32(sa + 12);
    key[7] = view.getUint32(da);
    key[8] = view.getUint32(da + 4);
    key[9] = view.getUint32(da + 8);
    key[10] = view.getUint32(da + 12);
  } else {
    key[3] =
      key[4] =
      key[5] =
      key[6] =
      key[7] =
      key[8] =
      key[9] =
      key[10] =
        0;
  }
  const srcPort = packet.srcPort < 0 ? 0 : packet.srcPort;
  const dstPort = packet.dstPort < 0 ? 0 : packet.dstPort;
  key[11] = ((srcPort << 16) | dstPort) >>> 0;
  key[12] = (((packet.outerVlan + 1) << 16) | (packet.innerVlan + 1)) >>> 0;
  key[13] = (((packet.ethertype & 0xffff) << 16) | ((packet.ipProto + 1) << 4) | version) >>> 0;
}
