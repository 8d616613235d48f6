/**
 * The DNS message walker shared by DNS, mDNS, LLMNR and NBNS (RFC 1035 4.1; the same layout in
 * RFC 6762 18, RFC 4795 2.1.1 and RFC 1002 4.2.1).
 *
 * ```
 * +--------+--------+---------+---------+---------+---------+
 * | ID (2) |flags(2)| QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT |   header, 12 bytes
 * +--------+--------+---------+---------+---------+---------+
 * | question: QNAME QTYPE(2) QCLASS(2)                       |   QDCOUNT times
 * | record:   NAME TYPE(2) CLASS(2) TTL(4) RDLENGTH(2) RDATA  |   AN+NS+AR times
 * ```
 * {@linkcode parseMessage} decodes every name (owners, and the names inside NS, CNAME, PTR and
 * SRV data) with the loop-safe {@linkcode NameReader}, so the reporters only read checked data.
 * Loops are bounded by the payload: each question takes at least 5 bytes, each record 11.
 *
 * @module
 */

import { Decoded, type Packet } from "../../api.ts";
import { HEADER_LENGTH, Problem, RrType } from "./_consts.ts";
import { NameReader, NameStatus } from "./name.ts";

/** A question (RFC 1035 4.1.2). */
export interface Question {
  name: string;
  labels: string[];
  type: number;
  /** QCLASS without the mDNS unicast-response bit (RFC 6762 5.4). */
  cls: number;
  /** Offset of the name's first label (NetBIOS names), or -1. */
  firstLabelOffset: number;
  firstLabelLength: number;
}

/** A resource record (RFC 1035 4.1.3). */
export interface ResourceRecord extends Question {
  /** 1 answer, 2 authority, 3 additional. */
  section: number;
  ttl: number;
  /** Offset of RDATA in `packet.bytes`. */
  rdata: number;
  rdlength: number;
  /** Name in the data of NS, CNAME, PTR and SRV records, else empty. */
  target: string;
  targetLabels: string[];
}

/** A decoded message. */
export interface DnsMessage {
  id: number;
  /** QR bit: a response. */
  response: boolean;
  opcode: number;
  rcode: number;
  /** Whole flags word (NBNS reads its own bits from it). */
  flags: number;
  questions: Question[];
  records: ResourceRecord[];
}

/** The last message parsed, or null when it could not be (see {@linkcode parseMessage}). */
export interface ParseResult {
  status: number;
  message: DnsMessage | null;
}

/** Marks the packet truncated (capture cut) or malformed, with a constant problem. */
export function cut(packet: Packet, protocol: string, problem: string, at: number): number {
  if (packet.caplen < packet.wirelen) return packet.truncated(protocol, at);
  return packet.fail(protocol, problem, at);
}

function failName(packet: Packet, protocol: string, reader: NameReader, status: number): number {
  if (status === NameStatus.PAST_END) return cut(packet, protocol, reader.problem, reader.problemOffset);
  return packet.fail(protocol, reader.problem, reader.problemOffset);
}

/**
 * Decodes the message in `[start, end)` of `packet.bytes`. The status is `Decoded.DONE`,
 * `Decoded.TRUNCATED` (capture cut: the records read so far are kept) or `Decoded.MALFORMED`
 * (the message is null). With `netbios`, record data is not interpreted as DNS data (NBNS reuses
 * type 0x21, SRV in DNS, for node status: RFC 1002 4.2.1.3).
 */
export function parseMessage(
  packet: Packet,
  protocol: string,
  start: number,
  end: number,
  netbios = false,
): ParseResult {
  const bytes = packet.bytes;
  const view = packet.view;
  if (end - start < HEADER_LENGTH) {
    return { status: cut(packet, protocol, Problem.HEADER, start), message: null };
  }
  const flags = view.getUint16(start + 2);
  const message: DnsMessage = {
    id: view.getUint16(start),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0x0f,
    rcode: flags & 0x0f,
    flags,
    questions: [],
    records: [],
  };
  const qdcount = view.getUint16(start + 4);
  const counts = [view.getUint16(start + 6), view.getUint16(start + 8), view.getUint16(start + 10)];
  const reader = new NameReader();
  let at = start + HEADER_LENGTH;
  for (let i = 0; i < qdcount; i++) {
    const status = reader.read(bytes, start, end, at);
    if (status !== NameStatus.OK) return partial(message, failName(packet, protocol, reader, status));
    at = reader.next;
    if (end - at < 4) return partial(message, cut(packet, protocol, Problem.QUESTION_PAST_END, at));
    message.questions.push({
      name: reader.name,
      labels: reader.labels,
      type: view.getUint16(at),
      cls: view.getUint16(at + 2) & 0x7fff,
      firstLabelOffset: reader.firstLabelOffset,
      firstLabelLength: reader.firstLabelLength,
    });
    at += 4;
  }
  for (let section = 1; section <= 3; section++) {
    for (let i = 0; i < counts[section - 1]; i++) {
      const status = reader.read(bytes, start, end, at);
      if (status !== NameStatus.OK) return partial(message, failName(packet, protocol, reader, status));
      at = reader.next;
      if (end - at < 10) return partial(message, cut(packet, protocol, Problem.RDATA_PAST_END, at));
      const record: ResourceRecord = {
        name: reader.name,
        labels: reader.labels,
        type: view.getUint16(at),
        cls: view.getUint16(at + 2) & 0x7fff,
        firstLabelOffset: reader.firstLabelOffset,
        firstLabelLength: reader.firstLabelLength,
        section,
        ttl: view.getUint32(at + 4),
        rdata: at + 10,
        rdlength: view.getUint16(at + 8),
        target: "",
        targetLabels: [],
      };
      at = record.rdata + record.rdlength;
      if (at > end) return partial(message, cut(packet, protocol, Problem.RDATA_PAST_END, record.rdata - 2));
      const problem = netbios ? Decoded.DONE : checkData(packet, protocol, start, record, reader);
      if (problem !== Decoded.DONE) return partial(message, problem);
      message.records.push(record);
    }
  }
  return { status: Decoded.DONE, message };
}

/** Keeps what was read when the capture was cut; drops everything when the message is malformed. */
function partial(message: DnsMessage, status: number): ParseResult {
  return { status, message: status === Decoded.TRUNCATED ? message : null };
}

/** Checks the data of address records and decodes the names inside NS/CNAME/PTR/SRV data. */
function checkData(
  packet: Packet,
  protocol: string,
  start: number,
  record: ResourceRecord,
  reader: NameReader,
): number {
  const type = record.type;
  if (record.cls !== 1) return Decoded.DONE; // Only class IN data is interpreted (RFC 1035 3.2.4).
  if ((type === RrType.A && record.rdlength !== 4) || (type === RrType.AAAA && record.rdlength !== 16)) {
    return packet.fail(protocol, Problem.ADDRESS_LENGTH, record.rdata - 2, record.rdlength);
  }
  let nameAt = -1;
  if (type === RrType.NS || type === RrType.CNAME || type === RrType.PTR) nameAt = record.rdata;
  else if (type === RrType.SRV) nameAt = record.rdata + 6; // priority, weight, port (RFC 2782)
  if (nameAt < 0) return Decoded.DONE;
  const dataEnd = record.rdata + record.rdlength;
  // A name inside RDATA may point back into the message but must end within RDATA.
  const status = reader.read(packet.bytes, start, dataEnd, nameAt);
  if (status !== NameStatus.OK) {
    if (status === NameStatus.PAST_END) {
      return packet.fail(protocol, Problem.RDATA_PAST_END, reader.problemOffset);
    }
    return packet.fail(protocol, reader.problem, reader.problemOffset);
  }
  record.target = reader.name;
  record.targetLabels = reader.labels;
  return Decoded.DONE;
}
