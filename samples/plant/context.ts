/**
 * Devices of the plant with their addresses parsed, and the helpers every activity shares.
 *
 * @module
 */

import {
  ArpOp,
  arpRequest,
  dot1q,
  MAC_BROADCAST,
  parseIpv4,
  parseMac,
  qinq,
  type VlanTag,
  writeArpFrame,
} from "../frames.ts";
import type { Rng } from "../rng.ts";
import { PLANT_HOSTS, type PlantHost } from "./ground_truth.ts";
import type { FrameSink } from "./sink.ts";

/** A plant host with its addresses as the frame builders take them. */
export interface PlantDevice {
  /** Ground-truth record. */
  readonly info: PlantHost;
  /** MAC bytes. */
  readonly mac: Uint8Array;
  /** IPv4 address (0 when none). */
  readonly ip: number;
  /** Tags of its frames on the capture point. */
  readonly tags: readonly VlanTag[] | undefined;
}

/** What every activity writes with. */
export interface PlantContext {
  /** Frame collector. */
  readonly sink: FrameSink;
  /** Seeded randomness (timing jitter, ports, ids, payload values). */
  readonly rng: Rng;
}

function tagsOf(info: PlantHost): readonly VlanTag[] | undefined {
  if (info.vlan === null) return undefined;
  return info.outerVlan === null ? dot1q(info.vlan) : qinq(info.outerVlan, info.vlan);
}

const DEVICES = new Map<string, PlantDevice>(
  PLANT_HOSTS.map((info) => [
    info.id,
    { info, mac: parseMac(info.mac), ip: info.ip === null ? 0 : parseIpv4(info.ip), tags: tagsOf(info) },
  ]),
);

/**
 * Looks up a plant device by id.
 *
 * @throws {RangeError} When no device has that id.
 */
export function device(id: string): PlantDevice {
  const found = DEVICES.get(id);
  if (!found) throw new RangeError(`Cannot find plant device: "${id}" is not in PLANT_HOSTS`);
  return found;
}

/**
 * ARP request from `asker` (broadcast) and the reply of `target` a fraction of a millisecond later.
 *
 * @param ctx Sink and randomness.
 * @param t Time of the request.
 * @param asker Device resolving the address.
 * @param target Device owning it; its tags are used when it sits behind the QinQ trunk.
 */
export function arpExchange(ctx: PlantContext, t: number, asker: PlantDevice, target: PlantDevice): void {
  const tags = target.tags ?? asker.tags;
  const { sink } = ctx;
  sink.emit(
    t,
    writeArpFrame(
      sink.buf,
      0,
      { dst: MAC_BROADCAST, src: asker.mac, tags },
      arpRequest(asker.mac, asker.ip, target.ip),
    ),
  );
  const reply = {
    op: ArpOp.REPLY,
    senderMac: target.mac,
    senderIp: target.ip,
    targetMac: asker.mac,
    targetIp: asker.ip,
  };
  sink.emit(
    t + 0.0002 + ctx.rng.next() * 0.0003,
    writeArpFrame(sink.buf, 0, { dst: asker.mac, src: target.mac, tags }, reply),
  );
}

/** Small random delay in seconds, between `min` and `max`. */
export function jitter(ctx: PlantContext, min: number, max: number): number {
  return min + ctx.rng.next() * (max - min);
}
