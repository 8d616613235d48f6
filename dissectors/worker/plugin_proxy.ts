/**
 * The engine's stand-ins for drop-in plugins: a {@linkcode Dissector} per plugin dissector whose
 * `decode` and `probe` send the frame to the plugin host over a {@linkcode PluginChannel} and wait
 * for the verdict, at most the watchdog's time. The reply is checked (numbers finite, offsets inside
 * the frame, observations of the right types) before the engine's packet and collector see it, so
 * the built-in dissectors' results cannot be changed by a plugin.
 *
 * A plugin that does not answer in time, runs out of memory or ends its worker is disabled at once
 * with the reason (the sensor restarts the host without it), and the frame is counted in
 * `plugin_frames_lost`, as are the frames that come while the host restarts.
 *
 * @module
 */

import { Decoded, type Packet } from "../packet.ts";
import type { Dissector, Registration } from "../api.ts";
import type { DissectionEngine } from "../engine.ts";
import type { IdentityAttribute, Severity } from "../../model/observation.ts";
import {
  ChannelOp,
  ChannelState,
  ChannelWord,
  ENGINE_OWNED,
  OFFSET_FIELDS,
  PACKET_FIELDS,
  type PluginChannel,
  REPLY_ERROR,
} from "./plugin_channel.ts";

/** A plugin dissector as the host described it. */
export interface PluginDescription {
  name: string;
  title: string;
  apiVersion?: number;
  registration: Registration;
  probe: boolean;
}

/** Tells the sensor that the host stopped answering (it restarts it without `name`). */
export type StuckReport = (name: string, reason: string) => void;

const decoder = new TextDecoder();

/** Links the stand-ins of one dissector worker to its channel and engine. */
export class PluginLink {
  readonly channel: PluginChannel;
  readonly watchdogMs: number;
  readonly #report: StuckReport;
  /** When the host was first seen gone in the current outage, or -1. */
  #downSince = -1;
  /** The reply's numbers, copied out of shared memory before they are checked. */
  readonly #fields = new Float64Array(PACKET_FIELDS.length);
  engine: DissectionEngine | undefined;

  constructor(channel: PluginChannel, watchdogMs: number, report: StuckReport) {
    this.channel = channel;
    this.watchdogMs = watchdogMs;
    this.#report = report;
  }

  /** The stand-ins of the described plugin dissectors. */
  dissectors(descriptions: PluginDescription[]): Dissector[] {
    return descriptions.map((description, index) => this.#standIn(description, index));
  }

  #standIn(description: PluginDescription, index: number): Dissector {
    // deno-lint-ignore no-this-alias
    const link = this;
    const dissector: Dissector = {
      name: description.name,
      title: description.title,
      apiVersion: description.apiVersion,
      registration: description.registration,
      decode(packet, out) {
        const result = link.call(ChannelOp.DECODE, index, description.name, packet);
        if (result === null) return Decoded.DONE;
        link.apply(packet, out as unknown as Replay, result.body);
        return result.value;
      },
    };
    if (description.probe) {
      (dissector as { probe?: (packet: Packet) => boolean }).probe = (packet) =>
        link.call(ChannelOp.PROBE, index, description.name, packet)?.value === 1;
    }
    return dissector;
  }

  #lost(): void {
    if (this.engine) this.engine.stats.pluginFramesLost++;
  }

  #disable(name: string, reason: string): void {
    const engine = this.engine;
    if (!engine) return;
    const index = engine.registry.indexOf(name);
    if (index < 0 || engine.registry.disabled[index]) return;
    engine.registry.disable(index);
    engine.stats.disabledDissectors.push({ name, reason });
  }

  /**
   * Waits for a listening host, at most the watchdog's time per outage (a host that does not come
   * back costs the frames, not a wait per frame); false when there is none.
   */
  #ready(): boolean {
    const control = this.channel.control;
    for (;;) {
      const state = Atomics.load(control, ChannelWord.STATE);
      if (state === ChannelState.READY) {
        this.#downSince = -1;
        return true;
      }
      const now = performance.now();
      if (this.#downSince < 0) this.#downSince = now;
      const left = this.#downSince + this.watchdogMs - now;
      if (left <= 0) return false;
      Atomics.wait(control, ChannelWord.STATE, state, left);
    }
  }

  /** One call; null when the frame is lost (no host, or the plugin is disabled). */
  call(op: number, index: number, name: string, packet: Packet): { value: number; body: ReplyBody } | null {
    const channel = this.channel;
    const control = channel.control;
    if (!this.#ready()) {
      this.#lost();
      return null;
    }
    const start = packet.start;
    const length = packet.end - start;
    if (length > channel.data.length) {
      this.#lost();
      return null;
    }
    channel.data.set(packet.bytes.subarray(start, packet.end));
    const fields = channel.fields;
    const source = packet as unknown as Record<string, number>;
    for (let i = 0; i < PACKET_FIELDS.length; i++) {
      const field = PACKET_FIELDS[i];
      const value = source[field];
      fields[i] = OFFSET_FIELDS.has(field) && value !== -1 ? value - start : value;
    }
    Atomics.store(control, ChannelWord.OP, op);
    Atomics.store(control, ChannelWord.INDEX, index);
    Atomics.store(control, ChannelWord.LENGTH, length);
    Atomics.store(control, ChannelWord.STATE, ChannelState.REQUEST);
    Atomics.notify(control, ChannelWord.STATE);
    const deadline = performance.now() + this.watchdogMs;
    let state: number = ChannelState.REQUEST;
    while (state === ChannelState.REQUEST) {
      const left = deadline - performance.now();
      if (left <= 0) {
        const reason = `stopped making progress: no answer from ${
          op === ChannelOp.PROBE ? "probe" : "decode"
        } within ${this.watchdogMs / 1000} s (watchdog); its worker was restarted without it`;
        if (channel.kill(reason)) this.#report(name, reason);
        break;
      }
      Atomics.wait(control, ChannelWord.STATE, ChannelState.REQUEST, left);
      state = Atomics.load(control, ChannelWord.STATE);
    }
    state = Atomics.load(control, ChannelWord.STATE);
    if (state !== ChannelState.REPLY) {
      this.#disable(name, channel.deathReason());
      this.#lost();
      return null;
    }
    const result = Atomics.load(control, ChannelWord.RESULT);
    const replyLength = Atomics.load(control, ChannelWord.LENGTH);
    const json = decoder.decode(channel.data.subarray(0, Math.min(replyLength, channel.data.length)));
    Atomics.store(control, ChannelWord.STATE, ChannelState.READY);
    let body: ReplyBody;
    try {
      body = JSON.parse(json);
    } catch {
      throw new Error("its reply cannot be read");
    }
    if (typeof body !== "object" || body === null) throw new Error("its reply cannot be read");
    if (this.engine && typeof body.cut === "number") this.engine.stats.observationsCut += body.cut;
    if (result === REPLY_ERROR) {
      if (typeof body.fatal === "string") {
        this.#disable(name, body.fatal);
        return null;
      }
      throw new Error(typeof body.error === "string" ? body.error : "failed");
    }
    if (op === ChannelOp.DECODE) this.#readFields(packet, start, length);
    return { value: result, body };
  }

  /** Takes the numbers the plugin may change, after checking them. */
  #readFields(packet: Packet, start: number, length: number): void {
    // Copied first: the plugin's thread could change the shared numbers between check and use.
    const fields = this.#fields;
    fields.set(this.channel.fields);
    for (let i = ENGINE_OWNED; i < PACKET_FIELDS.length; i++) {
      const field = PACKET_FIELDS[i];
      const value = fields[i];
      if (!Number.isFinite(value)) throw new Error(`it set packet.${field} to ${value}`);
      if (OFFSET_FIELDS.has(field) && value !== -1 && (value < 0 || value > length)) {
        throw new Error(`it set packet.${field} outside the frame (${value})`);
      }
    }
    const target = packet as unknown as Record<string, number>;
    for (let i = ENGINE_OWNED; i < PACKET_FIELDS.length; i++) {
      const field = PACKET_FIELDS[i];
      const value = fields[i];
      target[field] = OFFSET_FIELDS.has(field) && value !== -1 ? value + start : value;
    }
  }

  /** Replays the plugin's observations on the engine's collector, with the engine's packet. */
  apply(packet: Packet, out: Replay, body: ReplyBody): void {
    if (
      Array.isArray(body.problem) && typeof body.problem[0] === "string" &&
      typeof body.problem[1] === "string"
    ) {
      packet.problemProtocol = body.problem[0];
      packet.problem = body.problem[1];
    }
    if (!Array.isArray(body.calls)) return;
    const start = packet.start;
    for (const call of body.calls) {
      if (!Array.isArray(call) || !validSubject(call[0] === "e" ? call[3] : call[1])) continue;
      const [kind, a, b, c, d] = call;
      if (kind === "s" && typeof a === "number" && typeof b === "number" && typeof d === "number") {
        if (a < 0 || b < 0 || a + 6 > packet.end - start || b + (c === 6 ? 16 : 4) > packet.end - start) {
          continue;
        }
        out.sighting(packet, a + start, b + start, c === 6 ? 6 : 4, d);
      } else if (kind === "i" && typeof b === "string" && typeof c === "string" && typeof d === "number") {
        out.identity(packet, a as Subject, { key: b, value: c, confidence: d } as IdentityAttribute);
      } else if (kind === "e" && typeof a === "string" && typeof b === "string" && typeof d === "object") {
        out.event(packet, { type: a, severity: b as Severity, about: c as Subject, fields: d });
      } else if (kind === "a" && typeof a === "string" && typeof b === "string") {
        out.anomaly(packet, a, b as Severity);
      }
    }
  }
}

type Subject = "src" | "dst" | { mac?: string; ip?: string };

/** A subject as the API allows it (the host is the plugin's realm: its replies are not trusted). */
function validSubject(about: unknown): boolean {
  if (about === "src" || about === "dst" || about === undefined) return true;
  if (typeof about !== "object" || about === null || Array.isArray(about)) return false;
  const { mac, ip, ...rest } = about as Record<string, unknown>;
  return Object.keys(rest).length === 0 && (mac === undefined || typeof mac === "string") &&
    (ip === undefined || typeof ip === "string");
}

/** The reply's JSON body. */
interface ReplyBody {
  calls?: unknown[];
  cut?: number;
  problem?: unknown[];
  error?: unknown;
  fatal?: unknown;
}

/** The collector methods a replay uses. */
interface Replay {
  sighting(packet: Packet, macOffset: number, ipOffset: number, ipVersion: 4 | 6, source: number): void;
  identity(packet: Packet, about: Subject, attribute: IdentityAttribute): void;
  event(
    packet: Packet,
    event: {
      type: string;
      severity: Severity;
      about?: Subject;
      fields?: Record<string, string | number | boolean>;
    },
  ): void;
  anomaly(packet: Packet, id: string, severity: Severity): void;
}
