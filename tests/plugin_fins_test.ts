/**
 * The Omron FINS example plugin (plugins/example/omron_fins.ts) as a user runs it: loaded from the
 * plugins folder by `analyze --plugins` into the sandboxed dissector worker, compared with tshark
 * on the shared FINS capture; its events on hand-built frames; and the robustness harness.
 *
 * The shared capture (omron_fins_udp.pcapng, from cisagov/icsnpp-omron-fins) is a test trace: every
 * frame goes from 10.4.14.102 to 10.130.130.130:9600, commands and responses alike, so both ends
 * end up with both roles. tshark marks frames 46, 203 and 204 malformed (a Controller Data Read
 * command without its data byte, Data Link Status Read responses shorter than it expects); the
 * plugin does not decode those data areas and counts them as well formed: a deliberate difference.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { PcapWriter } from "../samples/pcap_writer.ts";
import { TSHARK, tsharkFields } from "./tshark_fields.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { notes } from "./requirements.ts";
import { hex } from "../dissectors/_testing.ts";
import {
  captureFrames,
  eventLines,
  frame,
  fuzzDissectors,
  identityLines,
  otEngine,
  toClient,
  toServer,
} from "../dissectors/ot/_testing.ts";
import { dissector as fins } from "../plugins/example/omron_fins.ts";
import { runCli } from "./run_cli.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CAPTURE = "omron_fins_udp.pcapng";

interface DocEvent {
  type: string;
  severity: string;
  src_ip: string;
  dst_ip: string;
  fields: Record<string, string | number>;
  count: number;
}
interface DocIdentity {
  ip: string;
  key: string;
  value: string;
  count: number;
}
interface Doc {
  summary: { malformed: number; truncated: number };
  flows: { src_port: number; dst_port: number; ip_protocol: number; application: string | null }[];
  events: DocEvent[];
  identities: DocIdentity[];
}

/** `main.ts analyze FILE --json --plugins plugins/example`, as a user runs it (sandboxed workers). */
async function analyzeWithPlugins(path: string): Promise<Doc> {
  const run = await runCli(["analyze", path, "--json", "--plugins", `${ROOT}/plugins/example`]);
  strictEqual(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const num = (text: string) => parseInt(text, 16);

// ---------------------------------------------------------------------------------------------
// Hand-built FINS frames: client 10.0.0.10 (FINS node 20) and PLC 10.0.0.20 (FINS node 10).

/** FINS header: ICF, RSV 0, GCT 2, DNA 0, DA1, DA2 0, SNA 0, SA1, SA2 0, SID. */
function header(response: boolean, sid: number): string {
  const [da1, sa1] = response ? ["14", "0a"] : ["0a", "14"];
  return `${response ? "c0" : "80"} 00 02 00 ${da1} 00 00 ${sa1} 00 ${sid.toString(16).padStart(2, "0")}`;
}

const ascii = (text: string, length: number) =>
  [...text.padEnd(length, " ")].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");

const STOP = hex(`${header(false, 1)} 0402 ffff`);
const STOP_OK = hex(`${header(true, 1)} 0402 0000`);
// Memory Area Write: DM words (0x82), word 100 bit 0, 2 items, then the values.
const WRITE = hex(`${header(false, 2)} 0102 82 0064 00 0002 1234 5678`);
// End code 11 03: parameter error, address range exceeded.
const WRITE_ERROR = hex(`${header(true, 2)} 0102 1103`);
const READ = hex(`${header(false, 3)} 0101 b0 0010 00 0004`);
// Normal completion (00 00) with the non-fatal CPU error flag (SRES bit 6), then the 4 words.
const READ_OK_CPU_ERROR = hex(`${header(true, 3)} 0101 0040 0001 0002 0003 0004`);
const CONTROLLER_DATA = hex(`${header(false, 4)} 0501 00`);
const CONTROLLER_DATA_OK = hex(
  `${header(true, 4)} 0501 0000 ${ascii("CJ2M-CPU33", 20)} ${ascii("02.01", 20)} ${"00".repeat(52)}`,
);
const CLOCK_WRITE = hex(`${header(false, 5)} 0702 26 11 22 10 30 00 00`);

/** A FINS/TCP header (16 bytes) around `body`. */
function tcpPdu(command: number, body: Uint8Array, error = 0): Uint8Array {
  const pdu = new Uint8Array(16 + body.length);
  const view = new DataView(pdu.buffer);
  view.setUint32(0, 0x46494e53);
  view.setUint32(4, 8 + body.length);
  view.setUint32(8, command);
  view.setUint32(12, error);
  pdu.set(body, 16);
  return pdu;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

const TCP_HELLO = tcpPdu(0, hex("00000000"));
const TCP_HELLO_OK = tcpPdu(1, hex("00000014 0000000a"));
// Two FINS/TCP frames in one segment: Memory Area Read then STOP.
const TCP_TWO = concat(tcpPdu(2, READ), tcpPdu(2, STOP));
const TCP_STOP_OK = tcpPdu(2, STOP_OK);

const CLIENT = "10.0.0.10";
const PLC = "10.0.0.20";

Deno.test("fins plugin: a STOP command is a critical fins.stop from the client to the PLC", () => {
  const engine = otEngine([fins], frame("udp", toServer(9600), STOP), frame("udp", toClient(9600), STOP_OK));
  const record = engine.flush();
  deepStrictEqual(eventLines(record), [
    `fins.stop critical ${CLIENT}>${PLC} ` +
    `{"op":"cpu_stop","command":1026,"command_name":"STOP","dna":0,"da1":10,"sna":0,"sa1":20}`,
  ]);
  // Each end is named by itself (confidence 80) and by its peer (70).
  deepStrictEqual(sorted(identityLines(record)), [
    `${CLIENT} fins.role=client`,
    `${PLC} fins.role=server`,
  ]);
  strictEqual(record.stats.malformed, 0);
});

Deno.test("fins plugin: a memory area write is a notice, an error end code a fins.error notice", () => {
  const engine = otEngine(
    [fins],
    frame("udp", toServer(9600), WRITE),
    frame("udp", toClient(9600), WRITE_ERROR),
    frame("udp", toServer(9600), READ),
    frame("udp", toClient(9600), READ_OK_CPU_ERROR),
    frame("udp", toServer(9600), CLOCK_WRITE),
  );
  const record = engine.flush();
  deepStrictEqual(eventLines(record), [
    `fins.memory_write notice ${CLIENT}>${PLC} {"op":"write","command":258,"command_name":"Memory Area Write",` +
    `"dna":0,"da1":10,"sna":0,"sa1":20,"area":130,"address":100,"count":2}`,
    `fins.error notice ${PLC}>${CLIENT} {"op":"exception","command":258,"command_name":"Memory Area Write",` +
    `"dna":0,"da1":20,"sna":0,"sa1":10,"main_code":17,"sub_code":3}`,
    `fins.memory_read info ${CLIENT}>${PLC} {"op":"read","command":257,"command_name":"Memory Area Read",` +
    `"dna":0,"da1":10,"sna":0,"sa1":20,"area":176,"address":16,"count":4}`,
    `fins.error notice ${PLC}>${CLIENT} {"op":"exception","command":257,"command_name":"Memory Area Read",` +
    `"dna":0,"da1":20,"sna":0,"sa1":10,"main_code":0,"sub_code":0,"cpu_error":"non_fatal"}`,
    `fins.clock_write warning ${CLIENT}>${PLC} {"op":"time_sync","command":1794,"command_name":"Clock Write",` +
    `"dna":0,"da1":10,"sna":0,"sa1":20}`,
  ]);
});

Deno.test("fins plugin: a Controller Data Read response names the PLC model and version", () => {
  const engine = otEngine(
    [fins],
    frame("udp", toServer(9600), CONTROLLER_DATA),
    frame("udp", toClient(9600), CONTROLLER_DATA_OK),
  );
  const record = engine.flush();
  deepStrictEqual(sorted(identityLines(record)), [
    `${CLIENT} fins.role=client`,
    `${PLC} fins.role=server`,
    `${PLC} ot.firmware=02.01`,
    `${PLC} ot.product=CJ2M-CPU33`,
    `${PLC} ot.vendor=Omron`,
  ]);
  const product = record.identities.find((i) => i.key === "ot.product");
  strictEqual(product?.confidence, 90);
  strictEqual(record.identities.find((i) => i.key === "ot.vendor")?.confidence, 70);
});

Deno.test("fins plugin: FINS/TCP frames, two in a segment, and segments that start or end mid-frame", () => {
  const engine = otEngine(
    [fins],
    frame("tcp", toServer(9600), TCP_HELLO),
    frame("tcp", toClient(9600), TCP_HELLO_OK),
    frame("tcp", toServer(9600), TCP_TWO),
    frame("tcp", toClient(9600), TCP_STOP_OK),
    // The tail of a frame whose start was in the previous segment: skipped.
    frame("tcp", toServer(9600), WRITE),
    // A frame whose end is in the next segment: skipped, not malformed.
    frame("tcp", toServer(9600), tcpPdu(2, WRITE).subarray(0, 20)),
    // A FINS/TCP error notification (0x21: the client's node address is already connected).
    frame("tcp", toClient(9600), tcpPdu(3, new Uint8Array(0), 0x21)),
  );
  const record = engine.flush();
  strictEqual(record.stats.malformed, 0, record.stats.problems.join(" | "));
  deepStrictEqual(record.events.map((e) => e.type), [
    "fins.memory_read",
    "fins.stop",
    "fins.tcp_error",
  ]);
  strictEqual(record.events[1].severity, "critical");
  strictEqual(record.events[1].src_ip, CLIENT);
  deepStrictEqual(record.events[2].fields, { op: "exception", tcp_command: 3, error_code: 0x21 });
  // After a whole frame, bytes that are not a FINS/TCP header are malformed.
  const bad = otEngine([fins], frame("tcp", toServer(9600), concat(tcpPdu(2, READ), hex("00000000"))));
  strictEqual(bad.flush().stats.malformed, 1);
});

Deno.test("fins plugin: refuses impossible headers, and claims odd UDP ports only for plausible frames", () => {
  const cases: [string, Uint8Array][] = [
    ["reserved ICF bits", hex("82 00 02 00 0a 00 00 14 00 01 0101 82 0000 00 0001")],
    ["reserved byte", hex("80 01 02 00 0a 00 00 14 00 01 0101 82 0000 00 0001")],
    ["memory read without its address", hex(`${header(false, 1)} 0101 82`)],
    ["response without its end code", hex(`${header(true, 1)} 0101`)],
  ];
  for (const [name, payload] of cases) {
    const engine = otEngine([fins], frame("udp", toServer(9600), payload));
    strictEqual(engine.flush().stats.malformed, 1, name);
  }
  const odd = { srcIp: CLIENT, dstIp: PLC, srcPort: 50000, dstPort: 40000 };
  const claimed = otEngine([fins], frame("udp", odd, STOP)).flush();
  deepStrictEqual(claimed.events.map((e) => e.type), ["fins.stop"]);
  // Same bytes with gateway count 9: not FINS by heuristic.
  const other = STOP.slice();
  other[2] = 9;
  strictEqual(otEngine([fins], frame("udp", odd, other)).flush().events.length, 0);
});

Deno.test("fins plugin: built frames through analyze --plugins (UDP 9600, FINS/TCP, odd UDP port)", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  const writer = await PcapWriter.create(path);
  const odd = { srcIp: CLIENT, dstIp: PLC, srcPort: 50001, dstPort: 40000 };
  const frames = [
    frame("udp", toServer(9600), STOP),
    frame("udp", toClient(9600), STOP_OK),
    frame("tcp", toServer(9600), TCP_TWO),
    frame("udp", odd, WRITE),
  ];
  frames.forEach((f, i) => writer.write(1_700_000_000 + i, 0, f));
  writer.close();
  try {
    const doc = await analyzeWithPlugins(path);
    deepStrictEqual(
      doc.flows.map((f) => `${f.ip_protocol}/${f.src_port}>${f.dst_port} ${f.application}`).sort(),
      ["17/50000>9600 fins", "17/50001>40000 fins", "17/9600>50000 fins", "6/50000>9600 fins"],
    );
    deepStrictEqual(
      doc.events.map((e) => `${e.type} ${e.severity} ${e.src_ip}>${e.dst_ip} x${e.count}`).sort(),
      [
        `fins.memory_read info ${CLIENT}>${PLC} x1`,
        `fins.memory_write notice ${CLIENT}>${PLC} x1`,
        `fins.stop critical ${CLIENT}>${PLC} x2`,
      ],
    );
    strictEqual(doc.summary.malformed, 0);
  } finally {
    await Deno.remove(path);
  }
});

// ---------------------------------------------------------------------------------------------
// The shared capture against tshark, through the sandbox.

const FIELDS = [
  "frame.number",
  "ip.src",
  "ip.dst",
  "omron.icf",
  "omron.command",
  "omron.response.code",
  "omron.dna",
  "omron.da1",
  "omron.sna",
  "omron.sa1",
  "omron.memory.area.read",
  "omron.memory.address",
  "omron.memory.numitems",
  "omron.controller.model",
  "omron.controller.version",
] as const;

Deno.test({
  name: `fins plugin loaded by analyze --plugins reports what tshark shows in ${CAPTURE}${
    notes(SHARED_PCAPS, TSHARK)
  }`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const path = sharedCapture(CAPTURE);
    const [rows, doc] = await Promise.all([tsharkFields(path, FIELDS, "omron"), analyzeWithPlugins(path)]);
    ok(rows.length > 200, `tshark shows ${rows.length} FINS frames`);

    // Flows of port 9600 belong to the plugin.
    const finsFlows = doc.flows.filter((f) => f.src_port === 9600 || f.dst_port === 9600);
    ok(finsFlows.length > 0);
    for (const flow of finsFlows) strictEqual(flow.application, "fins");
    // tshark's three malformed frames are deliberate differences (see the module comment).
    strictEqual(doc.summary.malformed, 0);

    const commands: string[] = [];
    const errors: string[] = [];
    const memory: string[] = [];
    const products: string[] = [];
    const firmwares: string[] = [];
    let commandFrames = 0;
    let errorFrames = 0;
    for (const [, [src], [dst], [icf], [command], code, [dna], [da1], [sna], [sa1], ...rest] of rows) {
      const [areas, addresses, counts, model, version] = rest;
      const cmd = num(command);
      if ((num(icf) & 0x40) === 0) {
        commandFrames++;
        commands.push(`${src}>${dst} ${cmd} ${num(dna)}.${num(da1)}<${num(sna)}.${num(sa1)}`);
        if (cmd >= 0x0101 && cmd <= 0x0103) {
          memory.push(`${cmd} ${num(areas[0])} ${num(addresses[0])} ${counts[0]}`);
        }
      } else if (code.length && num(code[0]) !== 0) {
        errorFrames++;
        errors.push(`${src}>${dst} ${cmd} ${num(code[0]) & 0x7f3f}`);
      }
      for (const value of model) products.push(`${src} ${value.trim()}`);
      for (const value of version) firmwares.push(`${src} ${value.trim()}`);
    }
    ok(commandFrames > 50 && errorFrames > 50, `${commandFrames} commands, ${errorFrames} errors`);

    const mine = doc.events.filter((e) => e.type !== "fins.error");
    const failed = doc.events.filter((e) => e.type === "fins.error");
    const f = (e: DocEvent) => e.fields;
    // Per (source, destination, command code, node addresses): the same set as tshark's…
    deepStrictEqual(
      sorted(
        mine.map((e) =>
          `${e.src_ip}>${e.dst_ip} ${f(e).command} ${f(e).dna}.${f(e).da1}<${f(e).sna}.${f(e).sa1}`
        ),
      ),
      sorted(commands),
    );
    // …and one event per command frame (identical events of a flush are counted).
    strictEqual(mine.reduce((n, e) => n + e.count, 0), commandFrames);
    deepStrictEqual(
      sorted(
        failed.map((e) =>
          `${e.src_ip}>${e.dst_ip} ${f(e).command} ${(+f(e).main_code << 8) | +f(e).sub_code}`
        ),
      ),
      sorted(errors),
    );
    strictEqual(failed.reduce((n, e) => n + e.count, 0), errorFrames);
    // Memory area, word address and item count of Memory Area Read / Write / Fill.
    deepStrictEqual(
      sorted(
        mine.filter((e) => +f(e).command <= 0x0103).map((e) =>
          `${f(e).command} ${f(e).area} ${f(e).address} ${f(e).count}`
        ),
      ),
      sorted(memory),
    );
    // Controller Data Read responses: model and version, on the responder.
    ok(products.length > 0, "tshark shows no controller model");
    const values = (key: string) =>
      doc.identities.filter((i) => i.key === key).map((i) => `${i.ip} ${i.value}`);
    deepStrictEqual(sorted(values("ot.product")), sorted(products));
    deepStrictEqual(sorted(values("ot.firmware")), sorted(firmwares));
    strictEqual(
      doc.identities.filter((i) => i.key === "ot.product").reduce((n, i) => n + i.count, 0),
      products.length,
    );
    deepStrictEqual(sorted(values("ot.vendor")), sorted(products.map((p) => `${p.split(" ")[0]} Omron`)));
    // Roles: the sender of a command is a client, of a response a server.
    deepStrictEqual(sorted(values("fins.role")), [
      "10.130.130.130 client",
      "10.130.130.130 server",
      "10.4.14.102 client",
      "10.4.14.102 server",
    ]);
  },
});

// ---------------------------------------------------------------------------------------------

Deno.test(
  `fins plugin survives truncation and 100 000 mutations${
    SHARED_PCAPS.skip ? ` (built frames only: skipped ${SHARED_PCAPS.missing})` : ""
  }`,
  async () => {
    const real = SHARED_PCAPS.skip ? [] : await captureFrames(CAPTURE);
    const built = [
      frame("udp", toServer(9600), STOP),
      frame("udp", toClient(9600), STOP_OK),
      frame("udp", toServer(9600), WRITE),
      frame("udp", toClient(9600), WRITE_ERROR),
      frame("udp", toClient(9600), CONTROLLER_DATA_OK),
      frame("udp", { srcIp: CLIENT, dstIp: PLC, srcPort: 50000, dstPort: 40000 }, READ),
      frame("tcp", toServer(9600), TCP_HELLO),
      frame("tcp", toClient(9600), TCP_HELLO_OK),
      frame("tcp", toServer(9600), TCP_TWO),
      frame("tcp", toClient(9600), TCP_STOP_OK),
    ];
    const report = fuzzDissectors({
      dissectors: [fins],
      bases: [...real, ...built],
      rounds: 100_000,
      seed: 9600,
    });
    ok(report.malformedBy.fins > 0, JSON.stringify(report));
    console.log(`fins fuzz: ${JSON.stringify(report)}`);
  },
);
