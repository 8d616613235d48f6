/**
 * Address text checks and conversions for storage: what goes into `macaddr` / `inet` columns must
 * parse (a plugin's odd string must not make a batch fail forever), and what comes back from
 * PostgreSQL is written the way the rest of NetSentinel writes it (`model/address.ts`:
 * PostgreSQL prints `::ffff:1.2.3.4` where NetSentinel prints `::ffff:102:304`).
 *
 * @module
 */

import { formatIpv4, formatIpv6 } from "../model/address.ts";

/** Words of a parsed address: IPv4 in `words[0]`, IPv6 in `words[0..3]`. */
export interface ParsedIp {
  version: 4 | 6;
  words: [number, number, number, number];
}

/** Lowercase colon-separated MAC (`aa:bb:cc:dd:ee:ff`), or null when `text` is not a MAC. */
export function normalizeMac(text: string | null | undefined): string | null {
  if (typeof text !== "string") return null;
  const match =
    /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i
      .exec(text.trim());
  return match ? match.slice(1).join(":").toLowerCase() : null;
}

function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

function parseIpv6(text: string): [number, number, number, number] | null {
  let groups: number[] = [];
  let head = text;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIpv4(tail);
    if (v4 === null) return null;
    head = text.slice(0, lastColon + 1) + `${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => part === "" ? [] : part.split(":");
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  for (const group of [...left, ...new Array(halves.length === 2 ? missing : 0).fill("0"), ...right]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    groups.push(parseInt(group, 16));
  }
  groups = groups.slice(0, 8);
  return [
    ((groups[0] << 16) | groups[1]) >>> 0,
    ((groups[2] << 16) | groups[3]) >>> 0,
    ((groups[4] << 16) | groups[5]) >>> 0,
    ((groups[6] << 16) | groups[7]) >>> 0,
  ];
}

/** Parses an IPv4 or IPv6 address (no prefix length, no zone), or null. */
export function parseIp(text: string | null | undefined): ParsedIp | null {
  if (typeof text !== "string") return null;
  const trimmed = text.trim();
  if (trimmed.includes(":")) {
    const words = parseIpv6(trimmed);
    return words ? { version: 6, words } : null;
  }
  const value = parseIpv4(trimmed);
  return value === null ? null : { version: 4, words: [value, 0, 0, 0] };
}

/** The address as NetSentinel writes it (RFC 5952 for IPv6), or null when it does not parse. */
export function canonicalIp(text: string | null | undefined): string | null {
  const ip = parseIp(text);
  if (!ip) return null;
  return ip.version === 4 ? formatIpv4(ip.words[0]) : formatIpv6(...ip.words);
}

/**
 * Text for a database column: NUL characters removed (PostgreSQL text cannot hold them) and cut to
 * `max` characters.
 */
export function cleanText(text: unknown, max: number): string {
  const value = typeof text === "string" ? text : String(text ?? "");
  const clean = value.includes("\0") ? value.replaceAll("\0", "") : value;
  return clean.length > max ? clean.slice(0, max) : clean;
}
