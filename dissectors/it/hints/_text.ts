/**
 * Shared reading of HTTP/1.x-style text messages (RFC 9112 sections 2–5), used by the HTTP and
 * SSDP dissectors (SSDP is HTTP over UDP, UPnP Device Architecture 2.0 section 1).
 *
 * Everything is bounded: a message is read up to the end of its headers or of the payload,
 * whichever comes first, at most {@linkcode MAX_HEADERS} header lines. The start line, names and
 * values are texts by the project's text rule ({@linkcode decodeText}: UTF-8, control characters
 * escaped, white space trimmed, at most `MAX_TEXT_BYTES` bytes). Nothing here throws.
 *
 * @module
 */

import { decodeText, lineEnd } from "../../text.ts";

/** Header lines read at most per message. */
export const MAX_HEADERS = 100;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** The start line and header fields of one message. */
export interface MessageHead {
  /** The request or status line. */
  startLine: string;
  /** Header values by lower-case field name (RFC 9110 section 5.1: names are case-insensitive); first wins. */
  headers: Map<string, string>;
  /** True when the empty line that ends the header section was seen. */
  complete: boolean;
}

/** True when `bytes` at `at` (before `end`) hold the ASCII text `text`, compared exactly. */
export function startsWith(bytes: Uint8Array, at: number, end: number, text: string): boolean {
  if (end - at < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads the start line and the header fields of a message in `bytes[start, end)` (RFC 9112
 * section 2.1). Lines end with LF, an optional CR before it is dropped; obsolete folded lines
 * (starting with a space) and lines without a colon are ignored.
 */
export function readHead(bytes: Uint8Array, start: number, end: number): MessageHead {
  let eol = lineEnd(bytes, start, end);
  const head: MessageHead = {
    startLine: decodeText(bytes, start, eol - start),
    headers: new Map(),
    complete: false,
  };
  let at = eol + 1;
  for (let n = 0; n < MAX_HEADERS && at < end; n++) {
    eol = lineEnd(bytes, at, end);
    const first = bytes[at];
    if (first === LF || (first === CR && eol === at + 1)) {
      head.complete = true;
      break;
    }
    if (first !== SP && first !== HT) {
      let colon = at;
      while (colon < eol && bytes[colon] !== COLON) colon++;
      if (colon < eol && colon > at) {
        const name = decodeText(bytes, at, colon - at).toLowerCase();
        if (!head.headers.has(name)) head.headers.set(name, decodeText(bytes, colon + 1, eol - colon - 1));
      }
    }
    at = eol + 1;
  }
  return head;
}

/** `target` without its query string or fragment (RFC 3986 section 3): the path only. */
export function pathOnly(target: string): string {
  let path = target;
  // Absolute form (RFC 9112 section 3.2.2), as sent to proxies: keep the path.
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length) || "/";
  const cut = path.search(/[?#]/);
  return cut < 0 ? path : path.slice(0, cut);
}

/**
 * The host name of a Host header value (RFC 9110 section 7.2) in lower case, without port or
 * trailing dot; undefined for an IP literal or an empty or invalid name.
 */
export function hostName(value: string): string | undefined {
  if (value.startsWith("[")) return undefined;
  const name = value.replace(/:\d*$/, "").replace(/\.$/, "").toLowerCase();
  if (name === "" || name.length > 253 || !/^[a-z0-9_.-]+$/.test(name)) return undefined;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return undefined;
  return name;
}
