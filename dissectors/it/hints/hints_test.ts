import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { PacketFlag } from "../../packet.ts";
import {
  engineFor,
  eventsOf,
  frame,
  identitiesOf,
  sequenceOf,
  toClient,
  toServer,
  withSequence,
} from "./_test_frames.ts";
import { alpnExtension, clientHello, extension, sniExtension, versionsExtension } from "./_tls_frames.ts";
import { deviceType } from "./ssdp.ts";
import { hostName, pathOnly } from "./_text.ts";

// UPnP Device Architecture 2.0 section 1.2.2: an alive announcement of a root device.
const NOTIFY = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n" +
  "LOCATION: http://10.0.0.20:49152/description.xml\r\nNT: urn:schemas-upnp-org:device:MediaRenderer:1\r\n" +
  "NTS: ssdp:alive\r\nSERVER: Linux/4.9 UPnP/2.0 Sonos/70.3\r\nUSN: uuid:abc::upnp:rootdevice\r\n\r\n";
// Section 1.3.2 (search) and 1.3.3 (its unicast response), lower-case header names.
const SEARCH = 'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\n' +
  "ST: urn:schemas-upnp-org:device:Printer:1\r\n\r\n";
const SEARCH_RESPONSE = "HTTP/1.1 200 OK\r\ncache-control: max-age=1800\r\next:\r\n" +
  "location: http://10.0.0.20:80/rootDesc.xml\r\nserver: RTOS/1.0 UPnP/1.0 Printer/2.1\r\n" +
  "st: urn:schemas-upnp-org:device:Printer:1\r\nusn: uuid:p::urn:schemas-upnp-org:device:Printer:1\r\n\r\n";

Deno.test("ssdp reports the server, location and device type of an announcement", () => {
  const engine = engineFor(
    frame("udp", { ...toClient(1900), dstIp: "239.255.255.250", dstPort: 1900 }, NOTIFY),
  );
  strictEqual(engine.stats.malformed, 0);
  deepStrictEqual(identitiesOf(engine.flush()), [
    "10.0.0.20 software=Linux/4.9 UPnP/2.0 Sonos/70.3 (50)",
    "10.0.0.20 ssdp.device_type=MediaRenderer (70)",
    "10.0.0.20 ssdp.location=http://10.0.0.20:49152/description.xml (60)",
    "10.0.0.20 ssdp.server=Linux/4.9 UPnP/2.0 Sonos/70.3 (60)",
  ]);
});

Deno.test("ssdp reports a search as an event and its response as identities of the responder", () => {
  const engine = engineFor(
    frame("udp", { ...toServer(1900), dstIp: "239.255.255.250" }, SEARCH),
    frame("udp", toClient(1900), SEARCH_RESPONSE),
  );
  const record = engine.flush();
  deepStrictEqual(eventsOf(record), [
    'ssdp.search 10.0.0.10>239.255.255.250 {"st":"urn:schemas-upnp-org:device:Printer:1"}',
  ]);
  deepStrictEqual(identitiesOf(record), [
    "10.0.0.20 software=RTOS/1.0 UPnP/1.0 Printer/2.1 (50)",
    "10.0.0.20 ssdp.device_type=Printer (70)",
    "10.0.0.20 ssdp.location=http://10.0.0.20:80/rootDesc.xml (60)",
    "10.0.0.20 ssdp.server=RTOS/1.0 UPnP/1.0 Printer/2.1 (60)",
  ]);
  strictEqual(deviceType("urn:schemas-upnp-org:service:ContentDirectory:1"), undefined);
  strictEqual(deviceType("urn:schemas-upnp-org:device:InternetGatewayDevice:2"), "InternetGatewayDevice");
});

Deno.test("ssdp counts a datagram that is not SSDP as malformed", () => {
  const packet = engineFor().dissectFrame(frame("udp", toServer(1900), "hello world"));
  strictEqual(packet.problemProtocol, "SSDP");
  ok(packet.flags & PacketFlag.MALFORMED);
});

Deno.test("tls reports the server name and ALPN of a ClientHello about the server", () => {
  const record = clientHello(0x0303, [sniExtension("Example.COM"), alpnExtension(["h2", "http/1.1"])]);
  const engine = engineFor(frame("tcp", toServer(443), record));
  strictEqual(engine.stats.malformed, 0);
  const flush = engine.flush();
  deepStrictEqual(identitiesOf(flush), ["10.0.0.20 hostname=example.com (30)"]);
  deepStrictEqual(eventsOf(flush), [
    'tls.client_hello 10.0.0.10>10.0.0.20 {"version":"TLS 1.2","cipher_count":3,"sni":"example.com","alpn":"h2,http/1.1"}',
  ]);
});

Deno.test("tls reports a ClientHello without server name, and one without extensions", () => {
  const engine = engineFor(
    frame("tcp", toServer(993), clientHello(0x0303, [alpnExtension(["imap"])], [0x002f])),
    frame("tcp", toServer(995), clientHello(0x0301, undefined, [0x002f, 0x0035])),
  );
  strictEqual(engine.stats.malformed, 0);
  const flush = engine.flush();
  deepStrictEqual(identitiesOf(flush), []);
  deepStrictEqual(eventsOf(flush), [
    'tls.client_hello 10.0.0.10>10.0.0.20 {"version":"TLS 1.2","cipher_count":1,"alpn":"imap"}',
    'tls.client_hello 10.0.0.10>10.0.0.20 {"version":"TLS 1.0","cipher_count":2}',
  ]);
});

Deno.test("tls takes the TLS 1.3 version from supported_versions, GREASE ignored", () => {
  const record = clientHello(0x0303, [versionsExtension([0x2a2a, 0x0304, 0x0303]), sniExtension("a.test")]);
  const flush = engineFor(frame("tcp", toServer(853), record)).flush();
  strictEqual(flush.events[0].fields.version, "TLS 1.3");
  strictEqual(flush.events[0].fields.sni, "a.test");
});

Deno.test("tls finds a ClientHello on an odd port with its probe, and keeps the flow", () => {
  const ends = toServer(4433);
  const engine = engineFor(
    frame("tcp", ends, clientHello(0x0303, [sniExtension("odd.example")])),
    frame("tcp", toClient(4433), Uint8Array.from([23, 3, 3, 0, 2, 1, 2])),
  );
  strictEqual(engine.stats.malformed, 0);
  deepStrictEqual(identitiesOf(engine.flush()), ["10.0.0.20 hostname=odd.example (30)"]);
  // Not TLS: application data first, or a random payload, is not claimed.
  const other = engineFor(frame("tcp", toServer(4434), Uint8Array.from([23, 3, 3, 0, 2, 1, 2])));
  deepStrictEqual(other.flush().events, []);
});

Deno.test("tls joins a ClientHello longer than a segment (a post-quantum key share) with the next one", () => {
  // A 1 216-byte key_share (X25519MLKEM768's client share is 1 216 bytes) makes the record ≈ 1 300 bytes.
  const record = clientHello(0x0303, [
    sniExtension("pq.example"),
    extension(0x0033, new Array(1220).fill(7)),
  ]);
  const first = frame("tcp", toServer(443), record.subarray(0, 1000));
  const second = frame("tcp", toServer(443), record.subarray(1000));
  // The second segment follows the first in sequence.
  withSequence(second, sequenceOf(first) + 1000);
  const engine = engineFor(first, second);
  strictEqual(engine.stats.malformed, 0);
  strictEqual(engine.stats.tcpReassembled, 1);
  deepStrictEqual(identitiesOf(engine.flush()), ["10.0.0.20 hostname=pq.example (30)"]);
});

Deno.test("tls skips other records and a ClientHello whose rest never comes, quietly", () => {
  const record = clientHello(0x0303, [sniExtension("split.example")]);
  const serverHello = record.slice();
  serverHello[5] = 2;
  const engine = engineFor(
    frame("tcp", toServer(443), record.subarray(0, 60)),
    frame("tcp", toClient(443), serverHello),
  );
  strictEqual(engine.stats.malformed, 0);
  strictEqual(engine.stats.truncated, 0);
  deepStrictEqual(engine.flush().events, []);
});

Deno.test("tls counts impossible ClientHello lengths as malformed", () => {
  const record = clientHello(0x0303, [sniExtension("bad.example"), extension(0xff01, [0])]);
  const session = record.slice();
  session[9 + 2 + 32] = 33; // session_id longer than 32 bytes
  const sni = record.slice();
  sni[sni.length - 5 - 11 - 2] = 0xff; // host_name length past the list
  const engine = engineFor();
  for (const bad of [session, sni]) {
    const packet = engine.dissectFrame(frame("tcp", toServer(443), bad));
    strictEqual(packet.problemProtocol, "TLS", packet.describeProblem());
  }
  strictEqual(engine.stats.malformed, 2);
});

Deno.test("http reports host, user agent and path without query; server of the response", () => {
  const request = "GET /search?q=secret HTTP/1.1\r\nhost: WWW.Example.org:8080\r\n" +
    "user-agent: curl/8.5.0\r\naccept: */*\r\n\r\n";
  const response = "HTTP/1.1 200 OK\r\nserver: nginx/1.24.0\r\ncontent-length: 2\r\n\r\nok";
  const engine = engineFor(
    frame("tcp", toServer(5555), request),
    frame("tcp", toClient(5555), response),
    frame("tcp", toClient(5555), "GET body text that continues the body"),
  );
  strictEqual(engine.stats.malformed, 0);
  const flush = engine.flush();
  deepStrictEqual(identitiesOf(flush), [
    "10.0.0.10 http.user_agent=curl/8.5.0 (50)",
    "10.0.0.10 software=curl/8.5.0 (50)",
    "10.0.0.20 hostname=www.example.org (40)",
    "10.0.0.20 http.server=nginx/1.24.0 (60)",
    "10.0.0.20 software=nginx/1.24.0 (60)",
  ]);
  deepStrictEqual(eventsOf(flush).slice(0, 1), [
    'http.request 10.0.0.10>10.0.0.20 {"method":"GET","path":"/search","host":"WWW.Example.org:8080",' +
    '"user_agent":"curl/8.5.0"}',
  ]);
});

Deno.test("http probe refuses what is not a request or status line", () => {
  const engine = engineFor(
    frame("tcp", toServer(5556), "FETCH /x HTTP/1.1\r\n\r\n"),
    frame("tcp", toServer(5557), "GET /x SMTP/1.0\r\n\r\n"),
    frame("tcp", toServer(5558), "HTTP/2 200\r\n\r\n"),
  );
  deepStrictEqual(engine.flush().events, []);
});

Deno.test("host names and paths are normalised for privacy and identity", () => {
  strictEqual(hostName("10.0.0.1:80"), undefined);
  strictEqual(hostName("[::1]:80"), undefined);
  strictEqual(hostName("Printer.local."), "printer.local");
  strictEqual(pathOnly("http://proxy.example/a/b?c=d#e"), "/a/b");
  strictEqual(pathOnly("/x#y"), "/x");
});
