/**
 * Test helpers: TLS ClientHello records built byte by byte (RFC 8446 section 4.1.2).
 *
 * @module
 */

/** Bytes of ASCII text. */
export function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

function u16(value: number): number[] {
  return [value >> 8, value & 0xff];
}

/** One extension: type (2) | length (2) | data (RFC 8446 section 4.2). */
export function extension(type: number, data: number[]): number[] {
  return [...u16(type), ...u16(data.length), ...data];
}

/** server_name (RFC 6066 section 3) with one host_name entry. */
export function sniExtension(name: string): number[] {
  const entry = [0, ...u16(name.length), ...ascii(name)];
  return extension(0, [...u16(entry.length), ...entry]);
}

/** application_layer_protocol_negotiation (RFC 7301 section 3.1). */
export function alpnExtension(protocols: string[]): number[] {
  const list = protocols.flatMap((p) => [p.length, ...ascii(p)]);
  return extension(16, [...u16(list.length), ...list]);
}

/** supported_versions (RFC 8446 section 4.2.1), client form. */
export function versionsExtension(versions: number[]): number[] {
  return extension(43, [versions.length * 2, ...versions.flatMap(u16)]);
}

/**
 * A TLS record (version 0x0301) holding one ClientHello: `legacy` version, a 32-byte random and
 * session id, `ciphers`, the null compression method and `extensions` (omitted when undefined).
 */
export function clientHello(
  legacy: number,
  extensions: number[][] | undefined,
  ciphers: number[] = [0x1301, 0x1302, 0xc02f],
): Uint8Array {
  const body = [...u16(legacy), ...new Array(32).fill(0x11), 32, ...new Array(32).fill(0x22)];
  body.push(...u16(ciphers.length * 2), ...ciphers.flatMap(u16), 1, 0);
  if (extensions) {
    const all = extensions.flat();
    body.push(...u16(all.length), ...all);
  }
  const handshake = [1, 0, ...u16(body.length), ...body];
  return Uint8Array.from([22, 3, 1, ...u16(handshake.length), ...handshake]);
}
