/**
 * Device type and OS family, with the reasons, from what a passive observer learnt about a device.
 *
 * Each piece of evidence votes for a type with a weight; the type with the highest total wins (a
 * tie goes to the strongest single piece of evidence, then to the order of the table). The other
 * types' evidence stays in the reasons as `also <type>: …`. Confidence is the winner's total, capped
 * at 95, minus half the runner-up's total (never below 10).
 *
 * | Evidence (identity key or device field)                     | Type          | Weight |
 * | ----------------------------------------------------------- | ------------- | -----: |
 * | LLDP enabled capability `router` (without `bridge`)         | router        | 40     |
 * | LLDP enabled capabilities `bridge` (+ `router`: L3 switch)  | switch (router 20) | 40 |
 * | LLDP enabled capability `wlan-ap`                           | access_point  | 40     |
 * | LLDP enabled capability `telephone`                         | phone         | 40     |
 * | CDP capability `router` (without `switch`)                  | router        | 35     |
 * | CDP capability `switch` / `transparent-bridge` (+ `router`) | switch (router 20) | 40 |
 * | CDP capability `phone`; CDP platform `IP Phone`             | phone         | 45     |
 * | LLDP system description / CDP platform names a firewall (ASA, FortiGate, PAN-OS, SRX, firewall) | firewall | 45 |
 * | gateway flag: each of the device's gateway reasons          | router        | 35     |
 * | STP BPDUs sent as a bridge (`stp.sender_is_bridge`)         | switch        | 35     |
 * | answers DHCP as a server (`dhcp.server`)                    | server        | 30     |
 * | mDNS `_ipp`, `_ipps`, `_printer`, `_pdl-datastream`, `_scanner` | printer   | 35     |
 * | mDNS `_rtsp`, `_axis-video`                                 | camera        | 30     |
 * | mDNS `_hap`, `_airplay`, `_raop`, `_googlecast`, `_spotify-connect` | iot   | 20     |
 * | mDNS `_apple-mobdev2`                                       | phone         | 20     |
 * | mDNS `_workstation`                                         | workstation   | 15     |
 * | SSDP device type `Printer` / `InternetGatewayDevice` / `DigitalSecurityCamera` / `MediaRenderer`, `MediaServer` | printer / router / camera / iot | 30 / 30 / 30 / 20 |
 * | OS from DHCP (see `os_hints.ts`): Windows, macOS → workstation; iOS, Android → phone; Cisco IP phone → phone; udhcpc → iot | as listed | 20 (phone 25, Cisco phone 35) |
 * | OUI of an industrial automation vendor (Siemens, Schneider/Telemecanique, WAGO, Rockwell/Allen-Bradley, Phoenix Contact, Beckhoff, Omron, Mitsubishi) | plc | 10 (weak hint) |
 *
 * | Hostname `LAPTOP-…` (Windows' default name on portables) / `DESKTOP-…`   | laptop / workstation | 30 |
 * | mDNS model `MacBook…` / `iMac…`, `Macmini…`, `MacPro…`                   | laptop / workstation | 35 |
 * | OT roles (`ot_roles.ts`): PLC, RTU, IED, HMI, engineering workstation, historian | plc, rtu, ied, hmi, engineering_workstation, historian | the role's weight |
 *
 * A laptop is told from a workstation only by these names; without them `workstation` covers both.
 * OS hints from TCP SYN signatures (`os_hints.ts`) refine the OS family but vote for no type.
 *
 * @module
 */

import {
  type IdentificationInput,
  type IdentifiedDevice,
  identitiesByMac,
  type IdentityFact,
} from "./evidence.ts";
import type { OtAsset } from "./ot_roles.ts";
import {
  osFromFingerprint,
  osFromSystemText,
  osFromTcpSignature,
  osFromVendorClass,
  type OsHint,
} from "./os_hints.ts";

/** The type of one device, with why. */
export interface DeviceClass {
  /** The device. */
  mac_address: string;
  /**
   * router, switch, firewall, access_point, server, workstation, laptop, phone, printer, camera, iot,
   * plc, rtu, ied, io_device, hmi, engineering_workstation, historian, unknown.
   */
  device_type: string;
  /** 0–100. */
  confidence: number;
  /** The evidence, the winner's first, then `also <type>: …`, then `OS: …`. */
  reasons: string[];
  /** OS family (e.g. `Windows 10/11`, `Cisco IOS`), or null. */
  os_family: string | null;
}

/** One piece of evidence for a type. */
interface Vote {
  type: string;
  weight: number;
  reason: string;
}

const TYPE_ORDER = [
  "firewall",
  "router",
  "switch",
  "access_point",
  "phone",
  "printer",
  "camera",
  "server",
  "plc",
  "rtu",
  "ied",
  "io_device",
  "engineering_workstation",
  "hmi",
  "historian",
  "workstation",
  "laptop",
  "iot",
];

const MDNS_TYPES: [string[], string, number][] = [
  [["_ipp._tcp", "_ipps._tcp", "_printer._tcp", "_pdl-datastream._tcp", "_scanner._tcp"], "printer", 35],
  [["_rtsp._tcp", "_axis-video._tcp"], "camera", 30],
  [["_hap._tcp", "_airplay._tcp", "_raop._tcp", "_googlecast._tcp", "_spotify-connect._tcp"], "iot", 20],
  [["_apple-mobdev2._tcp"], "phone", 20],
  [["_workstation._tcp"], "workstation", 15],
];

const SSDP_TYPES: [RegExp, string, number][] = [
  [/:device:Printer:/i, "printer", 30],
  [/:device:(InternetGatewayDevice|WANDevice):/i, "router", 30],
  [/:device:DigitalSecurityCamera:/i, "camera", 30],
  [/:device:Media(Renderer|Server):/i, "iot", 20],
];

const FIREWALL_TEXT = /\bASA\b|FortiGate|PAN-OS|\bSRX\d|firewall/i;
const INDUSTRIAL_VENDORS =
  /Siemens|Schneider|Telemecanique|WAGO|Rockwell|Allen[- ]Bradley|Phoenix Contact|Beckhoff|Omron|Mitsubishi/i;

function values(facts: IdentityFact[], key: string): string[] {
  return [...new Set(facts.filter((fact) => fact.key === key).map((fact) => fact.value))];
}

function capabilityVotes(facts: IdentityFact[], votes: Vote[]): void {
  const lldpKey = values(facts, "lldp.enabled_capabilities").length > 0
    ? "lldp.enabled_capabilities"
    : "lldp.capabilities";
  const label = lldpKey === "lldp.enabled_capabilities" ? "LLDP enabled capabilities" : "LLDP capabilities";
  for (const value of values(facts, lldpKey)) {
    const caps = value.split(",");
    const reason = `${label}: ${value}`;
    if (caps.includes("bridge")) votes.push({ type: "switch", weight: 40, reason });
    if (caps.includes("router")) {
      votes.push({ type: "router", weight: caps.includes("bridge") ? 20 : 40, reason });
    }
    if (caps.includes("wlan-ap")) votes.push({ type: "access_point", weight: 40, reason });
    if (caps.includes("telephone")) votes.push({ type: "phone", weight: 40, reason });
  }
  for (const value of values(facts, "cdp.capabilities")) {
    const caps = value.split(",");
    const reason = `CDP capabilities: ${value}`;
    const bridge = caps.includes("switch") || caps.includes("transparent-bridge");
    if (bridge) votes.push({ type: "switch", weight: 40, reason });
    if (caps.includes("router")) votes.push({ type: "router", weight: bridge ? 20 : 35, reason });
    if (caps.includes("phone")) votes.push({ type: "phone", weight: 45, reason });
  }
  for (const value of values(facts, "cdp.platform")) {
    if (/IP Phone/i.test(value)) votes.push({ type: "phone", weight: 45, reason: `CDP platform: ${value}` });
    if (FIREWALL_TEXT.test(value)) {
      votes.push({ type: "firewall", weight: 45, reason: `CDP platform: ${value}` });
    }
  }
  for (const value of values(facts, "lldp.system_description")) {
    if (FIREWALL_TEXT.test(value)) {
      votes.push({ type: "firewall", weight: 45, reason: `LLDP system description: ${value}` });
    }
  }
}

const PORTABLE_NAMES: [RegExp, string, number, string][] = [
  [/^LAPTOP-/i, "laptop", 30, "hostname"],
  [/^DESKTOP-/i, "workstation", 30, "hostname"],
  [/^MacBook/i, "laptop", 35, "mDNS model"],
  [/^(iMac|Macmini|MacPro|Mac\d)/i, "workstation", 35, "mDNS model"],
];

function portableVotes(facts: IdentityFact[], votes: Vote[]): void {
  const names = [
    ...values(facts, "hostname").map((value) => ["hostname", value]),
    ...values(facts, "mdns.model").map((value) => ["mDNS model", value]),
  ];
  for (const [label, value] of names) {
    for (const [pattern, type, weight, source] of PORTABLE_NAMES) {
      if (source === label && pattern.test(value)) votes.push({ type, weight, reason: `${label} ${value}` });
    }
  }
}

function serviceVotes(facts: IdentityFact[], votes: Vote[]): void {
  for (const service of values(facts, "mdns.service")) {
    for (const [services, type, weight] of MDNS_TYPES) {
      if (services.includes(service)) votes.push({ type, weight, reason: `mDNS service ${service}` });
    }
  }
  for (const deviceType of values(facts, "ssdp.device_type")) {
    for (const [pattern, type, weight] of SSDP_TYPES) {
      if (pattern.test(`${deviceType}:`)) {
        votes.push({ type, weight, reason: `SSDP device type ${deviceType}` });
      }
    }
  }
  if (values(facts, "dhcp.server").includes("true")) {
    votes.push({ type: "server", weight: 30, reason: "answers DHCP as a server (OFFER/ACK)" });
  }
  const bridges = values(facts, "stp.bridge_id");
  if (values(facts, "stp.sender_is_bridge").includes("true")) {
    const ids = bridges.length > 0 ? ` (bridge id ${bridges.join(", ")})` : "";
    votes.push({ type: "switch", weight: 35, reason: `sends STP BPDUs as a bridge${ids}` });
  }
}

/** The OS hints of a device, best first. */
function osHints(facts: IdentityFact[]): OsHint[] {
  const hints: (OsHint | null)[] = [
    ...values(facts, "dhcp.vendor_class").map(osFromVendorClass),
    ...values(facts, "lldp.system_description").map((text) =>
      osFromSystemText(text, "LLDP system description")
    ),
    ...values(facts, "cdp.software_version").map((text) => osFromSystemText(text, "CDP software version")),
    ...values(facts, "dhcp.fingerprint").map(osFromFingerprint),
    ...values(facts, "tcp.syn_signature").map(osFromTcpSignature),
  ];
  return hints.filter((hint): hint is OsHint => hint !== null).sort((a, b) => b.confidence - a.confidence);
}

function osVotes(hints: OsHint[], votes: Vote[]): void {
  for (const hint of hints) {
    if (hint.device_type === null) continue;
    const weight = hint.os_family === "Cisco IP phone" ? 35 : hint.device_type === "phone" ? 25 : 20;
    votes.push({ type: hint.device_type, weight, reason: hint.reason });
  }
}

/** The type, confidence and reasons from the votes. */
function decide(votes: Vote[]): Omit<DeviceClass, "os_family" | "mac_address"> {
  const totals = new Map<string, { score: number; strongest: number }>();
  for (const vote of votes) {
    const total = totals.get(vote.type) ?? { score: 0, strongest: 0 };
    total.score += vote.weight;
    total.strongest = Math.max(total.strongest, vote.weight);
    totals.set(vote.type, total);
  }
  const ranked = [...totals].sort(([typeA, a], [typeB, b]) =>
    b.score - a.score || b.strongest - a.strongest || TYPE_ORDER.indexOf(typeA) - TYPE_ORDER.indexOf(typeB)
  );
  if (ranked.length === 0) {
    return { device_type: "unknown", confidence: 0, reasons: ["no identifying evidence"] };
  }
  const [winner, { score }] = ranked[0];
  const runnerUp = ranked[1]?.[1].score ?? 0;
  const reasons = [
    ...votes.filter((vote) => vote.type === winner).map((vote) => vote.reason),
    ...votes.filter((vote) => vote.type !== winner).map((vote) => `also ${vote.type}: ${vote.reason}`),
  ];
  return {
    device_type: winner,
    confidence: Math.max(10, Math.round(Math.min(95, score) - runnerUp / 2)),
    reasons: [...new Set(reasons)],
  };
}

/** Classifies one device from its identity facts (see the module documentation). */
export function classifyDevice(device: IdentifiedDevice, facts: IdentityFact[], ot?: OtAsset): DeviceClass {
  const votes: Vote[] = [];
  if (ot?.role) {
    votes.push({ type: ot.role, weight: ot.confidence, reason: `OT role ${ot.role}: ${ot.reasons[0]}` });
  }
  capabilityVotes(facts, votes);
  for (const reason of device.gateway_reasons) {
    votes.push({ type: "router", weight: 35, reason: `${reason} (gateway)` });
  }
  serviceVotes(facts, votes);
  portableVotes(facts, votes);
  const hints = osHints(facts);
  osVotes(hints, votes);
  if (device.oui_vendor !== null && INDUSTRIAL_VENDORS.test(device.oui_vendor)) {
    votes.push({
      type: "plc",
      weight: 10,
      reason: `OUI vendor ${device.oui_vendor} (industrial; weak hint)`,
    });
  }
  const decided = decide(votes);
  // A less trusted hint may refine the best one's family ("Windows" → "Windows 10/11").
  const best = hints[0] ?? null;
  const os = hints.filter((hint) => best !== null && hint.os_family.startsWith(best.os_family))
    .sort((a, b) => b.os_family.length - a.os_family.length)[0] ?? best;
  if (best !== null) decided.reasons.push(`OS: ${best.reason}`);
  if (os !== null && os !== best) decided.reasons.push(`OS: ${os.reason}`);
  return { mac_address: device.mac_address, ...decided, os_family: os?.os_family ?? null };
}

/**
 * The type and OS family of every device of the document, in the document's device order.
 *
 * @example
 * ```ts ignore
 * for (const { mac_address, device_type, reasons } of classifyDevices(doc)) {
 *   console.log(mac_address, device_type, reasons.join("; "));
 * }
 * ```
 */
export function classifyDevices(doc: IdentificationInput, otAssets: OtAsset[] = []): DeviceClass[] {
  const facts = identitiesByMac(doc);
  const ot = new Map(otAssets.map((asset) => [asset.mac_address, asset]));
  return doc.devices.map((device) =>
    classifyDevice(device, facts.get(device.mac_address) ?? [], ot.get(device.mac_address))
  );
}
