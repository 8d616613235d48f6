/**
 * SSDP, the discovery protocol of UPnP (UPnP Device Architecture 2.0 section 1): HTTP/1.1
 * messages over UDP port 1900. Devices announce themselves with `NOTIFY * HTTP/1.1` (section
 * 1.2.2) and answer searches (`M-SEARCH * HTTP/1.1`, section 1.3.2) with `HTTP/1.1 200 OK`
 * (section 1.3.3).
 *
 * Reports, about the sender of an announcement or of a search response: its SERVER header
 * (`OS/version UPnP/2.0 product/version`) as `ssdp.server` and `software`, its description URL
 * (LOCATION) as `ssdp.location`, and the standard device type of NT/ST
 * (`urn:schemas-upnp-org:device:MediaRenderer:1` → `MediaRenderer`) as `ssdp.device_type`.
 * A search is the event `ssdp.search` with its search target.
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { type MessageHead, readHead, startsWith } from "./_text.ts";

const PROTOCOL = "SSDP";
/** The well-known SSDP port (UPnP Device Architecture 2.0 section 1.1.2). */
export const SSDP_PORT = 1900;
/** Confidence of the SERVER header as `ssdp.server`. */
const SERVER_CONFIDENCE = 60;
/** Confidence of the SERVER header as a `software` hint. */
const SOFTWARE_CONFIDENCE = 50;
/** Confidence of the LOCATION URL and of the standard device type (announced by the device itself). */
const LOCATION_CONFIDENCE = 60;
const DEVICE_TYPE_CONFIDENCE = 70;
const DEVICE_URN = "urn:schemas-upnp-org:device:";

/** The device type of a `urn:schemas-upnp-org:device:TYPE:VERSION` target, or undefined. */
export function deviceType(target: string | undefined): string | undefined {
  if (target === undefined || target.slice(0, DEVICE_URN.length).toLowerCase() !== DEVICE_URN) {
    return undefined;
  }
  const type = target.slice(DEVICE_URN.length).split(":")[0];
  return /^[A-Za-z0-9_.-]+$/.test(type) ? type : undefined;
}

/** Identities of an announcement or a search response (sections 1.2.2 and 1.3.3). */
function announce(packet: Packet, out: Observer, head: MessageHead, target: string | undefined): void {
  const server = head.headers.get("server");
  if (server) {
    out.identity(packet, "src", { key: "ssdp.server", value: server, confidence: SERVER_CONFIDENCE });
    out.identity(packet, "src", { key: "software", value: server, confidence: SOFTWARE_CONFIDENCE });
  }
  const location = head.headers.get("location");
  if (location) {
    out.identity(packet, "src", { key: "ssdp.location", value: location, confidence: LOCATION_CONFIDENCE });
  }
  const type = deviceType(target);
  if (type) {
    out.identity(packet, "src", { key: "ssdp.device_type", value: type, confidence: DEVICE_TYPE_CONFIDENCE });
  }
}

/** Decodes one SSDP message from the UDP payload. */
function decodeSsdp(packet: Packet, out: Observer): number {
  const start = packet.payloadOffset;
  if (start < 0 || packet.payloadLength <= 0) return Decoded.DONE;
  const end = Math.min(start + packet.payloadLength, packet.end);
  const bytes = packet.bytes;
  if (startsWith(bytes, start, end, "NOTIFY ")) {
    const head = readHead(bytes, start, end);
    announce(packet, out, head, head.headers.get("nt"));
  } else if (startsWith(bytes, start, end, "HTTP/1.")) {
    const head = readHead(bytes, start, end);
    announce(packet, out, head, head.headers.get("st"));
  } else if (startsWith(bytes, start, end, "M-SEARCH ")) {
    const head = readHead(bytes, start, end);
    const st = head.headers.get("st") ?? "";
    out.event(packet, { type: "ssdp.search", severity: "info", fields: { st } });
  } else if (end - start < "M-SEARCH ".length && packet.caplen < packet.wirelen) {
    // Too short to tell: the snapshot length cut the start line.
    return packet.truncated(PROTOCOL, end);
  } else {
    return packet.fail(PROTOCOL, "start line is not NOTIFY, M-SEARCH or an HTTP/1.x status", start);
  }
  return Decoded.DONE;
}

/** SSDP dissector: UDP port 1900. */
export const ssdp: Dissector = {
  name: "ssdp",
  title: "Simple Service Discovery Protocol (UPnP)",
  registration: { tables: { "udp.port": [SSDP_PORT] } },
  decode: decodeSsdp,
};
