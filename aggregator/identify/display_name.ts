/**
 * The display name of each device: the best name heard about it, by a documented precedence.
 *
 * A name is an identity about the device's MAC, or about one of the IPs it owns (never about a
 * gateway's foreign addresses: see `evidence.ts`). The first rule that has a name wins; within a
 * rule, the highest confidence, then the most recently heard, then the most often heard.
 *
 * | Rank | Source (dissector) | Identity key                   | Why this rank                                     |
 * | ---: | ------------------ | ------------------------------ | ------------------------------------------------- |
 * | 0    | user               | `device_name` (database)       | the operator's override, always wins (applied by the caller) |
 * | 1    | `dhcp`             | `hostname` (option 12; offered name) | the name the host gives itself              |
 * | 2    | `lldp` / `cdp`     | `lldp.system_name` / `cdp.device_id` | configured on the device by its administrator |
 * | 3    | `nbns`             | `hostname` (unique names <00>/<20>) | the Windows computer name                   |
 * | 4    | `mdns`             | `hostname` (without `.local`)  | the host's own announcement                       |
 * | 5    | `llmnr`            | `hostname`                     | the host answering for its own name               |
 * | 6    | `dhcp`             | `dhcp.fqdn` (option 81)        | a qualified name, often the DNS one               |
 * | 7    | `dns`              | `hostname` (A/AAAA/PTR answers) | a name the DNS gives the address (may be an alias) |
 * | 8    | `http` / `tls` / `ssdp` | `hostname`                | Host header / SNI: names a service, not the host  |
 *
 * @module
 */

import { type IdentificationInput, identitiesByMac, type IdentityFact } from "./evidence.ts";

/** A device's display name, where it came from and how far to trust it. */
export interface DisplayName {
  /** The name, cleaned (no trailing dot, no `.local`). */
  name: string;
  /** The rule's label, e.g. `dhcp`, `lldp`, `cdp`, `nbns`, `mdns`, `dns`. */
  source: string;
  /** Confidence of the identity the name came from (0–100). */
  confidence: number;
}

/** One precedence rule: the facts it accepts and how it labels them. */
interface NameRule {
  sources: string[];
  keys: string[];
}

/** The precedence table above, rank 1 first. */
const RULES: NameRule[] = [
  { sources: ["dhcp"], keys: ["hostname"] },
  { sources: ["lldp", "cdp"], keys: ["lldp.system_name", "cdp.device_id"] },
  { sources: ["nbns"], keys: ["hostname"] },
  { sources: ["mdns"], keys: ["hostname"] },
  { sources: ["llmnr"], keys: ["hostname"] },
  { sources: ["dhcp"], keys: ["dhcp.fqdn"] },
  { sources: ["dns"], keys: ["hostname"] },
  { sources: ["http", "tls", "ssdp"], keys: ["hostname"] },
];

/**
 * The identity keys names come from. A repeated name can change a display name (the most recently
 * heard wins among equals); repeats of other keys cannot change any conclusion.
 */
export const NAME_KEYS: ReadonlySet<string> = new Set(RULES.flatMap((rule) => rule.keys));

function cleanName(fact: IdentityFact): string {
  const name = fact.value.trim();
  return fact.source === "mdns" ? name.replace(/\.local\.?$/i, "") : name.replace(/\.$/, "");
}

function better(a: IdentityFact, b: IdentityFact): boolean {
  if (a.confidence !== b.confidence) return a.confidence > b.confidence;
  if (a.last_seen !== b.last_seen) return a.last_seen > b.last_seen;
  return a.count > b.count;
}

/** The best name of one device's facts, or null. */
export function displayNameOf(facts: IdentityFact[]): DisplayName | null {
  for (const rule of RULES) {
    let best: IdentityFact | null = null;
    for (const fact of facts) {
      if (!rule.sources.includes(fact.source) || !rule.keys.includes(fact.key)) continue;
      if (cleanName(fact) === "") continue;
      if (best === null || better(fact, best)) best = fact;
    }
    if (best !== null) return { name: cleanName(best), source: best.source, confidence: best.confidence };
  }
  return null;
}

/**
 * Display names of the devices that have one, by MAC.
 *
 * @example
 * ```ts ignore
 * const names = displayNames(doc);
 * console.log(names.get("3c:d9:2b:5a:10:21")); // { name: "WS-OFFICE-01", source: "dhcp", confidence: 80 }
 * ```
 */
export function displayNames(doc: IdentificationInput): Map<string, DisplayName> {
  const byMac = identitiesByMac(doc);
  const names = new Map<string, DisplayName>();
  for (const device of doc.devices) {
    const name = displayNameOf(byMac.get(device.mac_address) ?? []);
    if (name !== null) names.set(device.mac_address, name);
  }
  return names;
}
