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
import { PackedKeyTable } from "./flow/packed_key_table.ts";
import { grow } from "./flow/flow_meter.ts";
import { MAX_OBSERVATIONS_PER_FLUSH } from "../model/engine_stats.ts";
import {
  CachedFields,
  FieldsCopy,
  MAX_CACHED_FIELDS,
  nested,
  NOT_CACHED,
  RECENT_SLOTS,
} from "./observation_keys.ts";
import { FrameSubjects } from "./frame_subjects.ts";
import { type EventRecord, type IdentityRecord, SIGHTING_KEY_WORDS } from "../model/flush_record.ts";

/** Collects observations; the engine drains it at each flush. */
export class ObservationCollector implements Observer {
  /** Name of the dissector currently running (set by the engine before each call). */
  currentDissector = "";
  /**
   * Frame counter, advanced by the engine for every frame: what is derived from the current frame's
   * addresses is computed once per frame, however many observations its dissectors report.
   */
  frame = 0;
  /** Most distinct identities, and most distinct events, held until the next flush. */
  maxRecords = MAX_OBSERVATIONS_PER_FLUSH;
  /** Observations not recorded since the last flush because the limit was reached. */
  dropped = 0;
  readonly sightings: PackedKeyTable;
  sightingFirstUs = new Float64Array(0);
  sightingLastUs = new Float64Array(0);
  sightingCount = new Uint32Array(0);
  /**
   * Identities by subject, dissector, key, then value. The subject is a 53-bit hash of the MAC, IP
   * and VLAN bytes (two 32-bit FNV-style hashes; a collision among a million subjects has odds of
   * about 1 in 10^4), so a repeated identity costs lookups with keys whose hashes V8 already has —
   * no address is formatted and no key string is built unless the record is new.
   */
  readonly identities: Map<number, Map<string, Map<string, Map<string, IdentityRecord>>>> = new Map();
  /** Events by subject (the frame's addresses and the event's subject, hashed), type, then fields (JSON). */
  readonly events: Map<number, Map<string, Map<string, EventRecord>>> = new Map();
  readonly anomalies: Map<number, Map<string, Map<string, EventRecord>>> = new Map();
  /** Last identity records per (flow, subject side, key, value) set of four slots: a repeat needs no lookup. */
  #recentIdentities: (IdentityRecord | null)[] = new Array(RECENT_SLOTS).fill(null);
  #recentIdentityFlows = new Float64Array(RECENT_SLOTS).fill(-1);
  /** Last event records per (flow, subject side, type) set of four slots, and the flow and side. */
  #recentEvents: (EventRecord | null)[] = new Array(RECENT_SLOTS).fill(null);
  #recentEventFlows = new Float64Array(RECENT_SLOTS).fill(-1);
  /** The remembered events' fields, and the current event's, copied in one pass. */
  readonly #recentEventFields = new CachedFields();
  readonly #fields = new FieldsCopy();
  #nextWay = 0;
  #identityList: IdentityRecord[] = [];
  #eventList: EventRecord[] = [];
  /** The current frame's subjects: hashed for the caches and maps, formatted for new records. */
  readonly #subjects = new FrameSubjects();

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
    const tag = this.#cacheTag(packet, about, false);
    let base = -1;
    if (tag !== NOT_CACHED) {
      // Within one flow (or one address pair), "src" and "dst" are always the same device: a
      // repeated identity is a record one of four slots remembers (same dissector, key and value),
      // counted without lookup.
      const key = attribute.key;
      const value = attribute.value;
      base = ((Math.imul(tag | 0, 0x9e3779b1) ^ (about === "src" ? 0 : 0x5555) ^ key.length ^
        (key.charCodeAt(key.length - 1) << 7) ^ (value.length << 3) ^
        (value.length > 0 ? value.charCodeAt(value.length - 1) << 11 : 0)) & (RECENT_SLOTS - 1)) & ~3;
      for (let way = base; way < base + 4; way++) {
        const recent = this.#recentIdentities[way];
        if (
          recent !== null && this.#recentIdentityFlows[way] === tag && recent.key === key &&
          recent.value === value && recent.source === this.currentDissector
        ) {
          const timeUs = packet.timeUs;
          if (timeUs > recent.last_seen_us) recent.last_seen_us = timeUs;
          else if (timeUs < recent.first_seen_us) recent.first_seen_us = timeUs;
          if (attribute.confidence > recent.confidence) recent.confidence = attribute.confidence;
          recent.count++;
          return;
        }
      }
    }
    const record = this.#identitySlow(packet, about, attribute);
    if (base >= 0 && record !== null) {
      const way = base + (this.#nextWay++ & 3);
      this.#recentIdentities[way] = record;
      this.#recentIdentityFlows[way] = tag;
    }
  }

  #identitySlow(packet: Packet, about: Subject, attribute: IdentityAttribute): IdentityRecord | null {
    const subjects = this.#subjects;
    subjects.hash(packet, this.frame);
    const subject = about === "src"
      ? subjects.srcKey
      : about === "dst"
      ? subjects.dstKey
      : subjects.objectKey(about, 1);
    const byValue = nested(nested(nested(this.identities, subject), this.currentDissector), attribute.key);
    const timeUs = packet.timeUs;
    const known = byValue.get(attribute.value);
    if (known) {
      if (timeUs > known.last_seen_us) known.last_seen_us = timeUs;
      else if (timeUs < known.first_seen_us) known.first_seen_us = timeUs;
      if (attribute.confidence > known.confidence) known.confidence = attribute.confidence;
      known.count++;
      return known;
    }
    if (this.#identityList.length >= this.maxRecords) {
      this.dropped++;
      return null;
    }
    const { mac, ip } = subjects.resolve(packet, this.frame, about);
    const record: IdentityRecord = {
      key: attribute.key,
      value: attribute.value,
      confidence: attribute.confidence,
      mac,
      ip,
      vlan_id: subjects.vlan,
      source: this.currentDissector,
      first_seen_us: timeUs,
      last_seen_us: timeUs,
      count: 1,
    };
    byValue.set(attribute.value, record);
    this.#identityList.push(record);
    return record;
  }

  event(packet: Packet, event: ProtocolEvent): void {
    const about = event.about ?? "src";
    const fields = event.fields ?? {};
    const tag = this.#cacheTag(packet, about, true);
    let base = -1;
    const copy = this.#fields;
    if (tag !== NOT_CACHED) copy.take(fields);
    if (tag !== NOT_CACHED && copy.count <= MAX_CACHED_FIELDS) {
      // A flow alternates between requests (read this, write that, eleven services in one CIP
      // packet): the slot also depends on a cheap digest of the field values, and has four ways.
      const type = event.type;
      base = ((Math.imul(tag | 0, 0x85ebca6b) ^ (about === "src" ? 0 : 0x2aaa) ^ type.length ^
        (type.charCodeAt(type.length - 1) << 7) ^ copy.digest) & (RECENT_SLOTS - 1)) & ~3;
      for (let way = base; way < base + 4; way++) {
        const recent = this.#recentEvents[way];
        if (
          recent !== null && this.#recentEventFlows[way] === tag && recent.type === type &&
          recent.source === this.currentDissector && recent.severity === event.severity &&
          this.#recentEventFields.equals(way, copy)
        ) {
          const timeUs = packet.timeUs;
          if (timeUs > recent.last_seen_us) recent.last_seen_us = timeUs;
          else if (timeUs < recent.first_seen_us) recent.first_seen_us = timeUs;
          recent.count++;
          return;
        }
      }
    }
    const record = this.#record(packet, "event", event.type, event.severity, about, fields);
    if (base >= 0 && record !== null) {
      const way = base + (this.#nextWay++ & 3);
      this.#recentEvents[way] = record;
      this.#recentEventFlows[way] = tag;
      this.#recentEventFields.store(way, copy);
    }
  }

  anomaly(packet: Packet, id: string, severity: Severity): void {
    this.#record(packet, "anomaly", `${this.currentDissector}.${id}`, severity, "src", {});
  }

  /** The identity records collected since the last {@linkcode clear}, in the order first heard. */
  identityRecords(): IdentityRecord[] {
    return this.#identityList;
  }

  /** The event records collected since the last {@linkcode clear}, in the order first heard. */
  eventRecords(): EventRecord[] {
    return this.#eventList;
  }

  /** Forgets everything collected (after a flush). */
  clear(): void {
    this.sightings.clear();
    this.identities.clear();
    this.events.clear();
    this.anomalies.clear();
    this.#identityList = [];
    this.#eventList = [];
    this.dropped = 0;
    this.#recentIdentities.fill(null);
    this.#recentIdentityFlows.fill(-1);
    this.#recentEvents.fill(null);
    this.#recentEventFlows.fill(-1);
  }

  #record(
    packet: Packet,
    kind: "event" | "anomaly",
    type: string,
    severity: Severity,
    about: Subject,
    fields: Record<string, string | number | boolean>,
  ): EventRecord | null {
    const subjects = this.#subjects;
    subjects.hash(packet, this.frame);
    const aboutKey = about === "src" ? 2 : about === "dst" ? 3 : subjects.objectKey(about, 4);
    const subject = (subjects.frameKey + aboutKey * 0x9e3779b1) % 9007199254740881;
    const byFields = nested(nested(kind === "event" ? this.events : this.anomalies, subject), type);
    const json = JSON.stringify(fields);
    const timeUs = packet.timeUs;
    const known = byFields.get(json);
    if (known) {
      if (timeUs > known.last_seen_us) known.last_seen_us = timeUs;
      else if (timeUs < known.first_seen_us) known.first_seen_us = timeUs;
      known.count++;
      return known;
    }
    if (this.#eventList.length >= this.maxRecords) {
      this.dropped++;
      return null;
    }
    const { mac, ip } = subjects.resolve(packet, this.frame, about);
    const record: EventRecord = {
      type,
      severity,
      kind,
      source: this.currentDissector,
      mac,
      ip,
      src_mac: subjects.srcMac,
      dst_mac: subjects.dstMac,
      src_ip: subjects.srcIp,
      dst_ip: subjects.dstIp,
      vlan_id: subjects.vlan,
      fields,
      first_seen_us: timeUs,
      last_seen_us: timeUs,
      count: 1,
    };
    byFields.set(json, record);
    this.#eventList.push(record);
    return record;
  }

  /**
   * What the per-flow caches key a subject by, or {@linkcode NOT_CACHED} (subjects given as
   * addresses): the flow and side while an application dissector runs; for frames without a flow
   * (GOOSE, PROFINET…), the hashed address pair (events) or side's address (identities), negative
   * so the two never meet.
   */
  #cacheTag(packet: Packet, about: Subject, forEvent: boolean): number {
    if (typeof about !== "string") return NOT_CACHED;
    const src = about === "src";
    if (packet.flow >= 0) return packet.flow * 2 + (src ? 0 : 1);
    const subjects = this.#subjects;
    subjects.hash(packet, this.frame);
    if (forEvent) return src ? subjects.srcEventTag : subjects.dstEventTag;
    return src ? subjects.srcTag : subjects.dstTag;
  }
}
