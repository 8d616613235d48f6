import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { flushOfCapture, testEngine } from "../../_testing.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import {
  captureFrames,
  eventLines,
  frame,
  fuzzDissectors,
  otEngine,
  sequenceOf,
  toClient,
  toServer,
  withSequence,
} from "../_testing.ts";
import { isMessageType, OK, OpcUaReader, PARTIAL } from "./_reader.ts";
import { decodeText } from "../../text.ts";
import { OPCUA_DISSECTORS } from "./mod.ts";

function u32(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}
function str(s: string): number[] {
  return [...u32(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}
const NULL = u32(0xffffffff);
function nodeId(id: number): number[] {
  return [0x01, 0x00, id & 0xff, id >> 8];
}

function chunk(type: string, body: number[]): Uint8Array {
  return Uint8Array.from([...[...type].map((c) => c.charCodeAt(0)), 0x46, ...u32(8 + body.length), ...body]);
}

/** RequestHeader: null token, timestamp, handle, diagnostics, null audit id, timeout, no additional header. */
const REQUEST_HEADER = [0, 0, ...Array(8).fill(0), ...u32(1), ...u32(0), ...NULL, ...u32(0), 0, 0, 0];
const POLICY_NONE = "http://opcfoundation.org/UA/SecurityPolicy#None";

const HEL = chunk("HEL", [
  ...u32(0),
  ...u32(65536),
  ...u32(65536),
  ...u32(0),
  ...u32(0),
  ...str("opc.tcp://plc:4840"),
]);
const OPN = chunk("OPN", [
  ...u32(0),
  ...str(POLICY_NONE),
  ...NULL,
  ...NULL,
  ...u32(1),
  ...u32(1),
  ...nodeId(446),
  ...REQUEST_HEADER,
  ...u32(0),
  ...u32(0),
  ...u32(1),
  ...NULL,
  ...u32(600000),
]);
function msg(service: number, body: number[]): Uint8Array {
  return chunk("MSG", [
    ...u32(7),
    ...u32(1),
    ...u32(2),
    ...u32(2),
    ...nodeId(service),
    ...REQUEST_HEADER,
    ...body,
  ]);
}
const ACTIVATE = msg(467, [
  ...NULL,
  ...NULL,
  ...u32(0),
  ...u32(1),
  ...str("en"),
  ...nodeId(324),
  0x01,
  ...u32(4 + 7 + 4 + 8 + 4 + 6 + 4),
  ...str("user_p"),
  ...str("jdoe"),
  ...str("S3cr3t!x"),
  ...str("rsa"),
]);
const CALL = msg(712, [...u32(0)]);
const WRITE = msg(673, [...u32(0)]);
const BUILT = [
  frame("tcp", toServer(4840), HEL),
  frame("tcp", toServer(4840), OPN),
  frame("tcp", toServer(4840), ACTIVATE),
  frame("tcp", toServer(4840), Uint8Array.from([...CALL, ...WRITE])),
  frame("tcp", toClient(4840), chunk("ERR", [...u32(0x80020000), ...str("bad")])),
];

Deno.test("opcua reports an OpenSecureChannel with policy None as an insecure channel (notice)", () => {
  const record = otEngine(OPCUA_DISSECTORS, BUILT[0], BUILT[1]).flush();
  deepStrictEqual(eventLines(record), [
    'opcua.hello info 10.0.0.10>10.0.0.20 {"op":"session","endpoint_url":"opc.tcp://plc:4840"}',
    `opcua.open_secure_channel info 10.0.0.10>10.0.0.20 {"op":"session","security_policy":"${POLICY_NONE}","security_mode":"none","request_type":"issue"}`,
    'opcua.insecure_channel notice 10.0.0.10>10.0.0.20 {"op":"session","security_policy":"None","security_mode":"none"}',
  ]);
  strictEqual(record.events[2].ip, "10.0.0.20");
  const server = record.identities.filter((i) => i.ip === "10.0.0.20").map((i) => `${i.key}=${i.value}`)
    .sort();
  deepStrictEqual(server, [
    "opcua.endpoint_url=opc.tcp://plc:4840",
    "opcua.role=server",
    `opcua.security_mode=none`,
    `opcua.security_policy=${POLICY_NONE}`,
  ]);
  strictEqual(record.stats.malformed, 0);
});

Deno.test("opcua reports calls, writes, an error and the identity token type but never credentials", () => {
  const record = otEngine(OPCUA_DISSECTORS, ...BUILT.slice(2)).flush();
  deepStrictEqual(
    record.events.map((e) => `${e.type} ${e.severity} ${e.src_ip} ${JSON.stringify(e.fields)}`),
    [
      'opcua.activate_session info 10.0.0.10 {"op":"session","service":"activate_session","identity_token":"username"}',
      'opcua.call warning 10.0.0.10 {"op":"command","service":"call"}',
      'opcua.write notice 10.0.0.10 {"op":"write","service":"write"}',
      'opcua.error notice 10.0.0.20 {"op":"exception","status_code":"0x80020000"}',
    ],
  );
  const text = JSON.stringify(record);
  ok(!text.includes("S3cr3t!x") && !text.includes("jdoe"));
});

Deno.test("opcua finds a flow on an odd port by heuristic, skips a segment that starts mid-chunk, joins a split one", () => {
  const odd = { srcIp: "10.0.0.10", dstIp: "10.0.0.20", srcPort: 50001, dstPort: 12001 };
  const engine = testEngine(OPCUA_DISSECTORS);
  engine.dissectFrame(frame("tcp", odd, HEL));
  engine.dissectFrame(frame("tcp", odd, Uint8Array.from([0x33, ...CALL])));
  // A chunk over two segments, the second following the first in sequence: one call.
  const head = frame("tcp", odd, CALL.subarray(0, 30));
  const rest = frame("tcp", odd, CALL.subarray(30));
  withSequence(rest, sequenceOf(head) + 30);
  engine.dissectFrame(head);
  engine.dissectFrame(rest);
  const record = engine.flush();
  deepStrictEqual(record.events.map((e) => e.type), ["opcua.hello", "opcua.call"]);
  strictEqual(record.stats.malformed, 0);
  strictEqual(record.stats.tcpReassembled, 1);
});

Deno.test("opcua refuses a chunk size below the header and a string past the message", () => {
  const small = HEL.slice();
  small[4] = 4;
  const long = HEL.slice();
  long[28] = 0x40;
  const record = otEngine(
    OPCUA_DISSECTORS,
    frame("tcp", toServer(4840), small),
    frame("tcp", toServer(4840), long),
  )
    .flush();
  strictEqual(record.stats.malformed, 2);
});

interface Chunk {
  type: string;
  chunk: string;
  size: number;
  endpoint: string;
  policy: string;
  service: number;
}

Deno.test({
  name: `opcua matches tshark (-d tcp.port==12001,opcua) on the shared capture${notes(SHARED_PCAPS, TSHARK)}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const name = "opcua_tcp12001_method_call.pcap";
    const rows = await tsharkFields(
      sharedCapture(name),
      [
        "tcp.srcport",
        "opcua.transport.type",
        "opcua.transport.chunk",
        "opcua.transport.size",
        "opcua.transport.endpoint",
        "opcua.security.spu",
        "opcua.servicenodeid.numeric",
      ],
      "opcua",
      ["-d", "tcp.port==12001,opcua"],
    );
    // tshark reports a chunk spread over segments at its last segment, we at its first: compare per direction.
    const expected = new Map<string, Chunk[]>();
    for (const [[port], types, chunks, sizes, endpoints, policies, services] of rows) {
      for (let i = 0; i < types.length; i++) {
        const list = expected.get(port) ?? [];
        list.push({
          type: types[i],
          chunk: chunks[i],
          size: Number(sizes[i]),
          endpoint: endpoints[i] ?? "",
          policy: policies[i] ?? "",
          service: services[i] === undefined ? -1 : Number(services[i]),
        });
        expected.set(port, list);
      }
    }
    const got = new Map<string, Chunk[]>();
    const engine = testEngine();
    const reader = new OpcUaReader();
    for (const f of await captureFrames(name)) {
      const packet = engine.dissectFrame(f);
      let at = packet.payloadOffset;
      const end = at + packet.payloadLength;
      if (at < 0) continue;
      while (end - at >= 8 && isMessageType((f[at] << 16) | (f[at + 1] << 8) | f[at + 2])) {
        const status = reader.read(f, new DataView(f.buffer), at, end);
        ok(status === OK || status === PARTIAL, status);
        const list = got.get(String(packet.srcPort)) ?? [];
        list.push({
          type: String.fromCharCode(f[at], f[at + 1], f[at + 2]),
          chunk: String.fromCharCode(reader.chunk),
          size: reader.size,
          endpoint: reader.endpointAt >= 0 ? decodeText(f, reader.endpointAt, reader.endpointLength) : "",
          policy: reader.policyAt >= 0 ? decodeText(f, reader.policyAt, reader.policyLength) : "",
          service: reader.serviceId,
        });
        got.set(String(packet.srcPort), list);
        if (!reader.complete) break;
        at += reader.size;
      }
    }
    deepStrictEqual(got, expected);
    strictEqual([...got.values()].flat().length, 24);

    const record = await flushOfCapture(sharedCapture(name), OPCUA_DISSECTORS);
    strictEqual(record.stats.malformed, 0, String(record.stats.problems));
    const server = "192.168.41.212";
    const has = (ip: string, key: string, value: string) =>
      record.identities.some((i) => i.ip === ip && i.key === key && i.value === value);
    ok(has(server, "opcua.endpoint_url", "opc.tcp://vm-xp-steven:12001/UA/StackTestServer"));
    ok(has(server, "opcua.security_policy", "http://opcfoundation.org/UA/SecurityPolicy#None"));
    ok(has(server, "opcua.security_mode", "none") && has(server, "opcua.role", "server"));
    ok(has("192.168.41.176", "opcua.role", "client"));
    ok(!record.identities.some((i) => i.key === "opcua.role" && i.value === "server" && i.ip !== server));
    const count = (type: string) =>
      record.events.filter((e) => e.type === type).reduce((n, e) => n + e.count, 0);
    // tshark: two CallRequests (frames 42, 84), two ERR (0x80020000, 0x80070000), two OPN with policy None.
    strictEqual(count("opcua.call"), 2);
    strictEqual(count("opcua.error"), 2);
    strictEqual(count("opcua.insecure_channel"), 2);
    strictEqual(count("opcua.get_endpoints") + count("opcua.create_session"), 4);
    // Frame 35: the ActivateSession UserIdentityToken TypeId is 321 (AnonymousIdentityToken).
    ok(
      record.events.some((e) =>
        e.type === "opcua.activate_session" && e.fields.identity_token === "anonymous"
      ),
    );
  },
});

Deno.test(`opcua survives truncation and 100 000 seeded mutations${SHARED_PCAPS.skip ? ` (built frames only: skipped ${SHARED_PCAPS.missing})` : ""}`, async () => {
  const real = SHARED_PCAPS.skip
    ? []
    : await captureFrames("opcua_tcp12001_method_call.pcap", [4, 6, 8, 9, 35, 43, 84]);
  const report = fuzzDissectors({
    dissectors: OPCUA_DISSECTORS,
    bases: [...real, ...BUILT],
    rounds: 100_000,
    seed: 4840,
  });
  ok(report.malformedBy.opcua > 0, JSON.stringify(report));
  console.log(JSON.stringify(report));
});
