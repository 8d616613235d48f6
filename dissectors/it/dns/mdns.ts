/**
 * Multicast DNS (RFC 6762) and DNS-based service discovery (RFC 6763), UDP port 5353.
 *
 * Responses and announcements (RFC 6762 8.3), and the records a host proposes in the authority
 * section of its probes (RFC 6762 8.2), are the sender's own records:
 * - A/AAAA → `hostname` (the owner name) about the address, and about the sender when the
 *   address is its own;
 * - reverse-mapping PTR → `hostname` about the address encoded in the owner name;
 * - service PTR and SRV (`Instance._service._tcp.local`, RFC 6763 4.1) → `mdns.service`
 *   (`_ipp._tcp`) and `mdns.instance` (the instance label) about the sender;
 * - TXT of `_device-info._tcp` → `mdns.model` (the `model=` key, RFC 6763 6.3) about the sender.
 * Known answers in queries (RFC 6762 7.1) are other hosts' records, cached: ignored. Queries give
 * `mdns.query` events (name, type).
 *
 * @module
 */

import type { Dissector, Observer, Packet } from "../../api.ts";
import { ipAt } from "../../../model/address.ts";
import { decodeText } from "../../text.ts";
import { Confidence, Port, RrType } from "./_consts.ts";
import { type DnsMessage, parseMessage, type ResourceRecord } from "./message.ts";
import { reverseAddress } from "./name.ts";
import { isSenderAddress, reportQueries } from "./dns.ts";

/** Section number of the authority records (probes carry their proposed records there). */
const AUTHORITY = 2;

/** Index of the `_service` label of `…_service._tcp|_udp.domain`, or -1 (RFC 6763 7). */
function serviceIndex(labels: readonly string[]): number {
  for (let i = 1; i < labels.length; i++) {
    const proto = labels[i].toLowerCase();
    if ((proto === "_tcp" || proto === "_udp") && labels[i - 1].startsWith("_")) return i - 1;
  }
  return -1;
}

/** Reports the service type (and instance, when the name has one) named by `labels`. */
function reportService(packet: Packet, out: Observer, labels: readonly string[], confidence: number): void {
  const at = serviceIndex(labels);
  if (at < 0) return;
  const service = `${labels[at]}.${labels[at + 1]}`.toLowerCase();
  if (service === "_dns-sd._udp") return; // the service type enumeration itself (RFC 6763 9)
  out.identity(packet, "src", { key: "mdns.service", value: service, confidence });
  // Instance names are one label before the service type (RFC 6763 4.1); "_sub" marks subtypes.
  if (at === 1 && !labels[0].startsWith("_")) {
    out.identity(packet, "src", { key: "mdns.instance", value: labels[0], confidence });
  }
}

/** Key of the device model in `_device-info._tcp` TXT data (RFC 6763 6.3), before its `=`. */
const MODEL_KEY = "model";

/** The `model=` value of TXT data (length-prefixed strings, RFC 6763 6.1), or null. */
function txtModel(bytes: Uint8Array, at: number, end: number): string | null {
  while (at < end) {
    const length = bytes[at];
    if (at + 1 + length > end) return null;
    // Keys are ASCII, compared case-insensitively (RFC 6763 6.4); values UTF-8 (6.5), by the text rule.
    if (length >= 6 && isModelKey(bytes, at + 1)) {
      const model = decodeText(bytes, at + 7, length - 6);
      return model === "" ? null : model;
    }
    at += 1 + length;
  }
  return null;
}

/** True when the 6 bytes at `at` are `model=` in any case. */
function isModelKey(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < 5; i++) if ((bytes[at + i] | 0x20) !== MODEL_KEY.charCodeAt(i)) return false;
  return bytes[at + 5] === 0x3d;
}

function reportRecord(packet: Packet, out: Observer, record: ResourceRecord, confidence: number): void {
  const bytes = packet.bytes;
  switch (record.type) {
    case RrType.A:
    case RrType.AAAA: {
      if (record.name === "") return;
      const attribute = { key: "hostname", value: record.name, confidence };
      out.identity(packet, { ip: ipAt(bytes, record.rdata, record.type === RrType.A ? 4 : 6) }, attribute);
      if (isSenderAddress(packet, record.rdata, record.rdlength)) out.identity(packet, "src", attribute);
      return;
    }
    case RrType.PTR: {
      const address = reverseAddress(record.labels);
      if (address !== null) {
        if (record.target === "") return;
        out.identity(packet, { ip: ipAt(address, 0, address.length === 4 ? 4 : 6) }, {
          key: "hostname",
          value: record.target,
          confidence,
        });
        return;
      }
      // `_services._dns-sd._udp.local PTR _ipp._tcp.local` or `_ipp._tcp.local PTR Name._ipp._tcp.local`.
      reportService(packet, out, record.targetLabels, confidence);
      return;
    }
    case RrType.SRV:
      reportService(packet, out, record.labels, confidence);
      return;
    case RrType.TXT: {
      const at = serviceIndex(record.labels);
      if (at < 0 || record.labels[at].toLowerCase() !== "_device-info") return;
      const model = txtModel(bytes, record.rdata, record.rdata + record.rdlength);
      if (model !== null) out.identity(packet, "src", { key: "mdns.model", value: model, confidence });
      return;
    }
  }
}

/** Reports the sender's own records of a response or probe. */
function reportRecords(packet: Packet, out: Observer, message: DnsMessage): void {
  for (const record of message.records) {
    if (record.cls !== 1) continue;
    if (message.response) reportRecord(packet, out, record, Confidence.MDNS);
    else if (record.section === AUTHORITY) reportRecord(packet, out, record, Confidence.MDNS_PROBE);
  }
}

/** mDNS dissector. */
export const mdns: Dissector = {
  name: "mdns",
  title: "Multicast DNS",
  registration: { tables: { "udp.port": [Port.MDNS] } },
  decode(packet, out) {
    const start = packet.payloadOffset;
    const { status, message } = parseMessage(packet, "mDNS", start, start + packet.payloadLength);
    // Messages with another opcode are silently ignored (RFC 6762 18.3).
    if (message === null || message.opcode !== 0) return status;
    if (!message.response) reportQueries(packet, out, "mdns", message);
    reportRecords(packet, out, message);
    return status;
  },
};
