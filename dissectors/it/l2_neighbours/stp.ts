/**
 * Spanning tree BPDUs: STP and RSTP (IEEE 802.1D-2004 clause 9), MSTP (IEEE 802.1Q-2018 clause 14),
 * on LLC DSAP 0x42, and Cisco PVST+/Rapid-PVST+ (SNAP OUI 00-00-0C, protocol id 0x010B: the same
 * BPDU followed by an originating-VLAN TLV, type 0, length 2).
 *
 * ```
 *  0 protocol id (0)  2 version (0 STP, 2 RSTP, 3 MSTP)  3 type (0x00 config, 0x80 TCN, 0x02 RST/MST)
 *  4 flags (bit 0 topology change, bit 7 TC acknowledgement, RSTP: bits 2–3 port role)
 *  5 root id (8)  13 root path cost (4)  17 bridge id (8; MSTP: CIST regional root)  25 port id (2)
 * 27 message age, max age, hello time, forward delay (2 each, 1/256 s)  35 version 1 length (RSTP)
 * 36 version 3 length (MSTP)  38 MST configuration id (51)  89 CIST internal root path cost (4)
 * 93 CIST bridge id (8)  101 CIST remaining hops  102 MSTI configuration messages (16 each)
 * ```
 * Bridge identifiers (802.1D-2004 9.2.5; 802.1Q-2018 clause 14) are reported as
 * `priority.system-id-extension.mac`, e.g. `32768.1.00:19:06:ea:b8:80` (the priority is the top
 * four bits times 4096, the extension the low 12 bits, usually the VLAN or MSTI). Port identifiers
 * (802.1D-2004 9.2.7) are reported as four hex digits, e.g. `0x8005` (priority 128, port 5).
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { macAt } from "../../../model/address.ts";
import { decodeText } from "../../text.ts";

const PROTOCOL = "STP";

/** LLC DSAP of the spanning tree protocols (IEEE 802.1D-2004 clause 7.12.3). */
export const STP_SAP = 0x42;
/** SNAP table key of Cisco PVST+: OUI 00-00-0C, protocol id 0x010B. */
export const PVST_SNAP_KEY = 0x0c * 0x10000 + 0x010b;

/** BPDU types (802.1D-2004 9.3). */
export const BpduType = { CONFIG: 0x00, TCN: 0x80, RST: 0x02 } as const;

const CONFIG_LENGTH = 35;
const RST_LENGTH = 36;
const MST_MIN_LENGTH = 102;
const FLAG_TOPOLOGY_CHANGE = 0x01;
const PORT_ROLES = ["unknown", "alternate-or-backup", "root", "designated"];

/** A bridge identifier at `at` as `priority.system-id-extension.mac`. */
export function bridgeIdAt(packet: Packet, at: number): string {
  const head = packet.view.getUint16(at);
  return `${head & 0xf000}.${head & 0x0fff}.${macAt(packet.bytes, at + 2)}`;
}

/** A port identifier at `at` as `0x` and four hex digits. */
function portIdAt(packet: Packet, at: number): string {
  return `0x${packet.view.getUint16(at).toString(16).padStart(4, "0")}`;
}

function versionName(type: number, version: number, length: number): string {
  if (type !== BpduType.RST) return "stp";
  return version >= 3 && length >= MST_MIN_LENGTH ? "mstp" : "rstp";
}

/** Originating VLAN of a PVST+ BPDU (TLV type 0, length 2 after the BPDU), or -1. */
function pvstVlan(packet: Packet, at: number): number {
  if (packet.end - at < 6) return -1;
  const view = packet.view;
  return view.getUint16(at) === 0 && view.getUint16(at + 2) === 2 ? view.getUint16(at + 4) : -1;
}

/** Reports a configuration, RST or MST BPDU of `length` bytes at `at` (`length` already checked). */
function report(packet: Packet, out: Observer, at: number, length: number, pvst: boolean): void {
  const bytes = packet.bytes;
  const type = bytes[at + 3];
  const flags = bytes[at + 4];
  const version = versionName(type, bytes[at + 2], length);
  const rootId = bridgeIdAt(packet, at + 5);
  const cost = packet.view.getUint32(at + 13);
  // In an MST BPDU the 802.1D bridge id position holds the CIST regional root; the sender is the CIST bridge.
  const bridgeId = version === "mstp" ? bridgeIdAt(packet, at + 93) : bridgeIdAt(packet, at + 17);
  const say = (key: string, value: string, confidence: number) => {
    out.identity(packet, "src", { key, value, confidence });
  };
  say("stp.bridge_id", bridgeId, 90);
  say("stp.root_id", rootId, 90);
  say("stp.root_path_cost", String(cost), 90);
  say("stp.port_id", portIdAt(packet, at + 25), 90);
  say("stp.version", version, 90);
  say("stp.sender_is_bridge", "true", 90);
  say("role", "switch", 60);
  const fields: Record<string, string | number> = {
    root_id: rootId,
    bridge_id: bridgeId,
    root_path_cost: cost,
    version,
  };
  if (version === "mstp") {
    say("stp.regional_root_id", bridgeIdAt(packet, at + 17), 90);
    const region = decodeText(bytes, at + 39, 32);
    if (region !== "") say("stp.mst_region", region, 80);
    fields.regional_root_id = bridgeIdAt(packet, at + 17);
  }
  if (type === BpduType.RST) fields.port_role = PORT_ROLES[(flags >> 2) & 0x03];
  if (pvst) {
    const vlan = pvstVlan(packet, at + length);
    if (vlan >= 0) fields.vlan = vlan;
  }
  out.event(packet, { type: "stp.root", severity: "info", fields });
  if (flags & FLAG_TOPOLOGY_CHANGE) {
    out.event(packet, {
      type: "stp.topology_change",
      severity: "notice",
      fields: { root_id: rootId, bridge_id: bridgeId, version },
    });
  }
}

function decodeBpdu(packet: Packet, out: Observer, pvst: boolean): number {
  const at = packet.offset;
  const available = packet.end - at;
  if (available < 4) return packet.truncated(PROTOCOL, at);
  const bytes = packet.bytes;
  if (packet.view.getUint16(at) !== 0) {
    return packet.fail(PROTOCOL, "protocol identifier is not 0", at, packet.view.getUint16(at));
  }
  const version = bytes[at + 2];
  const type = bytes[at + 3];
  if (type === BpduType.TCN) {
    out.event(packet, { type: "stp.topology_change", severity: "notice", fields: { tcn: true } });
    return Decoded.DONE;
  }
  if (type !== BpduType.CONFIG && type !== BpduType.RST) {
    return packet.fail(PROTOCOL, "unknown BPDU type", at + 3, type);
  }
  let length = type === BpduType.CONFIG ? CONFIG_LENGTH : RST_LENGTH;
  if (available < length) return packet.truncated(PROTOCOL, at);
  if (type === BpduType.RST && version >= 3 && available >= MST_MIN_LENGTH) {
    // 802.1Q-2018 14.4: an MST BPDU carries its version 3 length (a multiple of 16 past byte 102).
    const v3 = packet.view.getUint16(at + 36);
    if (v3 >= MST_MIN_LENGTH - 38 && (v3 - (MST_MIN_LENGTH - 38)) % 16 === 0) length = MST_MIN_LENGTH;
  }
  report(packet, out, at, length, pvst);
  return Decoded.DONE;
}

/** STP / RSTP / MSTP dissector, reached from the LLC SAP table (0x42). */
export const stp: Dissector = {
  name: "stp",
  title: "Spanning Tree Protocol (IEEE 802.1D / 802.1Q)",
  registration: { tables: { "llc.sap": [STP_SAP] } },
  decode(packet, out) {
    return decodeBpdu(packet, out, false);
  },
};

/** Cisco PVST+ / Rapid-PVST+ dissector, reached from the SNAP table. */
export const pvst: Dissector = {
  name: "pvst",
  title: "Cisco Per-VLAN Spanning Tree Plus",
  registration: { tables: { snap: [PVST_SNAP_KEY] } },
  decode(packet, out) {
    return decodeBpdu(packet, out, true);
  },
};
