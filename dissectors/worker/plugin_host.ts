/**
 * The plugin host: the thread where drop-in plugins run, apart from the engine. It is a
 * `node:worker_threads` worker (the only kind of worker whose V8 heap the runtime can bound,
 * `resourceLimits`) started by `plugin_shim.ts`, a Deno worker whose permissions allow reading the
 * plugin files and nothing else; once the plugins are imported the host gives up reading too.
 *
 * It serves one {@linkcode PluginChannel}: copies the frame into its own buffer, runs the plugin's
 * `decode` or `probe` on its own {@linkcode Packet}, records the observations as plain values
 * (strings cut at {@linkcode MAX_VALUE_CHARS}), and answers. Whatever a plugin throws (an
 * `Object.create(null)`, a Proxy, an object whose getters throw) is described without touching it
 * further. What the host itself uses (JSON, Atomics, the text encoder) is taken before any plugin
 * is imported, so a plugin that replaces a global breaks only itself. `Deno.exit`, `close` and
 * `process.exit` are replaced by a function that throws: a plugin calling one is disabled.
 *
 * @module
 */

import { parentPort, workerData } from "node:worker_threads";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { Packet } from "../packet.ts";
import type { Dissector, Observer, ProtocolEvent, Subject } from "../api.ts";
import { pluginDissectors, PluginError } from "../plugin_check.ts";
import {
  type ChannelBuffers,
  ChannelOp,
  ChannelState,
  ChannelWord,
  ENGINE_OWNED,
  PACKET_FIELDS,
  PluginChannel,
  REPLY_ERROR,
} from "./plugin_channel.ts";

/** Longest identity value, event field or key a plugin may report; longer ones are cut and counted. */
export const MAX_VALUE_CHARS = 1024;
/** Most observations one call may report; further ones are dropped and counted as cut. */
export const MAX_CALLS_PER_PACKET = 64;
/** Most fields of one event. */
const MAX_EVENT_FIELDS = 32;

/**
 * What the host is started with (`workerData`). The channel comes apart, as the first message, so
 * that a plugin reading `workerData` cannot reach it.
 */
export interface HostData {
  files: string[];
  /** Plugin dissector names not to run (disabled earlier in this run). */
  disabled: string[];
}

// Taken before any plugin can replace them.
const stringify = JSON.stringify;
const { wait, load, store, notify, compareExchange } = Atomics;
const encoder = new TextEncoder();
const encodeInto = encoder.encodeInto.bind(encoder);
const isArray = Array.isArray;
const keysOf = Object.keys;
const U8 = Uint8Array;

let exitAttempt = "";
function forbidden(name: string): () => never {
  return function forbiddenCall(): never {
    exitAttempt = name;
    throw new Error(`${name}() is not allowed in a dissector plugin`);
  };
}

function lock(target: object, key: string, name: string): void {
  try {
    Object.defineProperty(target, key, { value: forbidden(name), writable: false, configurable: false });
  } catch { /* not replaceable: the watchdog still notices a host that ends */ }
}

/** Describes any thrown value without letting it run code that escapes. */
export function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error) {
      const message = thrown.message;
      return typeof message === "string" ? message.slice(0, 500) : "an Error without a message";
    }
    if (typeof thrown === "string") return thrown.slice(0, 500);
    if (
      typeof thrown === "number" || typeof thrown === "boolean" || thrown === null || thrown === undefined
    ) {
      return `${thrown}`;
    }
    return `a thrown ${typeof thrown} that is not an Error`;
  } catch {
    return "a thrown value that cannot be described";
  }
}

let cut = 0;
function text(value: unknown): string {
  const shown = typeof value === "string" ? value : `${typeof value}`;
  if (shown.length <= MAX_VALUE_CHARS) return shown;
  cut++;
  return shown.slice(0, MAX_VALUE_CHARS);
}

function subject(about: unknown): Subject {
  if (about === undefined || about === "src") return "src";
  if (about === "dst") return "dst";
  if (typeof about !== "object" || about === null) return "src";
  const { mac, ip } = about as { mac?: unknown; ip?: unknown };
  const out: { mac?: string; ip?: string } = {};
  if (typeof mac === "string") out.mac = mac.slice(0, 64);
  if (typeof ip === "string") out.ip = ip.slice(0, 64);
  return out;
}

type Call = unknown[];
let calls: Call[] = [];
function record(call: Call): void {
  if (calls.length >= MAX_CALLS_PER_PACKET) cut++;
  else calls.push(call);
}

const observer: Observer = {
  sighting(_packet, macOffset, ipOffset, ipVersion, source) {
    if (typeof macOffset === "number" && typeof ipOffset === "number" && typeof source === "number") {
      record(["s", macOffset, ipOffset, ipVersion === 6 ? 6 : 4, source]);
    }
  },
  identity(_packet, about, attribute) {
    const { key, value, confidence } = attribute;
    record(["i", subject(about), text(key), text(value), typeof confidence === "number" ? confidence : 0]);
  },
  event(_packet, event: ProtocolEvent) {
    const { type, severity, about, fields } = event;
    const plain: Record<string, string | number | boolean> = {};
    if (typeof fields === "object" && fields !== null) {
      const names = keysOf(fields);
      if (names.length > MAX_EVENT_FIELDS) cut++;
      for (const name of names.slice(0, MAX_EVENT_FIELDS)) {
        const value = (fields as Record<string, unknown>)[name];
        plain[text(name)] = typeof value === "number" || typeof value === "boolean" ? value : text(value);
      }
    }
    record(["e", text(type), text(severity), subject(about), plain]);
  },
  anomaly(_packet, id, severity) {
    record(["a", text(id), text(severity)]);
  },
};

function reply(channel: PluginChannel, result: number, body: unknown): void {
  let json: string;
  try {
    json = stringify(body);
  } catch {
    json = `{"error":"cannot serialise the observations"}`;
    result = REPLY_ERROR;
  }
  const { written } = encodeInto(json, channel.data);
  store(channel.control, ChannelWord.RESULT, result);
  store(channel.control, ChannelWord.LENGTH, written);
  store(channel.control, ChannelWord.RUNNING, -1);
  // A host the engine gave up on (DEAD) must not answer.
  compareExchange(channel.control, ChannelWord.STATE, ChannelState.REQUEST, ChannelState.REPLY);
  notify(channel.control, ChannelWord.STATE);
}

function serveOne(channel: PluginChannel, dissectors: (Dissector | null)[], packet: Packet): void {
  const control = channel.control;
  const index = load(control, ChannelWord.INDEX);
  const length = load(control, ChannelWord.LENGTH);
  const op = load(control, ChannelWord.OP);
  const bytes = new U8(length);
  bytes.set(channel.data.subarray(0, length));
  packet.reset(bytes, new DataView(bytes.buffer), 0, length);
  const fields = channel.fields;
  const target = packet as unknown as Record<string, number>;
  for (let i = 0; i < PACKET_FIELDS.length; i++) target[PACKET_FIELDS[i]] = fields[i];
  packet.bytes = bytes;
  calls = [];
  cut = 0;
  exitAttempt = "";
  store(control, ChannelWord.RUNNING, index);
  const dissector = dissectors[index];
  if (!dissector) return reply(channel, REPLY_ERROR, { error: "no such plugin dissector" });
  let result: number;
  try {
    result = op === ChannelOp.PROBE
      ? (dissector.probe?.(packet) === true ? 1 : 0)
      : Number(dissector.decode(packet, observer));
  } catch (thrown) {
    if (exitAttempt) return reply(channel, REPLY_ERROR, { fatal: `called ${exitAttempt}()`, cut });
    return reply(channel, REPLY_ERROR, { error: describeThrown(thrown), cut });
  }
  if (exitAttempt) return reply(channel, REPLY_ERROR, { fatal: `called ${exitAttempt}()`, cut });
  for (let i = ENGINE_OWNED; i < PACKET_FIELDS.length; i++) {
    const value = target[PACKET_FIELDS[i]];
    fields[i] = typeof value === "number" ? value : NaN;
  }
  const problem = [text(packet.problemProtocol), text(packet.problem)];
  reply(channel, result === result ? result : REPLY_ERROR, { calls, cut, problem });
}

function registrationOf(dissector: Dissector): unknown {
  const tables: Record<string, number[]> = {};
  const declared = dissector.registration.tables ?? {};
  for (const name of keysOf(declared)) {
    const keys = (declared as Record<string, unknown>)[name];
    if (isArray(keys)) tables[name] = keys.map((key) => typeof key === "number" ? key : NaN);
  }
  const heuristics = isArray(dissector.registration.heuristics)
    ? dissector.registration.heuristics.filter((h) => h === "tcp" || h === "udp")
    : [];
  return { tables, heuristics };
}

async function main(data: HostData): Promise<void> {
  const buffers = await new Promise<ChannelBuffers>((resolve) => parentPort!.once("message", resolve));
  const channel = new PluginChannel(buffers);
  const loaded: Dissector[] = [];
  const described: unknown[] = [];
  // Plugins are written for a Deno worker, where `self` is the global object.
  if (!("self" in globalThis)) {
    Object.defineProperty(globalThis, "self", { value: globalThis, writable: false, configurable: false });
  }
  lock(globalThis, "Worker", "Worker");
  lock(Deno, "exit", "Deno.exit");
  lock(globalThis, "close", "close");
  lock(process, "exit", "process.exit");
  lock(process, "abort", "process.abort");
  lock(process, "reallyExit", "process.exit");
  for (const [index, file] of data.files.entries()) {
    // The sensor's watchdog times each file's loading (a top-level loop, a top-level allocation).
    parentPort!.postMessage({ type: "loading", index });
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(file).href);
    } catch (error) {
      throw new PluginError(`Cannot load dissector plugin ${file}: ${describeThrown(error).split("\n")[0]}`);
    }
    for (const dissector of pluginDissectors(file, module)) {
      loaded.push(dissector);
      described.push({
        name: String(dissector.name),
        title: String(dissector.title),
        apiVersion: dissector.apiVersion,
        registration: registrationOf(dissector),
        probe: typeof dissector.probe === "function",
      });
    }
  }
  try {
    Deno.permissions.revokeSync({ name: "read" });
  } catch { /* already without */ }
  const disabled = new Set(data.disabled);
  const dissectors = loaded.map((dissector) => disabled.has(dissector.name) ? null : dissector);
  parentPort!.postMessage({ type: "ready", dissectors: described });
  const control = channel.control;
  for (const from of [ChannelState.LOADING, ChannelState.DEAD]) {
    compareExchange(control, ChannelWord.STATE, from, ChannelState.READY);
  }
  notify(control, ChannelWord.STATE);
  const packet = new Packet();
  for (;;) {
    const state = load(control, ChannelWord.STATE);
    if (state === ChannelState.REQUEST) serveOne(channel, dissectors, packet);
    else wait(control, ChannelWord.STATE, state, 1000);
  }
}

main(workerData as HostData).catch((error) => {
  parentPort!.postMessage({ type: "error", message: describeThrown(error) });
});
