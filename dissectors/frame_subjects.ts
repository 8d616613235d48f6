/**
 * The subjects of the frame the collector is looking at: its source, its destination and the pair,
 * hashed from the frame's address bytes (for the collector's caches and maps: no text per packet),
 * and formatted as text only when a record is new. Both are computed once per frame, whatever the
 * number of observations its dissectors report (the engine numbers frames).
 *
 * @module
 */

import type { Subject } from "./api.ts";
import type { Packet } from "./packet.ts";
import { ipAt, macAt } from "../model/address.ts";
import { addressTag, key53, SubjectHash } from "./observation_keys.ts";

function vlanOf(packet: Packet): number | null {
  if (packet.innerVlan >= 0) return packet.innerVlan;
  return packet.outerVlan >= 0 ? packet.outerVlan : null;
}

/** Hashes and texts of the current frame's subjects. */
export class FrameSubjects {
  /** 53-bit keys of the source and destination (MAC, IP, VLANs), and of the ordered pair. */
  srcKey = 0;
  dstKey = 0;
  frameKey = 0;
  /** Cache tags of the source and destination, and of events about each side (frames without a flow). */
  srcTag = 0;
  dstTag = 0;
  srcEventTag = 0;
  dstEventTag = 0;
  /** The frame's addresses as text, after {@linkcode format}. */
  srcMac: string | null = null;
  dstMac: string | null = null;
  srcIp: string | null = null;
  dstIp: string | null = null;
  vlan: number | null = null;
  #vlanKey = 0;
  #hashedFrame = -1;
  #formattedFrame = -1;
  readonly #hash = new SubjectHash();

  /** Hashes the source, destination and address pair of frame number `frame`, once per frame. */
  hash(packet: Packet, frame: number): void {
    if (this.#hashedFrame === frame) return;
    this.#hashedFrame = frame;
    const vlan = ((packet.outerVlan + 1) << 16) | (packet.innerVlan + 1);
    this.#vlanKey = vlan;
    const ipLength = packet.ipVersion === 4 ? 4 : packet.ipVersion === 6 ? 16 : 0;
    const hash = this.#hash;
    hash.start(vlan);
    hash.mixBytes(packet.bytes, packet.srcMacOffset, 6);
    hash.mixBytes(packet.bytes, packet.srcIpOffset, ipLength);
    const src1 = hash.h1;
    const src2 = hash.h2;
    hash.start(vlan);
    hash.mixBytes(packet.bytes, packet.dstMacOffset, 6);
    hash.mixBytes(packet.bytes, packet.dstIpOffset, ipLength);
    const dst1 = hash.h1;
    const dst2 = hash.h2;
    this.srcKey = key53(src1, src2);
    this.dstKey = key53(dst1, dst2);
    this.srcTag = addressTag(src1, src2, 0);
    this.dstTag = addressTag(dst1, dst2, 1);
    // The pair, in order (source then destination): integer mixing, no division per frame.
    const pair1 = Math.imul(src1 ^ 0x9e3779b9, 0x01000193) ^ dst1;
    const pair2 = Math.imul(src2 ^ 0x85ebca6b, 0x5bd1e995) ^ ((dst2 << 13) | (dst2 >>> 19));
    this.frameKey = key53(pair1, pair2);
    this.srcEventTag = addressTag(pair1, pair2, 0);
    this.dstEventTag = addressTag(pair1, pair2, 1);
  }

  /** Hash of a subject given as addresses (text), combined with the frame's VLAN and a salt. */
  objectKey(about: { mac?: string; ip?: string }, salt: number): number {
    const hash = this.#hash;
    hash.start(salt ^ (this.#vlanKey << 3));
    const text = `${about.mac ?? ""}|${about.ip ?? ""}`;
    for (let i = 0; i < text.length; i++) hash.mix(text.charCodeAt(i));
    return hash.finish();
  }

  /** Formats the addresses of frame number `frame`, once per frame (only when a record is new). */
  format(packet: Packet, frame: number): void {
    if (this.#formattedFrame === frame) return;
    this.#formattedFrame = frame;
    const bytes = packet.bytes;
    this.srcMac = packet.srcMacOffset >= 0 ? macAt(bytes, packet.srcMacOffset) : null;
    this.dstMac = packet.dstMacOffset >= 0 ? macAt(bytes, packet.dstMacOffset) : null;
    const version = packet.ipVersion;
    this.srcIp = version && packet.srcIpOffset >= 0 ? ipAt(bytes, packet.srcIpOffset, version) : null;
    this.dstIp = version && packet.dstIpOffset >= 0 ? ipAt(bytes, packet.dstIpOffset, version) : null;
    this.vlan = vlanOf(packet);
  }

  /** The formatted MAC and IP of a subject of the current frame. */
  resolve(packet: Packet, frame: number, about: Subject): { mac: string | null; ip: string | null } {
    this.format(packet, frame);
    if (typeof about === "object") return { mac: about.mac ?? null, ip: about.ip ?? null };
    return about === "src" ? { mac: this.srcMac, ip: this.srcIp } : { mac: this.dstMac, ip: this.dstIp };
  }
}
