/**
 * Office workstations browsing: a DNS lookup, then an HTTP or TLS (resumed session, with SNI) exchange
 * with an off-subnet server reached through the router's MAC.
 *
 * @module
 */

import {
  parseIpv4,
  TlsContentType,
  type TlsHello,
  writeDnsQuery,
  writeDnsResponse,
  writeTlsChangeCipherSpec,
  writeTlsClientHello,
  writeTlsRecordHeader,
  writeTlsServerHello,
} from "../frames.ts";
import { PLANT_BROWSING, PLANT_DNS } from "./ground_truth.ts";
import { device, jitter, type PlantContext, type PlantDevice } from "./context.ts";
import { TcpSession, type TcpSide } from "./tcp_session.ts";

const encoder = new TextEncoder();
const MAX_RECORD = 1455;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function build(size: number, write: (buf: Uint8Array) => number): Uint8Array {
  const buf = new Uint8Array(size);
  return buf.slice(0, write(buf));
}

/** Opaque (encrypted-looking) TLS records of `type` carrying `length` bytes, each ≤ one segment. */
function opaqueRecords(ctx: PlantContext, type: number, length: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let left = length; left > 0; left -= MAX_RECORD) {
    const n = Math.min(MAX_RECORD, left);
    const record = new Uint8Array(5 + n);
    writeTlsRecordHeader(record, 0, type, n);
    ctx.rng.fill(record.subarray(5));
    parts.push(record);
  }
  return concat(parts);
}

/** DNS query from `client` and the server's answer. Returns the time of the answer. */
function lookup(ctx: PlantContext, t: number, client: PlantDevice, name: string): number {
  const dns = device("srv-dns-01");
  const entry = PLANT_DNS.find((e) => e.name === name);
  if (!entry) throw new RangeError(`Cannot resolve plant name: "${name}" is not in PLANT_DNS`);
  const id = ctx.rng.int(0, 0xffff);
  const port = ctx.rng.int(49152, 65535);
  const query = { id, name };
  ctx.sink.udp(
    t,
    {
      eth: { dst: dns.mac, src: client.mac, tags: client.tags },
      ip: { version: 4, src: client.ip, dst: dns.ip, ttl: 128 },
    },
    { srcPort: port, dstPort: 53 },
    (b, o) => writeDnsQuery(b, o, query),
  );
  t += jitter(ctx, 0.0005, 0.003);
  const addresses = entry.addresses.map(parseIpv4);
  ctx.sink.udp(
    t,
    {
      eth: { dst: client.mac, src: dns.mac, tags: dns.tags },
      ip: { version: 4, src: dns.ip, dst: client.ip, ttl: 128 },
    },
    { srcPort: 53, dstPort: port },
    (b, o) => writeDnsResponse(b, o, { ...query, addresses, ttl: 3600 }),
  );
  return t;
}

function httpExchange(
  ctx: PlantContext,
  s: TcpSession,
  t: number,
  rtt: number,
  name: string,
  size: number,
): number {
  const request =
    `GET / HTTP/1.1\r\nHost: ${name}\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n` +
    `Accept: text/html\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n`;
  t = s.send(t, true, encoder.encode(request));
  const body = "<html><body>" +
    "NetSentinel plant sample. ".repeat(Math.ceil(size / 26)).slice(0, size - 27) +
    "</body></html>\n";
  const head =
    `HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n`;
  return s.send(t + rtt + jitter(ctx, 0.002, 0.01), false, encoder.encode(head + body));
}

function tlsExchange(
  ctx: PlantContext,
  s: TcpSession,
  t: number,
  rtt: number,
  name: string,
  size: number,
): number {
  const hello: TlsHello = {
    random: ctx.rng.fill(new Uint8Array(32)),
    sessionId: ctx.rng.fill(new Uint8Array(32)),
    serverName: name,
  };
  t = s.send(t, true, build(512, (b) => writeTlsClientHello(b, 0, hello)));
  const serverHello = { ...hello, random: ctx.rng.fill(new Uint8Array(32)), serverName: undefined };
  const serverFlight = concat([
    build(512, (b) => writeTlsServerHello(b, 0, serverHello)),
    build(8, (b) => writeTlsChangeCipherSpec(b, 0)),
    opaqueRecords(ctx, TlsContentType.HANDSHAKE, 40),
  ]);
  t = s.send(t + rtt + jitter(ctx, 0.001, 0.004), false, serverFlight);
  const clientFinish = concat([build(8, (b) => writeTlsChangeCipherSpec(b, 0)), opaqueRecords(ctx, 22, 40)]);
  t = s.send(t + jitter(ctx, 0.0005, 0.002), true, clientFinish);
  t = s.send(t + 0.0002, true, opaqueRecords(ctx, TlsContentType.APPLICATION_DATA, ctx.rng.int(380, 620)));
  const records = Math.ceil(size / 1460);
  const response = opaqueRecords(ctx, TlsContentType.APPLICATION_DATA, size - 5 * records);
  return s.send(t + rtt + jitter(ctx, 0.003, 0.02), false, response);
}

/**
 * Every session of {@linkcode PLANT_BROWSING}: DNS lookup, TCP handshake, HTTP GET or TLS exchange,
 * final acknowledgment and orderly close.
 *
 * @param ctx Sink and randomness.
 */
export function officeBrowsing(ctx: PlantContext): void {
  const router = device("rtr-01");
  for (const session of PLANT_BROWSING) {
    const client = device(session.client);
    const t0 = session.at + jitter(ctx, 0, 0.9);
    let t = lookup(ctx, t0, client, session.name) + jitter(ctx, 0.001, 0.01);
    const serverIp = parseIpv4(PLANT_DNS.find((e) => e.name === session.name)!.addresses[0]);
    const rtt = jitter(ctx, 0.012, 0.035);
    const clientSide: TcpSide = {
      mac: client.mac,
      ip: client.ip,
      port: ctx.rng.int(49152, 65535),
      ttl: 128,
      window: 64240,
    };
    const serverSide: TcpSide = {
      mac: router.mac,
      ip: serverIp,
      port: session.tls ? 443 : 80,
      ttl: 52,
      window: 65535,
    };
    const tcp = new TcpSession(ctx.sink, ctx.rng, clientSide, serverSide, client.tags);
    t = tcp.open(t, rtt) + 0.0002;
    const exchange = session.tls ? tlsExchange : httpExchange;
    t = exchange(ctx, tcp, t, rtt, session.name, session.responseBytes);
    tcp.ack(t + 0.0001, true);
    tcp.close(t + jitter(ctx, 0.05, 0.5), rtt);
  }
}
