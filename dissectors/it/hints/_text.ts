/**
 * Shared reading of HTTP/1.x-style text messages (RFC 9112 sections 2–5), used by the HTTP and
 * SSDP dissectors (SSDP is HTTP over UDP, UPnP Device Architecture 2.0 section 1).
 *
 * Everything is bounded: a message is read up to the end of its headers or of the payload,
 * whichever comes first, at most {@linkcode MAX_HEADERS} header lines, and each value is cut
 * to {@linkcode MAX_VALUE} characters. Nothing here throws.
 *
 * @module
 */

/** Longest value kept, in characters (longer values are cut). */
export const MAX_VALUE = 512;
/** Header lines read at most per message. */
export const MAX_HEADERS = 100;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** The start line and header fields of one message. */
export interface MessageHead {
  /** The request or status line (cut to {@linkcode MAX_VALUE}). */
  startLine: string;
  /** Header values by lower-case field name (RFC 9110 section 5.1: names are case-insensitive); first wins. */
  headers: Map<string, string>;
  /** True when the empty line that ends the header section was seen. */
  complete: boolean;
}

/**
 * Text of `bytes[from, to)` as Latin-1 (each byte one character, as RFC 9110 section 5.5 allows
 * for obsolete text), without surrounding whitespace, control characters dropped, cut to
 * {@linkcode MAX_VALUE} characters.
 */
export function latin1(bytes: Uint8Array, from: number, to: number): string {
  while (from < to && (bytes[from] === SP || bytes[from] === HT)) from++;
  while (to > from && (bytes[to - 1] === SP || bytes[to - 1] === HT || bytes[to - 1] === CR)) to--;
  let text = "";
  for (let i = from; i < to && text.length < MAX_VALUE; i++) {
    const b = bytes[i];
    if (b >= SP && b !== 0x7f) text += String.fromCharCode(b);
  }
  return text;
}

/** Offset of the next line feed in `bytes[from, end)`, or `end` when there is none. */
export function lineEnd(bytes: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (bytes[i] === LF) return i;
  return end;
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
  const head: MessageHead = { startLine: latin1(bytes, start, eol), headers: new Map(), complete: false };
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
        const name = latin1(bytes, at, colon).toLowerCase();
        if (!head.headers.has(name)) head.headers.set(name, latin1(bytes, colon + 1, eol));
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
