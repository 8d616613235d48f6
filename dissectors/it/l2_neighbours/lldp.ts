/**
 * Link Layer Discovery Protocol (IEEE 802.1AB-2016), EtherType 0x88CC.
 *
 * An LLDPDU (clause 8.2) is a sequence of TLVs, each with a 16-bit header: a 7-bit type and a
 * 9-bit length of the value (clause 8.4). The first three TLVs are mandatory and in this order:
 * Chassis ID (8.5.2), Port ID (8.5.3), Time To Live (8.5.4); an End Of LLDPDU TLV (8.5.1) may close
 * the list. Optional TLVs: Port Description (8.5.5), System Name (8.5.6), System Description
 * (8.5.7), System Capabilities (8.5.8), Management Address (8.5.9), and organizationally specific
 * TLVs (8.6), of which this dissector reads the IEEE 802.1 Port VLAN ID (IEEE 802.1Q-2018 D.2.1)
 * and the ANSI/TIA-1057 LLDP-MED inventory TLVs (clause 10.2.6).
 *
 * Everything learnt is about the sender (the switch port or device announcing itself), plus one
 * `lldp.neighbour` event per LLDPDU: the raw material of a passive physical topology.
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { EtherType } from "../../ethertypes.ts";
import { macAt } from "../../../model/address.ts";
import { bitNames, familyAddressAt, firstLineAt, printableOrHex } from "./_text.ts";
import { decodeText } from "../../text.ts";

const PROTOCOL = "LLDP";

/** LLDP TLV types (IEEE 802.1AB-2016 Table 8-1). */
export const LldpTlv = {
  END: 0,
  CHASSIS_ID: 1,
  PORT_ID: 2,
  TTL: 3,
  PORT_DESCRIPTION: 4,
  SYSTEM_NAME: 5,
  SYSTEM_DESCRIPTION: 6,
  SYSTEM_CAPABILITIES: 7,
  MANAGEMENT_ADDRESS: 8,
  ORGANIZATION_SPECIFIC: 127,
} as const;

/** System capability names by bit (IEEE 802.1AB-2016 Table 8-4), as reported in `lldp.capabilities`. */
export const LLDP_CAPABILITY_NAMES: readonly string[] = [
  "other",
  "repeater",
  "bridge",
  "wlan-ap",
  "router",
  "telephone",
  "docsis",
  "station",
  "c-vlan",
  "s-vlan",
  "two-port-mac-relay",
];

/** Chassis ID subtypes (Table 8-2), index = subtype. */
const CHASSIS_SUBTYPES = [
  "reserved",
  "chassis-component",
  "interface-alias",
  "port-component",
  "mac-address",
  "network-address",
  "interface-name",
  "local",
];
/** Port ID subtypes (Table 8-3), index = subtype. */
const PORT_SUBTYPES = [
  "reserved",
  "interface-alias",
  "port-component",
  "mac-address",
  "network-address",
  "interface-name",
  "agent-circuit-id",
  "local",
];
const MANDATORY = [LldpTlv.CHASSIS_ID, LldpTlv.PORT_ID, LldpTlv.TTL];
const MISSING = ["chassis ID TLV missing", "port ID TLV missing", "time to live TLV missing"];
/** IEEE 802.1 OUI 00-80-C2 and TIA OUI 00-12-BB (organizationally specific TLVs, clause 8.6). */
const OUI_IEEE_8021 = 0x0080c2;
const OUI_TIA = 0x0012bb;
/** LLDP-MED inventory TLV subtypes 5–10 (ANSI/TIA-1057 clause 10.2.6) and the identity keys they feed. */
const MED_INVENTORY = [
  "lldp.hardware_revision",
  "lldp.firmware_revision",
  "lldp.software_revision",
  "lldp.serial_number",
  "lldp.manufacturer",
  "lldp.model",
];
const MAX_MANAGEMENT_ADDRESSES = 8;

interface LldpFacts {
  chassisId: string;
  chassisSubtype: string;
  portId: string;
  portSubtype: string;
  ttl: number;
  portDescription: string;
  systemName: string;
  systemDescription: string;
  /** First line of the system description (the software, on most devices). */
  software: string;
  capabilities: number;
  enabledCapabilities: number;
  managementAddresses: string[];
  pvid: number;
  inventory: [string, string][];
}

/** An id TLV value: MAC, network address or text, depending on the subtype (clauses 8.5.2.3, 8.5.3.3). */
function idValue(bytes: Uint8Array, subtype: number, at: number, length: number, macSub: number): string {
  if (subtype === macSub && length === 6) return macAt(bytes, at);
  if (subtype === macSub + 1 && length >= 2) return familyAddressAt(bytes, bytes[at], at + 1, length - 1);
  return printableOrHex(bytes, at, length);
}

/** Reads one TLV into `facts`; returns a problem (constant text) or "". */
function readTlv(packet: Packet, facts: LldpFacts, type: number, at: number, length: number): string {
  const bytes = packet.bytes;
  switch (type) {
    case LldpTlv.CHASSIS_ID:
    case LldpTlv.PORT_ID: {
      if (length < 2) return "chassis or port ID TLV shorter than 2 bytes";
      const subtype = bytes[at];
      const port = type === LldpTlv.PORT_ID;
      const value = idValue(bytes, subtype, at + 1, length - 1, port ? 3 : 4);
      const names = port ? PORT_SUBTYPES : CHASSIS_SUBTYPES;
      const name = subtype < names.length ? names[subtype] : `subtype-${subtype}`;
      if (port) [facts.portId, facts.portSubtype] = [value, name];
      else [facts.chassisId, facts.chassisSubtype] = [value, name];
      return "";
    }
    case LldpTlv.TTL:
      if (length < 2) return "time to live TLV shorter than 2 bytes";
      facts.ttl = packet.view.getUint16(at);
      return "";
    case LldpTlv.PORT_DESCRIPTION:
      facts.portDescription = decodeText(bytes, at, length);
      return "";
    case LldpTlv.SYSTEM_NAME:
      facts.systemName = decodeText(bytes, at, length);
      return "";
    case LldpTlv.SYSTEM_DESCRIPTION:
      facts.systemDescription = decodeText(bytes, at, length);
      facts.software = firstLineAt(bytes, at, length);
      return "";
    case LldpTlv.SYSTEM_CAPABILITIES:
      if (length !== 4) return "system capabilities TLV length is not 4";
      facts.capabilities = packet.view.getUint16(at);
      facts.enabledCapabilities = packet.view.getUint16(at + 2);
      return "";
    case LldpTlv.MANAGEMENT_ADDRESS: {
      // Address string length (1 + address), subtype, address, interface numbering (5), OID length (1).
      const stringLength = bytes[at];
      if (length < 9 || stringLength < 2 || stringLength > 32 || 1 + stringLength + 6 > length) {
        return "management address TLV lengths are inconsistent";
      }
      if (facts.managementAddresses.length < MAX_MANAGEMENT_ADDRESSES) {
        facts.managementAddresses.push(familyAddressAt(bytes, bytes[at + 1], at + 2, stringLength - 1));
      }
      return "";
    }
    case LldpTlv.ORGANIZATION_SPECIFIC:
      return readOrganizationTlv(packet, facts, at, length);
  }
  return "";
}

/** Organizationally specific TLV (clause 8.6): 3-byte OUI, 1-byte subtype, value. */
function readOrganizationTlv(packet: Packet, facts: LldpFacts, at: number, length: number): string {
  if (length < 4) return "organizationally specific TLV shorter than 4 bytes";
  const bytes = packet.bytes;
  const oui = (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2];
  const subtype = bytes[at + 3];
  if (oui === OUI_IEEE_8021 && subtype === 1) {
    if (length !== 6) return "port VLAN ID TLV length is not 6";
    facts.pvid = packet.view.getUint16(at + 4);
  } else if (oui === OUI_TIA && subtype >= 5 && subtype <= 10 && length > 4) {
    facts.inventory.push([MED_INVENTORY[subtype - 5], decodeText(bytes, at + 4, length - 4)]);
  }
  return "";
}

function report(packet: Packet, out: Observer, facts: LldpFacts): void {
  const say = (key: string, value: string, confidence: number) => {
    if (value !== "") out.identity(packet, "src", { key, value, confidence });
  };
  say("lldp.chassis_id", facts.chassisId, 90);
  say("lldp.chassis_id_subtype", facts.chassisSubtype, 90);
  say("lldp.port_id", facts.portId, 90);
  say("lldp.port_id_subtype", facts.portSubtype, 90);
  say("lldp.port_description", facts.portDescription, 80);
  say("hostname", facts.systemName, 85);
  say("lldp.system_name", facts.systemName, 85);
  say("lldp.system_description", facts.systemDescription, 80);
  say("software", facts.software, 60);
  if (facts.capabilities >= 0) {
    say("lldp.capabilities", bitNames(facts.capabilities, LLDP_CAPABILITY_NAMES), 80);
    say("lldp.enabled_capabilities", bitNames(facts.enabledCapabilities, LLDP_CAPABILITY_NAMES), 80);
  }
  for (const address of facts.managementAddresses) say("lldp.management_address", address, 80);
  if (facts.pvid >= 0) say("lldp.pvid", String(facts.pvid), 80);
  for (const [key, value] of facts.inventory) say(key, value, 70);
  const fields: Record<string, string | number> = {
    chassis_id: facts.chassisId,
    port_id: facts.portId,
    ttl: facts.ttl,
  };
  if (facts.systemName !== "") fields.system_name = facts.systemName;
  if (facts.managementAddresses.length > 0) fields.management_address = facts.managementAddresses[0];
  if (facts.pvid >= 0) fields.pvid = facts.pvid;
  out.event(packet, { type: "lldp.neighbour", severity: "info", fields });
}

/** A TLV or header that does not fit: truncation by the snapshot length, else a malformed LLDPDU. */
function overrun(packet: Packet, at: number, length: number): number {
  if (packet.caplen < packet.wirelen) return packet.truncated(PROTOCOL, at);
  return packet.fail(PROTOCOL, "TLV runs past the end of the frame", at, length);
}

/** LLDP dissector, reached from the EtherType table (0x88CC). */
export const lldp: Dissector = {
  name: "lldp",
  title: "Link Layer Discovery Protocol (IEEE 802.1AB)",
  registration: { tables: { ethertype: [EtherType.LLDP] } },
  decode(packet, out) {
    const end = packet.end;
    const facts: LldpFacts = {
      chassisId: "",
      chassisSubtype: "",
      portId: "",
      portSubtype: "",
      ttl: 0,
      portDescription: "",
      systemName: "",
      systemDescription: "",
      software: "",
      capabilities: -1,
      enabledCapabilities: 0,
      managementAddresses: [],
      pvid: -1,
      inventory: [],
    };
    let result: number = Decoded.DONE;
    let index = 0;
    let at = packet.offset;
    // Each TLV moves `at` forward by at least 2 bytes: the walk ends within the frame's length.
    while (at < end) {
      if (end - at < 2) {
        result = overrun(packet, at, -1);
        break;
      }
      const header = packet.view.getUint16(at);
      const type = header >>> 9;
      const length = header & 0x1ff;
      if (at + 2 + length > end) {
        result = overrun(packet, at, length);
        break;
      }
      if (index < 3 && type !== MANDATORY[index]) {
        result = packet.fail(PROTOCOL, MISSING[index], at, type);
        break;
      }
      if (type === LldpTlv.END) break;
      const mandatoryAgain = index >= 3 && type >= LldpTlv.CHASSIS_ID && type <= LldpTlv.TTL;
      const problem = mandatoryAgain ? "" : readTlv(packet, facts, type, at + 2, length);
      if (problem !== "") {
        result = packet.fail(PROTOCOL, problem, at, length);
        break;
      }
      index++;
      at += 2 + length;
    }
    if (result === Decoded.DONE && index < 3) {
      result = packet.caplen < packet.wirelen
        ? packet.truncated(PROTOCOL, at)
        : packet.fail(PROTOCOL, MISSING[index], at);
    }
    // What was read before a problem is still reported, as long as the mandatory TLVs were there.
    if (index >= 3) report(packet, out, facts);
    return result;
  },
};
