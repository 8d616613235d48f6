/**
 * NetBIOS Name Service (RFC 1001 15, RFC 1002 4.2), UDP port 137.
 *
 * Names are 16 bytes (15 characters padded with spaces, then a suffix byte naming the service),
 * sent in "first-level encoding" (RFC 1001 14.1): each byte becomes two letters `A`+high nibble,
 * `A`+low nibble, i.e. a 32-byte first label, optionally followed by a scope. From name
 * registrations and refreshes (opcodes 5, 8, 9: RFC 1002 4.2.2, 4.2.4), positive name query and
 * registration responses (4.2.13) and node status responses (4.2.18):
 * - `hostname` for unique names with suffix 0x00 (workstation) or 0x20 (file server);
 * - `netbios.workgroup` for group names with suffix 0x00, and for suffixes 0x1e, 0x1d, 0x1b, 0x1c
 *   (browser elections, master browsers, domain controllers);
 * - `netbios.suffix` for every name, as `NAME<xx>`;
 * about the sender (a registering host, or a node answering for itself) and about the address in
 * the NB record. Name queries give `nbns.query` events (they name who is looked for, not the
 * sender); releases give `nbns.release` events.
 *
 * @module
 */

import type { Dissector, Observer, Packet, Subject } from "../../api.ts";
import { ipAt } from "../../../model/address.ts";
import { decodeText } from "../../text.ts";
import { Confidence, Port, Problem, RrType } from "./_consts.ts";
import { type DnsMessage, parseMessage, type Question } from "./message.ts";
import { isSenderAddress } from "./dns.ts";

/** Opcodes (RFC 1002 4.2.1.1; 9 is the refresh value Windows sends). */
const Opcode = { QUERY: 0, REGISTRATION: 5, RELEASE: 6, REFRESH: 8, REFRESH_ALT: 9 } as const;
/** NB_FLAGS group bit (RFC 1002 4.2.1.3). */
const GROUP = 0x8000;
/** Suffixes that name a workgroup or domain whatever the group bit (MS-BRWS, RFC 1001 15.1). */
const WORKGROUP_SUFFIXES = [0x1b, 0x1c, 0x1d, 0x1e];

/** A decoded NetBIOS name: text without the padding, and the suffix byte. */
interface NetbiosName {
  name: string;
  suffix: number;
}

/** Decodes a 32-byte first-level encoded label (RFC 1001 14.1), or null. */
function decodeLabel(bytes: Uint8Array, at: number, length: number): NetbiosName | null {
  if (length !== 32 || at < 0) return null;
  const raw = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const high = bytes[at + 2 * i] - 0x41;
    const low = bytes[at + 2 * i + 1] - 0x41;
    if (high < 0 || high > 15 || low < 0 || low > 15) return null;
    raw[i] = (high << 4) | low;
  }
  // The 15 name bytes are space-padded ([MS-NBTE] 1.8): the text rule trims the padding.
  return { name: decodeText(raw, 0, 15), suffix: raw[15] };
}

/** `NAME<xx>`, as Wireshark shows NetBIOS names. */
function display(name: NetbiosName): string {
  return `${name.name}<${name.suffix.toString(16).padStart(2, "0")}>`;
}

/** Reports one name held by `subjects`. */
function reportName(
  packet: Packet,
  out: Observer,
  subjects: Subject[],
  name: NetbiosName,
  group: boolean,
): void {
  if (name.name === "" || name.name.startsWith("*")) return;
  const attributes = [{ key: "netbios.suffix", value: display(name), confidence: Confidence.NBNS }];
  if (!group && (name.suffix === 0x00 || name.suffix === 0x20)) {
    attributes.push({ key: "hostname", value: name.name, confidence: Confidence.NBNS });
  }
  if ((group && name.suffix === 0x00) || WORKGROUP_SUFFIXES.includes(name.suffix)) {
    attributes.push({ key: "netbios.workgroup", value: name.name, confidence: Confidence.NBNS });
  }
  for (const subject of subjects) {
    for (const attribute of attributes) out.identity(packet, subject, attribute);
  }
}

/** Node status names: NUM_NAMES, then 16-byte names with 2 flag bytes (RFC 1002 4.2.18). */
function reportNodeStatus(packet: Packet, out: Observer, rdata: number, rdlength: number): number {
  const bytes = packet.bytes;
  if (rdlength < 1) return packet.fail("NBNS", Problem.NBSTAT_LENGTH, rdata);
  const count = bytes[rdata];
  if (1 + count * 18 > rdlength) return packet.fail("NBNS", Problem.NBSTAT_LENGTH, rdata, count);
  for (let i = 0; i < count; i++) {
    const at = rdata + 1 + i * 18;
    const name = { name: decodeText(bytes, at, 15), suffix: bytes[at + 15] };
    reportName(packet, out, ["src"], name, (packet.view.getUint16(at + 16) & GROUP) !== 0);
  }
  return 0;
}

/** Events for queries and releases. */
function reportRequest(packet: Packet, out: Observer, question: Question, opcode: number): number {
  const name = decodeLabel(packet.bytes, question.firstLabelOffset, question.firstLabelLength);
  if (name === null) return packet.fail("NBNS", Problem.NETBIOS_ENCODING, question.firstLabelOffset);
  const type = opcode === Opcode.QUERY ? "nbns.query" : "nbns.release";
  out.event(packet, {
    type,
    severity: "info",
    fields: { name: display(name), qtype: question.type === RrType.NBSTAT ? "NBSTAT" : "NB" },
  });
  return 0;
}

/** Reports the NB and NBSTAT records of a registration, refresh or positive response. */
function reportRecords(packet: Packet, out: Observer, message: DnsMessage, request: boolean): number {
  const bytes = packet.bytes;
  for (const record of message.records) {
    if (record.type === RrType.NBSTAT && !request) {
      const status = reportNodeStatus(packet, out, record.rdata, record.rdlength);
      if (status !== 0) return status;
      continue;
    }
    if (record.type !== RrType.NB) continue;
    const name = decodeLabel(bytes, record.firstLabelOffset, record.firstLabelLength);
    if (name === null) return packet.fail("NBNS", Problem.NETBIOS_ENCODING, record.firstLabelOffset);
    // RDATA: NB_FLAGS (2) + NB_ADDRESS (4), repeated (RFC 1002 4.2.1.3); a short tail is ignored.
    for (let at = record.rdata; at + 6 <= record.rdata + record.rdlength; at += 6) {
      const group = (packet.view.getUint16(at) & GROUP) !== 0;
      const subjects: Subject[] = [{ ip: ipAt(bytes, at + 2, 4) }];
      // A registering host speaks for itself; a responder only when the address is its own
      // (an NBNS server answers for others).
      if (request || isSenderAddress(packet, at + 2, 4)) subjects.push("src");
      reportName(packet, out, subjects, name, group);
    }
  }
  return 0;
}

/** NBNS dissector. */
export const nbns: Dissector = {
  name: "nbns",
  title: "NetBIOS Name Service",
  registration: { tables: { "udp.port": [Port.NBNS] } },
  decode(packet, out) {
    const start = packet.payloadOffset;
    const { status, message } = parseMessage(packet, "NBNS", start, start + packet.payloadLength, true);
    if (message === null) return status;
    const opcode = message.opcode;
    let problem = 0;
    if (!message.response) {
      if (opcode === Opcode.QUERY || opcode === Opcode.RELEASE) {
        for (const question of message.questions) {
          problem = reportRequest(packet, out, question, opcode);
          if (problem !== 0) return problem;
        }
      } else if (
        opcode === Opcode.REGISTRATION || opcode === Opcode.REFRESH || opcode === Opcode.REFRESH_ALT
      ) {
        problem = reportRecords(packet, out, message, true);
      }
    } else if (message.rcode === 0 && (opcode === Opcode.QUERY || opcode === Opcode.REGISTRATION)) {
      problem = reportRecords(packet, out, message, false);
    }
    return problem !== 0 ? problem : status;
  },
};
