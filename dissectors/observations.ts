/**
 * The sensor's {@linkcode Observer}: collects what dissectors report between two flushes.
 *
 * MAC↔IP sightings arrive per packet (every ARP frame), so they go into a packed-key table with no
 * allocation; identity attributes and protocol events come from application dissectors, which may
 * allocate, and are de-duplicated per flush (same subject, key and value → one record with a count).
 *
 * @module
 */

import type { IdentityAttribute, Observer, ProtocolEvent, Severity, Subject } from "./api.ts";
import type { Packet } from "./packet.ts";
import { ipAt, macAt } from "./address.ts";
import { PackedKeyTable } from "../aggregator/packed_key_table.ts";
import { grow } from "../aggregator/flow_meter.ts";

/** Words of a sighting key: MAC (2), IP (4), VLANs (1). */
export const SIGHTING_KEY_WORDS = 7;

/** An identity attribute with where and when it was heard. */
export interface IdentityRecord extends IdentityAttribute {
  mac: string | null;
  ip: string | null;
  vlan_id: number | null;
  /** Dissector that reported it. */
  source: string;
  first_seen_us: number;
  last_seen_us: number;
  count: number;
}

/** A protocol event or anomaly, aggregated over identical occurrences within one flush. */
export interface EventRecord {
  type: string;
  severity: Severity;
  /** `event` from {@linkcode Observer.event}, `anomaly` from {@linkcode Observer.anomaly}. */
  kind: "event" | "anomaly";
  /** Dissector that reported it. */
  source: string;
  mac: string | null;
  ip: string | null;
  src_mac: string | null;
  dst_mac: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  vlan_id: number | null;
  fields: Record<string, string | number | boolean>;
  first_seen_us: number;
  last_seen_us: number;
  count: number;
}

function vlanOf(packet: Packet): number | null {
  if (packet.innerVlan >= 0) return packet.innerVlan;
  return packet.outerVlan >= 0 ? packet.outerVlan : null;
}

/** Collects observations; the engine drains it at each flush. */
export class ObservationCollector implements Observer {
  /** Name of the dissector currently running (set by the engine before each call). */
  currentDissector = "";
  readonly sightings: PackedKeyTable;
  sightingFirstUs = new Float64Array(0);
  sightingLastUs = new Float64Array(0);
  sightingCount = new Uint32Array(0);
  readonly identities: Map<string, IdentityRecord> = new Map();
  readonly events: Map<string, EventRecord> = new Map();

  constructor() {
    this.sightings = new PackedKeyTable(SIGHTING_KEY_WORDS, 1024, (entries) => {
      this.sightingFirstUs = grow(this.sightingFirstUs, new Float64Array(entries));
      this.sightingLastUs = grow(this.sightingLastUs, new Float64Array(entries));
      this.sightingCount = grow(this.sightingCount, new Uint32Array(entries));
    });
  }

  sighting(packet: Packet, macOffset: number, ipOffset: number, ipVersion: 4 | 6, source: number): void {
    const bytes = packet.bytes;
    const view = packet.view;
    const key = this.sightings.key;
    key[0] = view.getUint32(macOffset);
    key[1] = ((bytes[macOffset + 4] << 24) | (bytes[macOffset + 5] << 16) | (source << 8) | ipVersion) >>> 0;
    key[2] = view.getUint32(ipOffset);
    if (ipVersion === 6) {
      key[3] = view.getUint32(ipOffset + 4);
      key[4] = view.getUint32(ipOffset + 8);
      key[5] = view.getUint32(ipOffset + 12);
    } else {
      key[3] = key[4] = key[5] = 0;
    }
    key[6] = (((packet.outerVlan + 1) << 16) | (packet.innerVlan + 1)) >>> 0;
    const entry = this.sightings.findOrInsert();
    const timeUs = packet.timeUs;
    if (this.sightings.inserted) {
      this.sightingFirstUs[entry] = timeUs;
      this.sightingLastUs[entry] = timeUs;
      this.sightingCount[entry] = 0;
    } else if (timeUs > this.sightingLastUs[entry]) {
      this.sightingLastUs[entry] = timeUs;
    }
    this.sightingCount[entry]++;
  }

  identity(packet: Packet, about: Subject, attribute: IdentityAttribute): void {
    const { mac, ip } = this.#resolve(packet, about);
    const vlan = vlanOf(packet);
    const id = `${mac}|${ip}|${vlan}|${this.currentDissector}|${attribute.key}|${attribute.value}`;
    const timeUs = packet.timeUs;
    const known = this.identities.get(id);
    if (known) {
      known.last_seen_us = Math.max(known.last_seen_us, timeUs);
      known.confidence = Math.max(known.confidence, attribute.confidence);
      known.count++;
      return;
    }
    this.identities.set(id, {
      key: attribute.key,
      value: attribute.value,
      confidence: attribute.confidence,
      mac,
      ip,
      vlan_id: vlan,
      source: this.currentDissector,
      first_seen_us: timeUs,
      last_seen_us: timeUs,
      count: 1,
    });
  }

  event(packet: Packet, event: ProtocolEvent): void {
    this.#record(packet, "event", event.type, event.severity, event.about ?? "src", event.fields ?? {});
  }

  anomaly(packet: Packet, id: string, severity: Severity): void {
    this.#record(packet, "anomaly", `${this.currentDissector}.${id}`, severity, "src", {});
  }

  /** Forgets everything collected (after a flush). */
  clear(): void {
    this.sightings.clear();
    this.identities.clear();
    this.events.clear();
  }

  #record(
    packet: Packet,
    kind: "event" | "anomaly",
    type: string,
    severity: Severity,
    about: Subject,
    fields: Record<string, string | number | boolean>,
  ): void {
    const { mac, ip } = this.#resolve(packet, about);
    const srcMac = packet.srcMacOffset >= 0 ? macAt(packet.bytes, packet.srcMacOffset) : null;
    const dstMac = packet.dstMacOffset >= 0 ? macAt(packet.bytes, packet.dstMacOffset) : null;
    const srcIp = packet.ipVersion ? ipAt(packet.bytes, packet.srcIpOffset, packet.ipVersion) : null;
    const dstIp = packet.ipVersion ? ipAt(packet.bytes, packet.dstIpOffset, packet.ipVersion) : null;
    const vlan = vlanOf(packet);
    const id = `${type}|${kind}|${srcMac}|${dstMac}|${srcIp}|${dstIp}|${mac}|${ip}|${vlan}|${
      JSON.stringify(fields)
    }`;
    const timeUs = packet.timeUs;
    const known = this.events.get(id);
    if (known) {
      known.last_seen_us = Math.max(known.last_seen_us, timeUs);
      known.count++;
      return;
    }
    this.events.set(id, {
      type,
      severity,
      kind,
      source: this.currentDissector,
      mac,
      ip,
      src_mac: srcMac,
      dst_mac: dstMac,
      src_ip: srcIp,
      dst_ip: dstIp,
      vlan_id: vlan,
      fields,
      first_seen_us: timeUs,
      last_seen_us: timeUs,
      count: 1,
    });
  }

  #resolve(packet: Packet, about: Subject): { mac: string | null; ip: string | null } {
    if (typeof about === "object") return { mac: about.mac ?? null, ip: about.ip ?? null };
    const macOffset = about === "src" ? packet.srcMacOffset : packet.dstMacOffset;
    const ipOffset = about === "src" ? packet.srcIpOffset : packet.dstIpOffset;
    return {
      mac: macOffset >= 0 ? macAt(packet.bytes, macOffset) : null,
      ip: packet.ipVersion && ipOffset >= 0 ? ipAt(packet.bytes, ipOffset, packet.ipVersion) : null,
    };
  }
}
