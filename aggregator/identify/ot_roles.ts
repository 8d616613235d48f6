/**
 * OT roles and Purdue levels, inferred from what each device does on industrial protocols.
 *
 * The OT dissectors (`dissectors/ot/`, conventions in its README) report each end's protocol role
 * (`<proto>.role`), device facts (`ot.vendor`, `ot.product`…), children behind gateways
 * (`child/<kind>/<id>/<attribute>`) and events whose `fields.op` says what was done (read, write,
 * command, program_download, cpu_stop…). From those, each piece of evidence votes for a role:
 *
 * | Evidence                                                                  | Role                     | Weight |
 * | ------------------------------------------------------------------------- | ------------------------ | -----: |
 * | server of S7comm or Omron FINS                                            | plc                      | 50     |
 * | server of EtherNet/IP-CIP or Modbus/TCP                                   | plc                      | 40     |
 * | device type stated by the device naming a PLC / programmable controller  | plc                      | 30     |
 * | PROFINET DCP role IO-Controller                                           | plc                      | 35     |
 * | BACnet device (I-Am sender / confirmed-service server)                    | plc (building controller) | 30    |
 * | DNP3 outstation, IEC 60870-5-104 controlled station                       | rtu                      | 50     |
 * | GOOSE publisher, MMS server                                               | ied                      | 50     |
 * | PROFINET DCP role IO-Device                                               | io_device                | 40     |
 * | sent program download/upload/delete, CPU stop/start, restart, configuration changes, firmware | engineering_workstation | 50 |
 * | client reading S7comm module data and diagnostics (SZL)                   | engineering_workstation  | 30     |
 * | PROFINET DCP Identify/Set sender                                          | engineering_workstation  | 20     |
 * | sent writes or commands (no program operation)                            | hmi                      | 40     |
 * | DNP3 master, IEC-104 controlling station                                  | hmi (SCADA master)       | 35     |
 * | read-only client of OT servers                                            | hmi 25, historian 20     |        |
 * | read-only client of 5 or more OT servers, or OPC UA / MQTT client only reading | historian           | 35     |
 *
 * Status reports (DNP3 IIN flags, S7 CPU state…) carry op `diagnostic`: only requests carry the
 * operations that make a controller of their sender.
 *
 * Children are listed as the dissectors report them, except Modbus unit ids: a server answering for
 * one unit id only is that device itself (many answer as unit 1), so its units become children when
 * it answers for two or more, or proved to be a gateway (`modbus.gateway`, exceptions 10/11).
 *
 * The role with the highest total wins; confidence is the total capped at 95 minus half the
 * runner-up. The Purdue level (ISA-95 / IEC 62443 reference model) follows the role:
 * field devices (io_device, units behind a serial gateway) are level 0, PLCs, RTUs and IEDs level 1
 * (basic control), HMIs and engineering workstations level 2 (supervisory), historians level 3
 * (site operations). A device with no OT evidence gets no level.
 *
 * @module
 */

import {
  type EventFact,
  eventFacts,
  type IdentificationInput,
  identitiesByMac,
  type IdentityFact,
  ipOwners,
} from "./evidence.ts";

/** The industrial protocols (dissector names) the OT dissectors register. */
export const OT_PROTOCOLS: readonly string[] = [
  "modbus",
  "dnp3",
  "s7comm",
  "s7comm_plus",
  "iec104",
  "enip",
  "cip",
  "bacnet",
  "profinet_dcp",
  "goose",
  "mms",
  "opcua",
  "mqtt",
  "fins",
];

/** A device behind an OT gateway (a Modbus unit id, a BACnet device behind a router). */
export interface OtChild {
  /** `modbus.unit`, `bacnet.device`… */
  kind: string;
  /** The unit id or network address. */
  id: string;
  /** What was learnt about it (`ot.vendor`, `bacnet.device_instance`…). */
  attributes: Record<string, string>;
}

/** One device's OT role and Purdue level, with why. */
export interface OtAsset {
  mac_address: string;
  /** plc, rtu, ied, io_device, hmi, engineering_workstation, historian; null without OT role evidence. */
  role: string | null;
  /** 0–100. */
  confidence: number;
  reasons: string[];
  /** 0–3, or null. */
  purdue_level: number | null;
  purdue_reason: string | null;
  /** Industrial protocols the device speaks, with its role in each (`modbus:server`). */
  protocols: string[];
  /** Device facts it stated (`ot.vendor`, `ot.product`, `ot.firmware`, `ot.serial`…), best confidence first. */
  facts: Record<string, string>;
  children: OtChild[];
  /** IPs (or MACs) this device sent writes, commands or program operations to. */
  controls: string[];
  /** IPs (or MACs) that sent it writes, commands or program operations. */
  controlled_by: string[];
  /** Warning and critical events it sent or received, by type. */
  notable_events: Record<string, number>;
}

const PROGRAM_OPS = new Set([
  "program_download",
  "program_upload",
  "program_delete",
  "cpu_stop",
  "cpu_start",
  "restart",
  "config_change",
  "firmware",
]);
const CONTROL_OPS = new Set(["write", "command", "time_sync", ...PROGRAM_OPS]);
const LEVELS: Record<string, [number, string]> = {
  io_device: [0, "field device (level 0: process)"],
  plc: [1, "controller (level 1: basic control)"],
  rtu: [1, "remote terminal unit (level 1: basic control)"],
  ied: [1, "intelligent electronic device (level 1: basic control)"],
  hmi: [2, "operator station (level 2: supervisory control)"],
  engineering_workstation: [2, "engineering workstation (level 2: supervisory control)"],
  historian: [3, "historian (level 3: site operations)"],
};
const ROLE_ORDER = ["plc", "rtu", "ied", "io_device", "engineering_workstation", "hmi", "historian"];

interface Vote {
  role: string;
  weight: number;
  reason: string;
}

/** What one device did on OT protocols, from the events. */
interface Activity {
  ops: Map<string, number>;
  serversRead: Set<string>;
  controls: Set<string>;
  controlledBy: Set<string>;
  notable: Map<string, number>;
  sources: Set<string>;
}

function emptyActivity(): Activity {
  return {
    ops: new Map(),
    serversRead: new Set(),
    controls: new Set(),
    controlledBy: new Set(),
    notable: new Map(),
    sources: new Set(),
  };
}

/** MAC of an event's end: the owner of its IP, else the frame's MAC (L2 protocols). */
function endMac(owners: Map<string, string>, ip: string | null, mac: string | null): string | null {
  if (ip !== null) return owners.get(ip) ?? null;
  return mac;
}

function activities(doc: IdentificationInput): Map<string, Activity> {
  const owners = ipOwners(doc);
  const byMac = new Map<string, Activity>();
  const of = (mac: string) => {
    let activity = byMac.get(mac);
    if (activity === undefined) byMac.set(mac, activity = emptyActivity());
    return activity;
  };
  for (const event of eventFacts(doc) as EventFact[]) {
    if (!OT_PROTOCOLS.includes(event.source) || event.kind === "anomaly") continue;
    const op = typeof event.fields.op === "string" ? event.fields.op : "other";
    const src = endMac(owners, event.src_ip, event.src_mac);
    const dst = endMac(owners, event.dst_ip, event.dst_mac);
    const dstLabel = event.dst_ip ?? event.dst_mac;
    const srcLabel = event.src_ip ?? event.src_mac;
    const notable = event.severity === "warning" || event.severity === "critical";
    if (src !== null) {
      const activity = of(src);
      activity.sources.add(event.source);
      activity.ops.set(op, (activity.ops.get(op) ?? 0) + event.count);
      if (op === "read" && dstLabel !== null) activity.serversRead.add(dstLabel);
      if (CONTROL_OPS.has(op) && dstLabel !== null) activity.controls.add(dstLabel);
      if (notable) activity.notable.set(event.type, (activity.notable.get(event.type) ?? 0) + event.count);
    }
    if (dst !== null && dst !== src) {
      const activity = of(dst);
      activity.sources.add(event.source);
      if (CONTROL_OPS.has(op) && srcLabel !== null) activity.controlledBy.add(srcLabel);
      if (notable) activity.notable.set(event.type, (activity.notable.get(event.type) ?? 0) + event.count);
    }
  }
  return byMac;
}

function roleValues(facts: IdentityFact[]): Map<string, Set<string>> {
  const roles = new Map<string, Set<string>>();
  for (const fact of facts) {
    const match = /^([a-z0-9_]+)\.role$/.exec(fact.key);
    if (match === null || !OT_PROTOCOLS.includes(match[1])) continue;
    let set = roles.get(match[1]);
    if (set === undefined) roles.set(match[1], set = new Set());
    set.add(fact.value);
  }
  return roles;
}

function protocolVotes(roles: Map<string, Set<string>>, facts: IdentityFact[], votes: Vote[]): void {
  const has = (proto: string, role: string) => roles.get(proto)?.has(role) === true;
  if (has("s7comm", "server")) votes.push({ role: "plc", weight: 50, reason: "answers S7comm as a server" });
  if (has("s7comm_plus", "server")) votes.push({ role: "plc", weight: 50, reason: "answers S7comm-plus" });
  if (has("fins", "server")) votes.push({ role: "plc", weight: 50, reason: "answers Omron FINS commands" });
  if (has("enip", "server")) votes.push({ role: "plc", weight: 40, reason: "answers EtherNet/IP-CIP" });
  if (has("modbus", "server")) {
    votes.push({ role: "plc", weight: 40, reason: "answers Modbus/TCP as a server" });
  }
  if (has("bacnet", "server")) {
    votes.push({ role: "plc", weight: 30, reason: "BACnet device (building controller)" });
  }
  if (has("dnp3", "outstation")) votes.push({ role: "rtu", weight: 50, reason: "DNP3 outstation" });
  if (has("iec104", "controlled")) {
    votes.push({ role: "rtu", weight: 50, reason: "IEC 60870-5-104 controlled station" });
  }
  if (has("goose", "publisher")) votes.push({ role: "ied", weight: 50, reason: "publishes IEC 61850 GOOSE" });
  if (has("mms", "server")) votes.push({ role: "ied", weight: 50, reason: "IEC 61850 MMS server" });
  if (has("dnp3", "master")) votes.push({ role: "hmi", weight: 35, reason: "DNP3 master (SCADA)" });
  if (has("iec104", "controlling")) {
    votes.push({ role: "hmi", weight: 35, reason: "IEC 60870-5-104 controlling station (SCADA)" });
  }
  for (const fact of facts) {
    if (fact.key === "ot.device_type" && /programmable (logic )?controller|\bPLC\b/i.test(fact.value)) {
      votes.push({ role: "plc", weight: 30, reason: `states device type "${fact.value}"` });
    }
    if (fact.key === "profinet_dcp.device_role") {
      if (/controller/i.test(fact.value)) {
        votes.push({ role: "plc", weight: 35, reason: `PROFINET role ${fact.value}` });
      } else if (/device/i.test(fact.value)) {
        votes.push({ role: "io_device", weight: 40, reason: `PROFINET role ${fact.value}` });
      }
    }
  }
}

function activityVotes(activity: Activity | undefined, roles: Map<string, Set<string>>, votes: Vote[]): void {
  if (activity === undefined) return;
  const count = (op: string) => activity.ops.get(op) ?? 0;
  const program = [...PROGRAM_OPS].filter((op) => count(op) > 0);
  if (program.length > 0) {
    votes.push({
      role: "engineering_workstation",
      weight: 50,
      reason: `sent ${program.join(", ")} to ${[...activity.controls].sort().join(", ")}`,
    });
  }
  if (count("diagnostic") + count("identify") > 0 && roles.get("s7comm")?.has("client")) {
    votes.push({
      role: "engineering_workstation",
      weight: 30,
      reason: "reads S7 module data and diagnostics (SZL)",
    });
  }
  if (roles.get("profinet_dcp")?.has("controller") && count("identify") + count("config_change") > 0) {
    votes.push({ role: "engineering_workstation", weight: 20, reason: "sends PROFINET DCP Identify/Set" });
  }
  const writes = count("write") + count("command");
  if (program.length === 0 && writes > 0) {
    votes.push({
      role: "hmi",
      weight: 40,
      reason: `sent writes/commands to ${[...activity.controls].sort().join(", ")}`,
    });
  }
  if (program.length === 0 && writes === 0 && count("read") > 0) {
    const servers = activity.serversRead.size;
    const onlyData = [...activity.sources].every((source) => source === "opcua" || source === "mqtt");
    if (servers >= 5 || onlyData) {
      votes.push({
        role: "historian",
        weight: 35,
        reason: `only reads, from ${servers} OT server${servers === 1 ? "" : "s"}`,
      });
    } else {
      votes.push({ role: "hmi", weight: 25, reason: `polls ${[...activity.serversRead].sort().join(", ")}` });
      votes.push({ role: "historian", weight: 20, reason: "only reads (never writes)" });
    }
  }
}

function decide(votes: Vote[]): { role: string | null; confidence: number; reasons: string[] } {
  const totals = new Map<string, number>();
  for (const vote of votes) totals.set(vote.role, (totals.get(vote.role) ?? 0) + vote.weight);
  const ranked = [...totals].sort(([a, x], [b, y]) => y - x || ROLE_ORDER.indexOf(a) - ROLE_ORDER.indexOf(b));
  if (ranked.length === 0) return { role: null, confidence: 0, reasons: [] };
  const [role, score] = ranked[0];
  const runnerUp = ranked[1]?.[1] ?? 0;
  return {
    role,
    confidence: Math.max(10, Math.round(Math.min(95, score) - runnerUp / 2)),
    reasons: [
      ...new Set([
        ...votes.filter((vote) => vote.role === role).map((vote) => vote.reason),
        ...votes.filter((vote) => vote.role !== role).map((vote) => `also ${vote.role}: ${vote.reason}`),
      ]),
    ],
  };
}

function deviceFacts(facts: IdentityFact[]): Record<string, string> {
  const best = new Map<string, IdentityFact>();
  for (const fact of facts) {
    if (!fact.key.startsWith("ot.")) continue;
    const known = best.get(fact.key);
    if (known === undefined || fact.confidence > known.confidence) best.set(fact.key, fact);
  }
  return Object.fromEntries(
    [...best].sort(([a], [b]) => a.localeCompare(b)).map(([key, fact]) => [key, fact.value]),
  );
}

function children(facts: IdentityFact[]): OtChild[] {
  const byId = new Map<string, OtChild>();
  for (const fact of facts) {
    if (!fact.key.startsWith("child/")) continue;
    const [, kind, id, ...attribute] = fact.key.split("/");
    if (!kind || !id || attribute.length === 0) continue;
    const childKey = `${kind}/${id}`;
    let child = byId.get(childKey);
    if (child === undefined) byId.set(childKey, child = { kind, id, attributes: {} });
    child.attributes[attribute.join("/")] = fact.value;
  }
  const gateway = facts.some((fact) => fact.key === "modbus.gateway" && fact.value === "true");
  const units = [...byId.values()].filter((child) => child.kind === "modbus.unit").length;
  return [...byId.values()]
    // Many Modbus/TCP devices answer as unit 1 themselves: one unit id alone is the device, not a
    // serial device behind it, unless the server proved to be a gateway (exceptions 10/11).
    .filter((child) => child.kind !== "modbus.unit" || units >= 2 || gateway)
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id, undefined, { numeric: true }));
}

/**
 * The OT assets of the document: every device with an OT role, protocol or fact, in the
 * document's device order.
 */
export function inferOtAssets(doc: IdentificationInput): OtAsset[] {
  const factsByMac = identitiesByMac(doc);
  const activityByMac = activities(doc);
  const assets: OtAsset[] = [];
  for (const device of doc.devices) {
    const facts = factsByMac.get(device.mac_address) ?? [];
    const activity = activityByMac.get(device.mac_address);
    const roles = roleValues(facts);
    const votes: Vote[] = [];
    protocolVotes(roles, facts, votes);
    activityVotes(activity, roles, votes);
    const otFacts = deviceFacts(facts);
    const kids = children(facts);
    if (
      votes.length === 0 && roles.size === 0 && Object.keys(otFacts).length === 0 && activity === undefined
    ) {
      continue;
    }
    const decided = decide(votes);
    const level = decided.role !== null ? LEVELS[decided.role] : undefined;
    const protocols = [...roles].flatMap(([proto, values]) =>
      [...values].map((value) => `${proto}:${value}`)
    );
    for (const source of activity?.sources ?? []) {
      if (!protocols.some((entry) => entry.startsWith(`${source}:`))) protocols.push(source);
    }
    assets.push({
      mac_address: device.mac_address,
      role: decided.role,
      confidence: decided.confidence,
      reasons: decided.reasons,
      purdue_level: level?.[0] ?? null,
      purdue_reason: level ? `${decided.role} → ${level[1]}` : null,
      protocols: protocols.sort(),
      facts: otFacts,
      children: kids,
      controls: [...activity?.controls ?? []].sort(),
      controlled_by: [...activity?.controlledBy ?? []].sort(),
      notable_events: Object.fromEntries(activity?.notable ?? []),
    });
  }
  return assets;
}
